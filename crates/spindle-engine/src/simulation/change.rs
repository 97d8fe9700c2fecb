//! Changes between runs, as NEST allows them between `Simulate` calls:
//! parameters of neurons and devices, state variables, and recorders
//! emptied. Nodes and connections are fixed once a run has started.

use spindle_core::NodeId;
use spindle_network::{DeviceConnection, Network, NetworkError, NodeKind};

use super::Simulation;
use crate::EngineError;

impl Simulation {
    /// Take the parameters of `net`, this simulation's network with
    /// parameters of neurons or devices changed (by `set`), for the runs
    /// to come; the neurons' state and the recorded events are kept. All
    /// or nothing: a change this simulation cannot make changes nothing.
    pub fn change(&mut self, net: Network) -> Result<(), EngineError> {
        self.check_same_structure(&net)?;
        let neurons: Vec<_> = self.shards.iter().map(|s| s.neuron_changes(&net)).collect();
        let runs = self.net.node_runs().iter().zip(net.node_runs());
        for ((c, old), (_, new)) in runs {
            if old == new {
                continue;
            }
            // Its window and label may change; what its probes sample not.
            if let (NodeKind::Multimeter(a), NodeKind::Multimeter(b)) = (old, new)
                && a.window != b.window
            {
                // Samples taken so far keep the window they were taken in.
                self.meter_windows
                    .entry(c.first())
                    .or_default()
                    .push((self.now, a.window));
            }
            if let (NodeKind::Multimeter(a), NodeKind::Multimeter(b)) = (old, new)
                && (a.interval, &a.record_from, a.offset) != (b.interval, &b.record_from, b.offset)
            {
                return Err(EngineError::Config(format!(
                    "multimeter {}: Spindle sets its interval and record_from before the first \
                     Simulate only",
                    c.first()
                )));
            }
        }
        let res = net.resolution();
        for (shard, changes) in self.shards.iter_mut().zip(neurons) {
            shard.change_neurons(changes, res);
        }
        // New weights of Poisson generators' connections: every shard
        // holds one drive per such connection, in their order; draws go on
        // as they were, whatever the weight.
        let poisson = |c: &&DeviceConnection| matches!(c, DeviceConnection::Poisson { .. });
        let drives = self.net.device_connections().iter().filter(poisson);
        for (d, (old, new)) in drives
            .zip(net.device_connections().iter().filter(poisson))
            .enumerate()
        {
            if let (
                DeviceConnection::Poisson { weight: a, .. },
                DeviceConnection::Poisson { weight: b, .. },
            ) = (old, new)
                && a != b
            {
                self.shards
                    .iter_mut()
                    .for_each(|s| s.set_poisson_weight(d, *b));
            }
        }
        let runs = self.net.node_runs().iter().zip(net.node_runs());
        for ((c, old), (_, new)) in runs {
            if old == new {
                continue;
            }
            let id = c.first();
            match new {
                NodeKind::PoissonGenerator(p) => {
                    self.shards
                        .iter_mut()
                        .for_each(|s| s.set_poisson(id, p, res));
                }
                NodeKind::DcGenerator(_)
                | NodeKind::StepCurrentGenerator(_)
                | NodeKind::AcGenerator(_)
                | NodeKind::NoiseGenerator(_) => {
                    let now = self.now;
                    self.shards
                        .iter_mut()
                        .for_each(|s| s.set_current(id, new, res, now));
                }
                NodeKind::SpikeGenerator(p) => {
                    let spikes = p.spikes(res, self.now).map_err(NetworkError::from)?;
                    for s in &mut self.shards {
                        s.set_spike_times(&net, id, &spikes, &self.partition, self.now);
                    }
                }
                NodeKind::SpikeRecorder(p) => {
                    let r = self.recorder_index(id)?;
                    let stores = p.record_to != spindle_models::devices::RecordTo::None;
                    let window = p.window.steps(res);
                    self.shards
                        .iter_mut()
                        .for_each(|s| s.set_stores(r, stores, window));
                }
                NodeKind::CorrelationDetector(p) => {
                    // NEST starts its histograms afresh when their
                    // parameters change.
                    let reset = match self.net.node(id) {
                        Some(NodeKind::CorrelationDetector(old)) => {
                            (old.delta_tau, old.tau_max, old.t_start, old.t_stop)
                                != (p.delta_tau, p.tau_max, p.t_start, p.t_stop)
                        }
                        _ => false,
                    };
                    let window = p.window.steps(res);
                    let in_flight = super::in_flight(&self.net, self.last_slice);
                    for port in 0..2 {
                        let r = self.port_index(id, port)?;
                        for s in &mut self.shards {
                            s.set_stores(r, true, window);
                            if reset {
                                s.clear_recorder_but(r, &in_flight);
                            }
                        }
                    }
                }
                // Sources draw run by run from the network's parameters.
                NodeKind::SpikeSource(_) => {}
                // Its filters are read with its events.
                NodeKind::Neuron { .. } | NodeKind::Multimeter(_) | NodeKind::WeightRecorder(_) => {
                }
            }
        }
        self.net = net;
        Ok(())
    }

