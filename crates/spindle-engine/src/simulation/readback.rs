//! Reading a simulation back: run figures, connection counts, recorders'
//! events and files. Counts are summed over ranks (collective calls).

use std::path::{Path, PathBuf};

use spindle_core::{NodeId, Step};
use spindle_models::correlation::{CorrelationHistograms, DetectedSpike};
use spindle_models::devices::RecordTo;
use spindle_network::{DeviceConnection, NetworkError, NodeKind};

use super::{RunStats, Simulation};
use crate::recording::{
    FileNames, MultimeterEvents, SpikeEvents, WeightEvents, dat_path, write_dat,
};
use crate::{EngineError, PhaseTimers};

impl Simulation {
    /// Element-wise sums over ranks (the values themselves on one process).
    fn sum_over_ranks(&self, mine: &[u64]) -> Vec<u64> {
        match &self.ranks {
            Some(r) => crate::ranks::sum(r.as_ref(), mine),
            None => mine.to_vec(),
        }
    }

    /// Figures of the run so far. Counts are over all ranks (a collective
    /// call under MPI); timers, histograms and per-shard figures are this
    /// rank's.
    pub fn stats(&self) -> RunStats {
        let mut timers = PhaseTimers::default();
        for s in &self.shards {
            timers.add(&s.times.timers);
        }
        let (mut neuron_bytes, mut synapse_bytes) = (0, 0);
        for s in &self.shards {
            let (n, y) = s.bytes();
            neuron_bytes += n as u64;
            synapse_bytes += y as u64;
        }
        let [
            synaptic_events,
            poisson_draws,
            neurons,
            neuron_bytes,
            synapse_bytes,
            synapses_stored,
        ] = self.sum_over_ranks(&[
            self.shards.iter().map(|s| s.counters.synaptic_events).sum(),
            self.shards.iter().map(|s| s.poisson_draws()).sum(),
            self.shards.iter().map(|s| s.ids.len() as u64).sum(),
            neuron_bytes,
            synapse_bytes,
            self.shards.iter().map(|s| s.synapses.len()).sum(),
        ])[..]
        else {
            unreachable!("six sums")
        };
        RunStats {
            steps: self.now,
            slices: self.slices,
            spikes: self.digest.count(),
            digest: self.digest.hex(),
            synaptic_events,
            poisson_draws,
            time_simulate: self.time_simulate,
            time_construction_connect: self.time_construction_connect,
            timers,
            shard_timers: self.shards.iter().map(|s| s.times.timers).collect(),
            shard_histograms: self
                .shards
                .iter()
                .map(|s| s.times.histograms.clone())
                .collect(),
            neurons,
            neuron_bytes,
            synapse_bytes,
            synapses_stored,
        }
    }

