//! Plastic rows: the storage form of projections whose weights change
//! with each presynaptic spike (STDP synapses, `crate::plasticity`).
//!
//! The targets of each source are an encoded row ([`EncodedRows`], about
//! a byte per synapse), and beside it each synapse's weight as an `f64`,
//! in the row's order: NEST's rules compute in doubles, and a weight
//! rounded to `f32` after each update would drift from NEST's by 6e-8
//! relative per spike, so exactness costs 8 bytes per synapse; with the
//! row that is about 9 bytes per synapse (NEST: 24 in its compact kernel).
//!
//! What the rule needs besides the weight, the presynaptic trace `Kplus`
//! and the time of the last presynaptic spike, is held once per source,
//! not per synapse: NEST keeps both per connection, but they change only
//! at the source's spikes and by the same expression for every
//! connection of one projection (one `tau_plus`; the spike time is the
//! spike's, whatever the delay), so they are equal across the source's
//! synapses at all times.
//!
//! Delivery of a spike walks the row and the weights once, in order (a
//! streaming pass like the static forms'), reading each target's
//! [`SpikeArchive`] as NEST's `send` reads its `ArchivingNode`.

use spindle_core::Step;
use spindle_models::InputRing;

use super::rows::{EncodedRows, row_offsets};
use super::{Channel, SynapseStore};
use crate::archive::SpikeArchive;
use crate::plasticity::StdpRule;

/// Each source's targets, with each synapse's weight and the source's
/// presynaptic trace.
#[derive(Debug, Clone)]
pub struct PlasticRows {
    rows: EncodedRows,
    /// Source `s`'s weights are `weights[first[s]..first[s + 1]]`.
    first: Vec<u64>,
    weights: Vec<f64>,
    /// `Kplus` of each source.
    kplus: Vec<f64>,
    /// The time of each source's last spike [ms] (NEST's `t_lastspike`).
    t_last: Vec<f64>,
    /// A short-term rule's (`u`, `x`, `y`) of each source (empty for STDP).
    short_term: Vec<[f64; 3]>,
    rule: StdpRule,
    /// The delay [ms], all of it dendritic as in NEST's STDP synapses.
    delay_ms: f64,
    /// Whether the targets count spikes (parrots): each event then adds
    /// 1, whatever the weight.
    counted: bool,
}

/// Calls its argument with (source index, local target, weight) for every
/// synapse, in the same order each time.
pub(crate) type EachWeighted<'a> = dyn FnMut(&mut dyn FnMut(usize, u32, f64)) + 'a;

impl PlasticRows {
    /// Hold the synapses `each` gives (twice: once to size the rows,
    /// once to fill them), under `rule`, with delay `delay_ms`.
    pub(super) fn build(
        sources: usize,
        rule: StdpRule,
        delay_ms: f64,
        each: &mut EachWeighted<'_>,
    ) -> (Self, u64) {
        // Sizing the rows also counts each source's synapses; filling
        // them places the weights, in the order `each` gives.
        let mut first = vec![0u64; sources + 1];
        let (offsets, synapses) = {
            let mut pass = |emit: &mut dyn FnMut(usize, u32)| {
                each(&mut |s, t, _| {
                    first[s + 1] += 1;
                    emit(s, t)
                })
            };
            row_offsets(sources, &mut pass)
        };
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let mut weights = vec![0.0; synapses as usize];
        let mut cursor = first.clone();
        let rows = {
            let mut pass = |emit: &mut dyn FnMut(usize, u32)| {
                each(&mut |s, t, w| {
                    weights[cursor[s] as usize] = w;
                    cursor[s] += 1;
                    emit(s, t)
                })
            };
            EncodedRows::build(offsets, &mut pass)
        };
        let (start, t0) = rule.short_term_start();
        let short_term = if rule.is_short_term() {
            vec![start; sources]
        } else {
            Vec::new()
        };
        let store = Self {
            rows,
            first,
            weights,
            kplus: vec![0.0; sources],
            t_last: vec![t0; sources],
            short_term,
            rule,
            delay_ms,
            counted: false,
        };
        (store, synapses)
    }

    /// Estimated bytes of `sources` rows holding `synapses` synapses onto
    /// `targets` neurons.
    pub fn estimate(sources: u64, synapses: u64, targets: u64) -> u64 {
        EncodedRows::estimate(sources, synapses, targets)
            .saturating_add(synapses.saturating_mul(8))
            .saturating_add(sources.saturating_mul(24))
    }

    /// These rows with targets that count spikes (parrot neurons): an
    /// event adds 1 to the ring, the weight still changing as NEST's does.
    pub fn counting(mut self, counted: bool) -> Self {
        self.counted = counted;
        self
    }

    /// The rule.
    pub fn rule(&self) -> &StdpRule {
        &self.rule
    }

    /// The delay [ms].
    pub fn delay_ms(&self) -> f64 {
        self.delay_ms
    }

    /// Tell each target's archive about its synapses (NEST's
    /// `register_stdp_connection` at `Connect`: a new connection's last
    /// spike is at 0 ms).
    pub fn register(&self, archives: &mut [SpikeArchive]) {
        for s in 0..self.kplus.len() {
            let first_read = self.t_last[s] - self.delay_ms;
            self.rows
                .row(s)
                .for_each(|t| archives[t].register(first_read, self.delay_ms));
        }
    }