    /// Set state variable `name` (one of its model's
    /// `state_params`) of neuron `id`, as NEST's `set` does between runs.
    /// On MPI ranks, only the rank owning the neuron changes anything.
    pub fn set_state(&mut self, id: NodeId, name: &str, value: f64) -> Result<(), EngineError> {
        let Some(NodeKind::Neuron { model, .. }) = self.net.node(id) else {
            return Err(EngineError::Config(format!("node {id} is not a neuron")));
        };
        let model = *model;
        let (shard, local) = self.partition.locate(id).expect("a neuron");
        let Some(s) = shard
            .checked_sub(self.first_shard)
            .and_then(|s| self.shards.get_mut(s))
        else {
            return Ok(());
        };
        s.set_state(local, name, value)
            .map_err(|error| spindle_network::NetworkError::Param {
                model: model.name(),
                error,
            })?;
        Ok(())
    }

    /// Recordable `name` of neuron `id` now, or the state variable of
    /// that name its population keeps besides (`iaf_tum_2000`'s `x`, `y`,
    /// `u`): `None` where the model has neither or another rank owns the
    /// neuron.
    pub fn recordable(&self, id: NodeId, name: &str) -> Option<f64> {
        let params = self.net.neuron_params(id)?;
        let r = params
            .model()
            .recordables_for(params.values())
            .iter()
            .position(|r| r.name == name);
        let (shard, local) = self.partition.locate(id)?;
        let s = self.shards.get(shard.checked_sub(self.first_shard)?)?;
        match r {
            Some(r) => Some(s.recordable(local, r)),
            None => s.state(local, name),
        }
    }

    /// Forget the events recorder `id` (a spike recorder or multimeter)
    /// holds: NEST's `n_events = 0`.
    pub fn clear_events(&mut self, id: NodeId) -> Result<(), EngineError> {
        match self.net.node(id) {
            Some(NodeKind::SpikeRecorder(_)) => {
                let r = self.recorder_index(id)?;
                self.shards.iter_mut().for_each(|s| s.clear_recorder(r));
            }
            Some(NodeKind::CorrelationDetector(_)) => {
                let in_flight = super::in_flight(&self.net, self.last_slice);
                for port in 0..2 {
                    let r = self.port_index(id, port)?;
                    self.shards
                        .iter_mut()
                        .for_each(|s| s.clear_recorder_but(r, &in_flight));
                }
            }
            Some(NodeKind::WeightRecorder(_)) => {
                let r = self.weight_recorder_index(id)? as u32;
                self.shards
                    .iter_mut()
                    .for_each(|s| s.weight_samples.retain(|w| w.recorder != r));
            }
            Some(NodeKind::Multimeter(_)) => {
                // Those of the last slice are not the multimeter's yet.
                let (probes, before) = (&self.devices.probes, self.last_slice);
                // Samples other meters read too stay: this one reads on
                // from `before`.
                let mut shared = vec![false; probes.len()];
                for (q, &p) in self.devices.primary.iter().enumerate() {
                    if p as usize != q {
                        shared[p as usize] = true;
                    }
                }
                self.meter_cleared.insert(id, before);
                let drop = |p: u32, step| {
                    probes[p as usize].0 == id && step < before && !shared[p as usize]
                };
                self.shards.iter_mut().for_each(|s| s.clear_samples(drop));
                self.source_samples
                    .retain(|s| s.meter != id || s.step >= before);
            }
            _ => {
                return Err(EngineError::Config(format!("node {id} is not a recorder")));
            }
        }
        Ok(())
    }

    /// Refuse a description with other nodes, connections, resolution or
    /// seed than this simulation's.
    fn check_same_structure(&self, net: &Network) -> Result<(), EngineError> {
        let old = &self.net;
        let same_nodes = old.node_runs().len() == net.node_runs().len()
            && old
                .node_runs()
                .iter()
                .zip(net.node_runs())
                .all(|((a, x), (b, y))| {
                    a == b
                        && std::mem::discriminant(x) == std::mem::discriminant(y)
                        && (!x.is_neuron() || x == y)
                });
        let why = if !same_nodes {
            "create nodes"
        } else if old.projections() != net.projections()
            || old.device_connections().len() != net.device_connections().len()
            || old
                .device_connections()
                .iter()
                .zip(net.device_connections())
                .any(|(a, b)| !same_but_poisson_weight(a, b))
        {
            "connect nodes"
        } else if old.resolution() != net.resolution() {
            "change the resolution"
        } else if old.seed() != net.seed() {
            "change rng_seed"
        } else if old.min_delay()? != net.min_delay()? {
            "change min_delay"
        } else {
            return Ok(());
        };
        Err(EngineError::Config(format!(
            "Spindle cannot {why} after Simulate; call ResetKernel first"
        )))
    }
}

/// Whether device connections `a` and `b` are the same but (for a Poisson
/// generator's) the weight, which may change between runs.
fn same_but_poisson_weight(a: &DeviceConnection, b: &DeviceConnection) -> bool {
    match (a, b) {
        (
            DeviceConnection::Poisson {
                generator,
                targets,
                delay,
                receptor,
                ..
            },
            DeviceConnection::Poisson {
                generator: g,
                targets: t,
                delay: d,
                receptor: r,
                ..
            },
        ) => (generator, targets, delay, receptor) == (g, t, d, r),
        _ => a == b,
    }
}
