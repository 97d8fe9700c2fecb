//! Weighted rows: the storage form for projections whose weights or delays
//! are drawn per synapse (`nest.random` in a `syn_spec`).
//!
//! The targets are encoded rows ([`EncodedRows`], about a byte each); beside
//! them, in the same order, each synapse's delay in steps (a byte while every
//! delay of the store fits one, else two) and its weight as an `f32`, where
//! they are drawn per synapse. A synapse of the cortical microcircuit (both
//! drawn) so costs about 6 bytes; NEST holds a double and more.
//!
//! An `f32` weight is NEST's double rounded to 24 significant bits (a
//! relative error below 6e-8): weights given as numbers are never held so,
//! they stay the projection's one exact value.
//!
//! A receptor type drawn per synapse (`nest.random.uniform_int(n) + 1`) is
//! held as a byte beside them; such a synapse writes into its receptor's
//! port of the target ([`InputRing::add_port`]).

use spindle_core::Step;
use spindle_core::cache::prefetch;
use spindle_models::InputRing;

use super::rows::{EncodedRows, row_offsets};
use super::{Channel, SynapseStore};

/// Each synapse's delay in steps, as narrow as the longest allows.
#[derive(Debug, Clone)]
enum Delays {
    /// The projection's one delay (added by the caller).
    Fixed,
    /// Delays below 256 steps.
    Narrow(Vec<u8>),
    /// Delays below 65,536 steps.
    Wide(Vec<u16>),
}

impl Delays {
    fn set(&mut self, i: usize, d: Step) {
        match self {
            Delays::Fixed => {}
            Delays::Narrow(v) => {
                if let Ok(b) = u8::try_from(d) {
                    v[i] = b;
                } else {
                    let mut wide: Vec<u16> = v.iter().map(|&b| u16::from(b)).collect();
                    wide[i] = d as u16;
                    *self = Delays::Wide(wide);
                }
            }
            Delays::Wide(v) => v[i] = d as u16,
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> Step {
        match self {
            Delays::Fixed => 0,
            Delays::Narrow(v) => Step::from(v[i]),
            Delays::Wide(v) => Step::from(v[i]),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Delays::Fixed => 0,
            Delays::Narrow(v) => v.len(),
            Delays::Wide(v) => v.len() * 2,
        }
    }
}

/// The longest delay a synapse may have in this form [steps].
pub const MAX_DELAY: Step = u16::MAX as Step;

/// One value of a synapse, as the build draws it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Weight [pA] (ignored where the weight is the projection's).
    pub weight: f64,
    /// Delay [steps] (ignored where the delay is the projection's); at most
    /// [`MAX_DELAY`].
    pub delay: Step,
    /// Receptor type, 1-based (ignored where the projection's is one for
    /// all).
    pub receptor: u8,
}

/// Calls its argument with (source index, local target, drawn values) for
/// every synapse; values are drawn only when the flag is set (the first
/// pass only counts).
pub(crate) type EachDrawn<'a> = dyn FnMut(bool, &mut dyn FnMut(usize, u32, Drawn)) + 'a;

/// Targets as encoded rows, with per-synapse delays and weights.
#[derive(Debug, Clone)]
pub struct WeightedRows {
    rows: EncodedRows,
    /// Index of each source's first synapse (and the end).
    first: Vec<u64>,
    delays: Delays,
    weights: Option<Vec<f32>>,
    max_delay: Step,
    /// Each synapse's receptor type, where drawn per synapse.
    receptors: Option<Vec<u8>>,
}

impl WeightedRows {
    /// Draw and store the synapses `each` emits: per-synapse delays where
    /// `delays`, weights where `weights`.
    #[allow(dead_code)]
    pub(super) fn build(
        sources: usize,
        delays: bool,
        weights: bool,
        each: &mut EachDrawn<'_>,
    ) -> (Self, u64) {
        Self::build_with(sources, delays, weights, false, each)
    }

    /// As [`build`](Self::build), with per-synapse receptor types where
    /// `receptors`.
    pub(super) fn build_with(
        sources: usize,
        delays: bool,
        weights: bool,
        receptors: bool,
        each: &mut EachDrawn<'_>,
    ) -> (Self, u64) {
        let mut first = vec![0u64; sources + 1];
        let (offsets, synapses) = row_offsets(sources, &mut |emit| {
            each(false, &mut |s, l, _| {
                first[s + 1] += 1;
                emit(s, l)
            })
        });
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let n = synapses as usize;
        let mut store = Self {
            rows: EncodedRows::default(),
            first,
            delays: if delays {
                Delays::Narrow(vec![0; n])
            } else {
                Delays::Fixed
            },
            weights: weights.then(|| vec![0.0; n]),
            max_delay: 0,
            receptors: receptors.then(|| vec![0; n]),
        };
        let mut cursor = store.first.clone();
        let (slots, values, max_delay) =
            (&mut store.delays, &mut store.weights, &mut store.max_delay);
        let ports = &mut store.receptors;
        store.rows = EncodedRows::build(offsets, &mut |emit| {
            each(true, &mut |s, l, v| {
                let i = cursor[s] as usize;
                cursor[s] += 1;
                slots.set(i, v.delay);
                *max_delay = (*max_delay).max(v.delay);
                if let Some(w) = values.as_mut() {
                    w[i] = v.weight as f32;
                }
                if let Some(r) = ports.as_mut() {
                    r[i] = v.receptor;
                }
                emit(s, l)
            })
        });
        if !delays {
            store.max_delay = 0;
        }
        (store, synapses)
    }

