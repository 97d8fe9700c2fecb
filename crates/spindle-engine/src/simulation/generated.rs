//! Generators connected straight to a `spike_recorder`: NEST's recorder
//! receives what the generator sends it as to any target, so a
//! `poisson_generator` sends it a train of its own and a
//! `spike_generator` its spikes. They reach no neuron, so the engine
//! draws them after each run, on the first shard of rank 0, into the
//! recorder's events.

use spindle_core::rng::{Purpose, stream_state};
use spindle_core::{NodeId, Step};
use spindle_models::devices::window_steps;
use spindle_models::poisson::PoissonSampler;
use spindle_models::sources::{Shared, Train};
use spindle_network::{DeviceConnection, NodeKind};

use super::{Simulation, SourceSample};
use crate::EngineError;

impl Simulation {
    /// Record into their recorders what generators connected to spike
    /// recorders sent in steps `from..to`.
    pub(super) fn record_generators(&mut self, from: Step, to: Step) -> Result<(), EngineError> {
        if self.ranks.as_ref().is_some_and(|r| r.rank() != 0) || self.shards.is_empty() {
            return Ok(());
        }
        let res = self.net.resolution();
        let mut sent: Vec<(usize, Step, NodeId, u64)> = Vec::new();
        for c in self.net.device_connections() {
            let DeviceConnection::SpikeRecorder {
                recorder,
                sources,
                port,
                ..
            } = c
            else {
                continue;
            };
            let r = self.port_index(*recorder, *port)?;
            for generator in sources.iter() {
                match self.net.node(generator) {
                    Some(NodeKind::PoissonGenerator(p)) => {
                        // NEST draws a count for each target in every
                        // step the generator is active; this recorder's
                        // counts come from a stream of its own.
                        let (t_min, t_max) = window_steps(p.start, p.stop, p.origin, res);
                        let sampler = PoissonSampler::new(res.h() * p.rate * 1e-3);
                        let state = self
                            .generator_streams
                            .entry((generator, *recorder))
                            .or_insert_with(|| {
                                let s = stream_state(
                                    self.net.seed(),
                                    Purpose::Poisson,
                                    generator as u64,
                                    *recorder as u64,
                                );
                                s.map(|w| [w])
                            });
                        if p.rate <= 0.0 {
                            continue;
                        }
                        for step in from.max(t_min + 1)..to.min(t_max.saturating_add(1)) {
                            let k = sampler.sample(state);
                            if k > 0 {
                                sent.push((r, step, generator, k));
                            }
                        }
                    }
                    Some(NodeKind::SpikeSource(p)) => {
                        let shared = self
                            .source_shared
                            .entry(generator)
                            .or_insert_with(|| Shared::new(self.net.seed(), generator));
                        let plan = p.plan(shared, from, to, res);
                        let train = self
                            .source_trains
                            .entry((generator, *recorder))
                            .or_insert_with(|| {
                                Train::new(self.net.seed(), generator, u64::from(*recorder))
                            });
                        let mut drawn = Vec::new();
                        plan.spikes(train, &mut drawn);
                        sent.extend(drawn.into_iter().map(|(s, k)| (r, s, generator, k)));
                    }
                    Some(NodeKind::SpikeGenerator(p)) => {
                        let spikes = p
                            .spikes(res, 0)
                            .map_err(spindle_network::NetworkError::from)?;
                        for s in spikes {
                            let step = s.stamp - 1;
                            if (from..to).contains(&step) && s.multiplicity > 0 {
                                sent.push((r, step, generator, s.multiplicity));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let first = &mut self.shards[0];
        for (r, step, generator, k) in sent {
            first.record(r, step, generator, k);
        }
        self.sample_sources(from, to);
        Ok(())
    }

    /// Sample into their multimeters the rates of the sources they record
    /// from, in steps `from..to`, as NEST's multimeter samples a neuron:
    /// at the end of every `interval`-th step.
    fn sample_sources(&mut self, from: Step, to: Step) {
        let res = self.net.resolution();
        for c in self.net.device_connections() {
            let DeviceConnection::Multimeter { meter, targets } = c else {
                continue;
            };
            let Some(NodeKind::Multimeter(m)) = self.net.node(*meter) else {
                continue;
            };

            for generator in targets.iter() {
                let Some(NodeKind::SpikeSource(p)) = self.net.node(generator) else {
                    continue;
                };
                let rates = p.recorded_rates(from, to, res);
                for (step, &rate) in (from..to).zip(&rates) {
                    if m.samples(step, res) {
                        let values = m.record_from.iter().map(|_| rate).collect();
                        self.source_samples.push(SourceSample {
                            meter: *meter,
                            sender: generator,
                            step,
                            values,
                        });
                    }
                }
            }
        }
    }
}