    /// Connections of synapse model `name` as built: stored synapses plus
    /// device connections (NEST's `num_connections`).
    pub fn num_connections(&self, name: &str) -> Result<u64, EngineError> {
        let model = self
            .net
            .synapse_models()
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| NetworkError::UnknownSynapseModel(name.into()))?;
        let stored: u64 = self
            .shards
            .iter()
            .flat_map(|s| &s.synapses.projections)
            .filter(|p| p.synapse_model as usize == model)
            .map(|p| p.len() as u64)
            .sum();
        let stored = self.sum_over_ranks(&[stored])[0];
        // Device connections are not stored as synapses; the description
        // counts them exactly, and every neuron-to-neuron one is stored.
        let described = self.net.num_connections(name)?;
        let neuron_described: u64 = self
            .net
            .projections()
            .iter()
            .zip(self.net.projection_totals())
            .filter(|(p, _)| p.synapse_model as usize == model)
            .map(|(_, t)| t.connections)
            .sum();
        Ok(stored + described - neuron_described)
    }

    /// Spikes the neurons of `nodes` emitted so far, over all ranks.
    pub fn spike_total(&self, nodes: &spindle_network::NodeCollection) -> u64 {
        let mine: u64 = self
            .shards
            .iter()
            .map(|s| {
                self.partition
                    .owned(&self.partition.shards()[s.index], nodes)
                    .map(|(_, local)| s.spike_counts[local as usize] as u64)
                    .sum::<u64>()
            })
            .sum();
        self.sum_over_ranks(&[mine])[0]
    }

    /// Spikes neuron `id` emitted so far (`None` for devices, and under
    /// MPI for neurons of another rank).
    pub fn spike_count(&self, id: NodeId) -> Option<u32> {
        let (s, local) = self.partition.locate(id)?;
        let s = s.checked_sub(self.first_shard)?;
        Some(self.shards.get(s)?.spike_counts[local as usize])
    }

    /// The time [ms] of neuron `id`'s last spike, NEST's `t_spike` (-1
    /// before its first; `None` for devices and neurons of other ranks).
    pub fn last_spike(&self, id: NodeId) -> Option<f64> {
        let (s, local) = self.partition.locate(id)?;
        let stamp = self
            .shards
            .get(s.checked_sub(self.first_shard)?)?
            .last_stamp[local as usize];
        Some(if stamp == 0 {
            -1.0
        } else {
            self.net.resolution().ms(stamp)
        })
    }

    pub(super) fn recorder_index(&self, recorder: NodeId) -> Result<usize, EngineError> {
        self.port_index(recorder, 0)
    }

    /// The recorder index of port `port` of spike recorder or correlation
    /// detector `recorder`.
    pub(super) fn port_index(&self, recorder: NodeId, port: u32) -> Result<usize, EngineError> {
        self.devices
            .recorders
            .binary_search(&(recorder, port))
            .map_err(|_| EngineError::Config(format!("node {recorder} is not a spike_recorder")))
    }

    pub(super) fn weight_recorder_index(&self, recorder: NodeId) -> Result<usize, EngineError> {
        self.devices
            .weight_recorders
            .binary_search(&recorder)
            .map_err(|_| EngineError::Config(format!("node {recorder} is not a weight_recorder")))
    }

    /// The events of weight recorder `recorder` that pass its `senders`
    /// and `targets` filters, sorted by time, then sender, then target
    /// (the order of the synapses of one pair kept).
    pub fn weight_events(&self, recorder: NodeId) -> Result<WeightEvents, EngineError> {
        let r = self.weight_recorder_index(recorder)? as u32;
        let Some(NodeKind::WeightRecorder(p)) = self.net.node(recorder) else {
            return Err(EngineError::Config(format!(
                "node {recorder} is not a weight_recorder"
            )));
        };
        let pass = |list: &[NodeId], id: NodeId| list.is_empty() || list.contains(&id);
        // (step, sender, target, weight bits, receptor) as words.
        let mut words: Vec<u64> = Vec::new();
        for s in &self.shards {
            for w in s.weight_samples.iter().filter(|w| w.recorder == r) {
                let target = s.ids[w.local as usize];
                if pass(&p.senders, w.source)
                    && pass(&p.targets, target)
                    && p.recorder.window.records(w.step, self.net.resolution())
                {
                    words.extend([
                        w.step,
                        w.source as u64,
                        target as u64,
                        w.weight.to_bits(),
                        w.receptor as u64,
                    ]);
                }
            }
        }
        if let Some(ranks) = &self.ranks {
            words = crate::ranks::gather(ranks.as_ref(), &words).concat();
        }
        let mut all: Vec<&[u64]> = words.chunks_exact(5).collect();
        all.sort_by_key(|w| (w[0], w[1], w[2]));
        let res = self.net.resolution();
        Ok(WeightEvents {
            times: all.iter().map(|w| res.ms(w[0] + 1)).collect(),
            senders: all.iter().map(|w| w[1] as NodeId).collect(),
            targets: all.iter().map(|w| w[2] as NodeId).collect(),
            weights: all.iter().map(|w| f64::from_bits(w[3])).collect(),
            receptors: all.iter().map(|w| w[4] as u32).collect(),
        })
    }

    /// Events spike recorder `recorder` has seen (NEST's `n_events`),
    /// whether it keeps them or not.
    pub fn n_events(&self, recorder: NodeId) -> Result<u64, EngineError> {
        let r = self.recorder_index(recorder)?;
        let mine = self
            .shards
            .iter()
            .map(|s| s.recorded_counts[r])
            .sum::<u64>();
        Ok(self.sum_over_ranks(&[mine])[0])
    }

    /// The events of spike recorder `recorder`, sorted by time, then sender
    /// (empty for a recorder with `record_to: None`).
    pub fn spike_events(&self, recorder: NodeId) -> Result<SpikeEvents, EngineError> {
        self.recorded_events(self.recorder_index(recorder)?)
    }

    /// The histograms of correlation detector `detector` (NEST's
    /// `histogram`, `count_histogram`, ...), from the spikes each of its
    /// ports recorded.
    pub fn correlation(&self, detector: NodeId) -> Result<CorrelationHistograms, EngineError> {
        let Some(NodeKind::CorrelationDetector(p)) = self.net.node(detector) else {
            return Err(EngineError::Config(format!(
                "node {detector} is not a correlation_detector"
            )));
        };
        let mut ports: [Vec<DetectedSpike>; 2] = Default::default();
        for (port, spikes) in ports.iter_mut().enumerate() {
            let ev = self.recorded_events(self.port_index(detector, port as u32)?)?;
            // Each connection's weight; copies of one spike (a generator's
            // multiplicity) are one spike of that multiplicity.
            let weight = |sender: NodeId| {
                self.net
                    .device_connections()
                    .iter()
                    .find_map(|c| match c {
                        DeviceConnection::SpikeRecorder {
                            recorder,
                            sources,
                            port: q,
                            weight,
                            ..
                        } if *recorder == detector
                            && *q == port as u32
                            && sources.contains(sender) =>
                        {
                            Some(*weight)
                        }
                        _ => None,
                    })
                    .unwrap_or(1.0)
            };
            let res = self.net.resolution();
            let in_flight = super::in_flight(&self.net, self.last_slice);
            let mut i = 0;
            while i < ev.times.len() {
                let k = ev.times[i..]
                    .iter()
                    .zip(&ev.senders[i..])
                    .take_while(|&(&t, &s)| t == ev.times[i] && s == ev.senders[i])
                    .count();
                let stamp = (ev.times[i] / res.h()).round() as Step;
                if in_flight(stamp - 1, ev.senders[i]) {
                    i += k;
                    continue;
                }
                spikes.push(DetectedSpike {
                    stamp,
                    weight: weight(ev.senders[i]) * k as f64,
                    multiplicity: k as u64,
                });
                i += k;
            }
        }
        Ok(p.histograms(self.net.resolution(), [&ports[0], &ports[1]]))
    }

    /// The events recorder index `r` kept, gathered over ranks, sorted by
    /// time, then sender.
    fn recorded_events(&self, r: usize) -> Result<SpikeEvents, EngineError> {
        let mut all: Vec<(Step, NodeId)> = self
            .shards
            .iter()
            .flat_map(|s| s.recorded[r].iter().copied())
            .collect();
        if let Some(ranks) = &self.ranks {
            let words: Vec<u64> = all.iter().flat_map(|&(t, id)| [t, id as u64]).collect();
            all = crate::ranks::gather(ranks.as_ref(), &words)
                .concat()
                .chunks_exact(2)
                .map(|w| (w[0], w[1] as NodeId))
                .collect();
        }
        all.sort_unstable();
        let res = self.net.resolution();
        Ok(SpikeEvents {
            senders: all.iter().map(|e| e.1).collect(),
            // A spike in step n is stamped at the end of the step.
            times: all.iter().map(|e| res.ms(e.0 + 1)).collect(),
        })
    }

    /// The samples of multimeter `meter`, sorted by time, then sender: the
    /// recordables it records from, by name, in its `record_from` order.
    pub fn multimeter_events(&self, meter: NodeId) -> Result<MultimeterEvents, EngineError> {
        if self.ranks.as_ref().is_some_and(|r| r.size() > 1) {
            return Err(EngineError::Config(
                "multimeters are not yet read across MPI ranks".into(),
            ));
        }
        let Some(NodeKind::Multimeter(params)) = self.net.node(meter) else {
            return Err(EngineError::Config(format!(
                "node {meter} is not a multimeter"
            )));
        };
        // Slice by slice, neuron by neuron, as NEST's multimeter lists
        // them (one thread's order).
        let md = self.nest_min_delay.max(1);
        // The probes whose samples this meter reads.
        let mut reads = vec![false; self.devices.probes.len()];
        for (q, &(m, _)) in self.devices.probes.iter().enumerate() {
            if m == meter {
                reads[self.devices.primary[q] as usize] = true;
            }
        }
        let cleared = self.meter_cleared.get(&meter).copied().unwrap_or(0);
        // The window each sample was taken in.
        let earlier = self
            .meter_windows
            .get(&meter)
            .map_or(&[][..], Vec::as_slice);
        let window_at = |step: Step| {
            earlier
                .iter()
                .find(|(until, _)| step < *until)
                .map_or(params.window, |(_, w)| *w)
        };
        let mut all: Vec<(Step, NodeId, Step, usize, usize)> = Vec::new();
        for (si, s) in self.shards.iter().enumerate() {
            for (i, sample) in s.output.samples.iter().enumerate() {
                let (_, target) = self.devices.probes[sample.probe as usize];
                if reads[sample.probe as usize]
                    && sample.step >= cleared
                    && params.samples(sample.step, self.net.resolution())
                    && window_at(sample.step).records(sample.step, self.net.resolution())
                {
                    all.push((sample.step / md, target, sample.step, si, i));
                }
            }
        }
        all.sort_unstable();
        let res = self.net.resolution();
        let mut ev = MultimeterEvents {
            values: params
                .record_from
                .iter()
                .map(|name| (name.clone(), Vec::with_capacity(all.len())))
                .collect(),
            ..Default::default()
        };
        // Where each recorded name sits in a target's samples, per target
        // (its model's recordables may depend on its parameters).
        let mut at: Vec<usize> = Vec::new();
        let mut at_of = None;
        for (_, target, step, si, i) in all {
            let out = &self.shards[si].output;
            let sample = out.samples[i];
            if at_of != Some(target) {
                // Connect checked that the target's model has every recordable.
                let params = self.net.neuron_params(target).expect("a neuron");
                let has = params.model().recordables_for(params.values());
                at.clear();
                at.extend(ev.values.iter().map(|(name, _)| {
                    has.iter()
                        .position(|r| r.name == name)
                        .expect("checked at Connect")
                }));
                at_of = Some(target);
            }
            ev.senders.push(target);
            ev.times.push(res.ms(step + 1));
            for ((_, values), &r) in ev.values.iter_mut().zip(&at) {
                values.push(out.values[sample.at as usize + r]);
            }
        }
        let sources: Vec<_> = self
            .source_samples
            .iter()
            .filter(|s| s.meter == meter && params.window.records(s.step, res))
            .collect();
        if !sources.is_empty() {
            // Sources' samples join the neurons' in the same order.
            let mut rows: Vec<(Step, NodeId, Step, Vec<f64>)> = (0..ev.times.len())
                .map(|i| {
                    let step = (ev.times[i] / res.h()).round() as Step - 1;
                    let values = ev.values.iter().map(|(_, v)| v[i]).collect();
                    (step / md, ev.senders[i], step, values)
                })
                .collect();
            rows.extend(
                sources
                    .iter()
                    .map(|s| (s.step / md, s.sender, s.step, s.values.clone())),
            );
            rows.sort_by_key(|r| (r.0, r.1, r.2));
            ev.senders = rows.iter().map(|r| r.1).collect();
            ev.times = rows.iter().map(|r| res.ms(r.2 + 1)).collect();
            for (k, (_, values)) in ev.values.iter_mut().enumerate() {
                *values = rows.iter().map(|r| r.3[k]).collect();
            }
        }
        Ok(ev)
    }

    /// Write the `.dat` file of every spike recorder with
    /// `record_to: Ascii` into `dir`, named as `names` says, with the
    /// events after `since` ms (NEST truncates a recorder's file at every
    /// Prepare when it overwrites files: the file then holds what was
    /// recorded since); returns the paths written.
    pub fn write_recorders(
        &self,
        dir: &Path,
        prefix: &str,
        names: FileNames,
        since: f64,
    ) -> Result<Vec<PathBuf>, EngineError> {
        let mut written = Vec::new();
        for &(rec, _) in &self.devices.recorders {
            let Some(NodeKind::SpikeRecorder(p)) = self.net.node(rec) else {
                // Correlation detectors write no files.
                continue;
            };
            if p.record_to != RecordTo::Ascii {
                continue;
            }
            let path = dat_path(dir, prefix, &p.label, rec, names);
            // Every rank takes part in gathering the events; rank 0 writes.
            let mut events = self.spike_events(rec)?;
            if since > 0.0 {
                let first = events.times.partition_point(|&t| t <= since);
                let sorted = events.times.windows(2).all(|w| w[0] <= w[1]);
                if sorted {
                    events.times.drain(..first);
                    events.senders.drain(..first);
                } else {
                    let keep: Vec<bool> = events.times.iter().map(|&t| t > since).collect();
                    let mut k = keep.iter();
                    events.senders.retain(|_| *k.next().expect("one per event"));
                    events.times.retain(|&t| t > since);
                }
            }
            if self.ranks.as_ref().is_some_and(|r| r.rank() != 0) {
                continue;
            }
            let steps = p.time_in_steps.then(|| self.net.resolution().h());
            write_dat(&path, &events, steps)
                .map_err(|e| EngineError::Io(path.display().to_string(), e.to_string()))?;
            written.push(path);
        }
        Ok(written)
    }
}