    /// Source `s`'s targets and weights, in stored order.
    pub fn synapses(&self, s: usize) -> (Vec<u32>, &[f64]) {
        (self.rows.row(s).to_vec(), self.weights_of(s))
    }

    fn range(&self, s: usize) -> std::ops::Range<usize> {
        match self.first.get(s..s + 2) {
            Some(&[lo, hi]) => lo as usize..hi as usize,
            _ => 0..0,
        }
    }

    fn weights_of(&self, s: usize) -> &[f64] {
        &self.weights[self.range(s)]
    }

    /// Source `s`'s weights, in stored order, to change.
    pub fn weights_mut(&mut self, s: usize) -> &mut [f64] {
        let r = self.range(s);
        &mut self.weights[r]
    }

    /// Deliver a spike of source `s` sent at `t_spike` [ms] (its stamp),
    /// arriving at step `arrival`: per synapse, in stored order, NEST's
    /// `send` (facilitation for each postsynaptic spike since the
    /// source's last one, depression by the postsynaptic trace, the new
    /// weight into `ring`), then the source's trace. With `log`, each
    /// synapse's (local target, new weight) is appended to it (for a
    /// `weight_recorder`). Returns the events written.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_plastic(
        &mut self,
        ring: &mut InputRing,
        archives: &mut [SpikeArchive],
        arrival: Step,
        t_spike: f64,
        s: usize,
        channel: Channel,
        mut log: Option<&mut Vec<(u32, f64)>>,
    ) -> u64 {
        let Some(&t_last) = self.t_last.get(s) else {
            return 0;
        };
        if self.rule.is_short_term() {
            return self.deliver_short_term(ring, arrival, t_spike, s, channel, log);
        }
        let (rule, d, counted) = (self.rule, self.delay_ms, self.counted);
        let kplus = self.kplus[s];
        let r = self.range(s);
        let weights = &mut self.weights[r];
        let mut k = 0;
        let events = self.rows.row(s).for_each(|t| {
            let archive = &mut archives[t];
            let mut w = weights[k];
            for e in archive.history(t_last - d, t_spike - d) {
                let minus_dt = t_last - (e.t + d);
                w = rule.facilitate(w, kplus * rule.plus_decay(minus_dt));
            }
            w = rule.depress(w, archive.k_value(t_spike - d));
            weights[k] = w;
            k += 1;
            if let Some(log) = log.as_deref_mut() {
                log.push((t as u32, w));
            }
            let w = if counted { 1.0 } else { w };
            add(ring, channel, arrival, t, w);
        });
        self.kplus[s] = kplus * rule.plus_decay(t_last - t_spike) + 1.0;
        self.t_last[s] = t_spike;
        events
    }
}

/// Write `w` for local target `t` at step `arrival` into `ring`, on the
/// channel's port where it has one.
#[inline(always)]
fn add(ring: &mut InputRing, channel: Channel, arrival: Step, t: usize, w: f64) {
    match channel {
        Channel::Port { port, .. } => ring.add_port(arrival, t, port as usize, w),
        _ => ring.add(arrival, t, w),
    }
}

impl PlasticRows {
    /// A short-term rule's delivery: the source's state advances once,
    /// and every synapse sends its weight scaled by it (NEST's `send`,
    /// whose expressions do not depend on the target).
    fn deliver_short_term(
        &mut self,
        ring: &mut InputRing,
        arrival: Step,
        t_spike: f64,
        s: usize,
        channel: Channel,
        mut log: Option<&mut Vec<(u32, f64)>>,
    ) -> u64 {
        let factor = self
            .rule
            .short_term_send(&mut self.short_term[s], self.t_last[s], t_spike);
        self.t_last[s] = t_spike;
        let counted = self.counted;
        let r = self.range(s);
        let weights = &self.weights[r];
        let mut k = 0;
        self.rows.row(s).for_each(|t| {
            let w = factor * weights[k];
            k += 1;
            if let Some(log) = log.as_deref_mut() {
                log.push((t as u32, w));
            }
            let w = if counted { 1.0 } else { w };
            add(ring, channel, arrival, t, w);
        })
    }
}

impl SynapseStore for PlasticRows {
    /// Writes the current weights without changing them (what a static
    /// synapse would do): plastic delivery is
    /// [`deliver_plastic`](PlasticRows::deliver_plastic). Kept out of line,
    /// so that the static forms' dispatch compiles as it did without it.
    #[cold]
    #[inline(never)]
    fn deliver(&self, ring: &mut InputRing, arrival: Step, s: usize, channel: Channel) -> u64 {
        let weights = self.weights_of(s);
        let mut k = 0;
        self.rows.row(s).for_each(|t| {
            let w = weights[k];
            k += 1;
            add(ring, channel, arrival, t, w);
        })
    }

    #[cold]
    #[inline(never)]
    fn prefetch_offsets(&self, s: usize) {
        self.rows.prefetch_offsets(s);
    }

    #[cold]
    #[inline(never)]
    fn prefetch(&self, s: usize) {
        self.rows.prefetch(s);
    }

    fn targets(&self, s: usize, out: &mut Vec<u32>) {
        self.rows.targets(s, out);
    }

    fn bytes(&self) -> usize {
        self.rows.bytes()
            + (self.first.len() + self.weights.len() + self.kplus.len() + self.t_last.len()) * 8
            + self.short_term.len() * 24
    }
}