    /// The longest per-synapse delay held [steps] (0 without them).
    pub fn max_delay(&self) -> Step {
        self.max_delay
    }

    /// Estimated bytes for `synapses` synapses from `sources` onto
    /// `targets`, with per-synapse delays (counted at one byte) where
    /// `delays` and weights where `weights`. Saturating.
    pub fn estimate(sources: u64, synapses: u64, targets: u64, delays: bool, weights: bool) -> u64 {
        let per = u64::from(delays) + 4 * u64::from(weights);
        EncodedRows::estimate(sources, synapses, targets)
            .saturating_add(sources.saturating_add(1).saturating_mul(8))
            .saturating_add(synapses.saturating_mul(per))
    }
}

impl SynapseStore for WeightedRows {
    #[inline(always)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        let row = self.rows.row(s);
        if row.is_empty() {
            return 0;
        }
        let base = self.first[s] as usize;
        let mut j = base;
        if let Some(r) = &self.receptors {
            return self.deliver_to_ports(ring, arrival, s, r, channel);
        }
        match (&self.weights, channel) {
            (Some(w), Channel::Port { port, .. }) => row.for_each(|t| {
                ring.add_port(
                    arrival + self.delays.get(j),
                    t,
                    port as usize,
                    f64::from(w[j]),
                );
                j += 1;
            }),
            (Some(w), _) => row.for_each(|t| {
                ring.add(arrival + self.delays.get(j), t, f64::from(w[j]));
                j += 1;
            }),
            (None, Channel::Count(g)) => row.for_each(|t| {
                ring.add_count(g as usize, arrival + self.delays.get(j), t);
                j += 1;
            }),
            (None, Channel::Weight(w)) => row.for_each(|t| {
                ring.add(arrival + self.delays.get(j), t, w);
                j += 1;
            }),
            (None, Channel::Port { port, weight }) => row.for_each(|t| {
                ring.add_port(arrival + self.delays.get(j), t, port as usize, weight);
                j += 1;
            }),
        }
    }

    #[inline]
    fn prefetch_offsets(&self, s: usize) {
        self.rows.prefetch_offsets(s);
        if s < self.first.len() {
            prefetch(self.first.as_ptr().wrapping_add(s));
        }
    }

    #[inline]
    fn prefetch(&self, s: usize) {
        self.rows.prefetch(s);
        if let (Some(w), Some(&i)) = (&self.weights, self.first.get(s)) {
            prefetch(w.as_ptr().wrapping_add(i as usize));
        }
    }

    fn targets(&self, s: usize, out: &mut Vec<u32>) {
        self.rows.targets(s, out);
    }

    fn bytes(&self) -> usize {
        self.rows.bytes()
            + self.first.len() * size_of::<u64>()
            + self.delays.bytes()
            + self
                .weights
                .as_ref()
                .map_or(0, |w| w.len() * size_of::<f32>())
            + self.receptors.as_ref().map_or(0, Vec::len)
    }
}

impl WeightedRows {
    /// Deliver source `s`'s spike where each synapse has its own receptor
    /// type `receptors[j]`: onto port `receptors[j] - 1` of its target,
    /// with its own weight or the projection's (`channel`'s).
    #[inline(never)]
    fn deliver_to_ports(
        &self,
        ring: &mut InputRing,
        arrival: Step,
        s: usize,
        receptors: &[u8],
        channel: Channel,
    ) -> u64 {
        let fixed = match channel {
            Channel::Weight(w) | Channel::Port { weight: w, .. } => w,
            Channel::Count(_) => unreachable!("drawn receptor types are not counted"),
        };
        let mut j = self.first[s] as usize;
        self.rows.row(s).for_each(|t| {
            let w = self.weights.as_ref().map_or(fixed, |w| f64::from(w[j]));
            let port = usize::from(receptors[j]) - 1;
            ring.add_port(arrival + self.delays.get(j), t, port, w);
            j += 1;
        })
    }

    /// Each synapse's receptor type of source index `s`, in stored order,
    /// where drawn per synapse.
    pub fn receptors(&self, s: usize) -> Option<Vec<u32>> {
        let r = self.receptors.as_ref()?;
        let (Some(&lo), Some(&hi)) = (self.first.get(s), self.first.get(s + 1)) else {
            return Some(Vec::new());
        };
        Some(
            r[lo as usize..hi as usize]
                .iter()
                .map(|&x| u32::from(x))
                .collect(),
        )
    }

    /// Source index `s`'s synapses as (local target, delay, weight), in
    /// stored order; the weight is `None` where it is the projection's.
    pub fn synapses(&self, s: usize) -> Vec<(u32, Step, Option<f64>)> {
        let mut out = Vec::new();
        let mut j = self.first.get(s).copied().unwrap_or(0) as usize;
        self.rows.row(s).for_each(|t| {
            let w = self.weights.as_ref().map(|w| f64::from(w[j]));
            out.push((t as u32, self.delays.get(j), w));
            j += 1;
        });
        out
    }
}
