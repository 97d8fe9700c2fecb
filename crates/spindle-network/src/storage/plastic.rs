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
//! Delivery of a spike through STDP synapses makes passes over the row
//! and its weights, in order (streaming passes like the static forms'):
//! it reads each target's [`SpikeArchive`] as NEST's `send` reads its
//! `ArchivingNode` (every target's trace and the postsynaptic spikes in
//! the synapse's window, from the newest spikes that the archive's cache
//! line holds, or from the target's history where the window reaches
//! further back), then facilitates the synapses
//! that read postsynaptic spikes, raising their powers together (four per
//! vector instruction, the C library's bits: `spindle_models::libm_pow`),
//! then depresses each synapse and sends its event. Each synapse's
//! operations are NEST's, in NEST's order.
//!
//! `quantal_stp_synapse` adds each synapse's available release sites `a`
//! ([`Sites`]): one byte per synapse where `a`'s range (from its start and
//! `n`) spans at most 256 values, as any realistic `n` does, else four;
//! about 10 bytes per synapse in all (NEST: 64). Its `u` and last spike
//! time are the source's, as `tsodyks2_synapse`'s. Which sites recover and
//! release is drawn from a stream keyed by the synapse (projection, source,
//! target and its place among that pair's multapses) and the spike's time,
//! so the draws are the same on any number of threads and processes, and
//! no generator state is held per synapse.

use spindle_core::rng::{Purpose, binomial, mix, stream};
use spindle_core::{NodeId, Step};
use spindle_models::InputRing;
use spindle_models::libm_exp::{ExpPath, exp_each};
use spindle_models::libm_pow::{PowPath, pow_each};

use super::rows::{EncodedRows, row_offsets};
use super::{Channel, SynapseStore};
use crate::archive::{RECENT, SpikeArchive, k_values};
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
    /// A short-term rule's (`u`, `x`, `y`) of each source (empty for STDP;
    /// `quantal_stp_synapse`: `u` only).
    short_term: Vec<[f64; 3]>,
    /// `quantal_stp_synapse`'s available sites of each synapse, in the
    /// weights' order (empty for the other rules).
    sites: Sites,
    /// Whether every row lists its targets in ascending order, so that a
    /// pair's multapses are neighbours (`quantal_stp_synapse`'s keys).
    ascending: bool,
    /// The seed and projection index the quantal draws are keyed by.
    seed: u64,
    projection: u32,
    rule: StdpRule,
    /// The delay [ms], all of it dendritic as in NEST's STDP synapses.
    delay_ms: f64,
    /// Whether the targets count spikes (parrots): each event then adds
    /// 1, whatever the weight.
    counted: bool,
    /// Room for one spike's delivery (STDP rules), boxed: most stores
    /// of a shard are not plastic.
    batch: Box<Batch>,
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
        // Where every weight is the same (hpc_benchmark's), the weights
        // are that value throughout, and the filling pass leaves them be:
        // placing them is a write at each source's own position, about
        // half of the build's cache misses.
        let mut first = vec![0u64; sources + 1];
        let (mut same, mut differ) = (None, false);
        let (offsets, synapses) = {
            let mut pass = |emit: &mut dyn FnMut(usize, u32)| {
                each(&mut |s, t, w| {
                    first[s + 1] += 1;
                    let bits = *same.get_or_insert(w.to_bits());
                    differ |= bits != w.to_bits();
                    emit(s, t)
                })
            };
            row_offsets(sources, &mut pass)
        };
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let uniform = same.filter(|_| !differ).map(f64::from_bits);
        let mut weights = vec![uniform.unwrap_or(0.0); synapses as usize];
        let mut cursor = first.clone();
        let rows = {
            let mut pass = |emit: &mut dyn FnMut(usize, u32)| {
                if uniform.is_some() {
                    each(&mut |s, t, _| emit(s, t))
                } else {
                    each(&mut |s, t, w| {
                        weights[cursor[s] as usize] = w;
                        cursor[s] += 1;
                        emit(s, t)
                    })
                }
            };
            EncodedRows::build(offsets, &mut pass)
        };
        let (start, t0) = rule.short_term_start();
        let quantal = matches!(rule, StdpRule::Quantal { .. });
        let short_term = if rule.is_short_term() || quantal {
            vec![start; sources]
        } else {
            Vec::new()
        };
        let (sites, ascending) = match rule {
            StdpRule::Quantal { n, a, .. } => {
                let ascending = (0..sources).all(|s| {
                    let mut prev = 0;
                    let mut up = true;
                    rows.row(s).for_each(|t| {
                        up &= t >= prev;
                        prev = t;
                    });
                    up
                });
                (Sites::new(synapses as usize, n, a), ascending)
            }
            _ => (Sites::default(), true),
        };
        let mut store = Self {
            rows,
            first,
            weights,
            kplus: vec![0.0; sources],
            t_last: vec![t0; sources],
            short_term,
            sites,
            ascending,
            seed: 0,
            projection: 0,
            rule,
            delay_ms,
            counted: false,
            batch: Box::default(),
        };
        store.forget_traces();
        (store, synapses)
    }

    /// Estimated bytes of `sources` rows of `rule` holding `synapses`
    /// synapses onto `targets` neurons.
    pub fn estimate(sources: u64, synapses: u64, targets: u64, rule: &StdpRule) -> u64 {
        let sites = match *rule {
            StdpRule::Quantal { n, a, .. } => Sites::width(n, a) as u64,
            _ => 0,
        };
        EncodedRows::estimate(sources, synapses, targets)
            .saturating_add(synapses.saturating_mul(8 + sites))
            .saturating_add(sources.saturating_mul(24))
    }

    /// These rows with the quantal draws keyed by `seed` and projection
    /// index `projection`.
    pub fn keyed(mut self, seed: u64, projection: u32) -> Self {
        (self.seed, self.projection) = (seed, projection);
        self
    }

    /// `quantal_stp_synapse`'s state of source `s`'s synapses: the
    /// source's `u` and each synapse's `a`, in stored order (`None` for
    /// the other rules).
    pub fn quantal_state(&self, s: usize) -> Option<(f64, Vec<i32>)> {
        if !matches!(self.rule, StdpRule::Quantal { .. }) {
            return None;
        }
        let u = self.short_term.get(s)?[0];
        Some((u, self.range(s).map(|i| self.sites.get(i)).collect()))
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
    /// spike is at 0 ms). Short-term and quantal synapses read no
    /// postsynaptic spikes and NEST registers none: their targets would
    /// archive every spike, never trimmed (`archiver_length` 0 in NEST).
    pub fn register(&self, archives: &mut [SpikeArchive]) {
        if self.rule.is_short_term() || matches!(self.rule, StdpRule::Quantal { .. }) {
            return;
        }
        for s in 0..self.kplus.len() {
            let first_read = self.t_last[s] - self.delay_ms;
            self.rows
                .row(s)
                .for_each(|t| archives[t].register(first_read, self.delay_ms));
        }
    }

    /// Forget the archives' traces remembered by
    /// [`deliver_plastic`](Self::deliver_plastic): to be called once the
    /// archives may have changed (a spike, a registration), before the
    /// next delivery.
    pub fn forget_traces(&mut self) {
        self.batch.table_at = f64::NAN;
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
    /// `weight_recorder`). Returns the events written. `source` is the
    /// source's id and `ids` the global id of each local target (the keys
    /// of `quantal_stp_synapse`'s draws).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_plastic(
        &mut self,
        ring: &mut InputRing,
        archives: &mut [SpikeArchive],
        arrival: Step,
        t_spike: f64,
        s: usize,
        (source, ids): (NodeId, &[NodeId]),
        channel: Channel,
        mut log: Option<&mut Vec<(u32, f64)>>,
    ) -> u64 {
        let Some(&t_last) = self.t_last.get(s) else {
            return 0;
        };
        if self.rule.is_short_term() {
            return self.deliver_short_term(ring, arrival, t_spike, s, channel, log);
        }
        if matches!(self.rule, StdpRule::Quantal { .. }) {
            let key = (source, ids);
            return self.deliver_quantal(ring, arrival, t_spike, s, key, channel, log);
        }
        let (rule, d, counted) = (self.rule, self.delay_ms, self.counted);
        let kplus = self.kplus[s];
        let r = self.range(s);
        let weights = &mut self.weights[r];
        // NEST's `send` per synapse, in three passes over the row, each
        // synapse's steps in NEST's order: the postsynaptic spikes each
        // synapse reads and the trace it is depressed by; the
        // facilitations, many synapses' powers raised together; the
        // depression and the event.
        let batch = &mut self.batch;
        batch.clear();
        self.rows.row(s).for_each(|t| batch.targets.push(t as u32));
        // One pass over the archives, in the row's (ascending) order,
        // which the hardware prefetches: every synapse's trace, and the
        // postsynaptic spikes in its window, which the newest spikes held
        // in the archive's line settle for most synapses without a branch
        // per spike (whether a target spiked since the source's last spike
        // is a coin toss); the others read the target's history.
        let t_read = t_spike - d;
        let (t1, t2) = (t_last - d, t_spike - d);
        let n = batch.targets.len();
        // A row that reaches most of the shard's neurons reads every
        // archive's trace at `t_read` from one sweep, made at the first
        // such row of each spike time.
        let table = 2 * n >= archives.len();
        if table && batch.table_at != t_read {
            let path = ExpPath::detect();
            k_values(
                archives,
                t_read,
                &mut batch.table,
                &mut batch.exponents,
                path,
            );
            batch.table_at = t_read;
        }
        // `kminus` and `dts` keep their length from spike to spike (each
        // spike writes what it reads): zeroing them per spike cost a
        // `memset` of about 140 KB per spike on hpc_benchmark.
        grow(&mut batch.kminus, n);
        batch.jobs.resize(n, (0, 0, 0));
        batch.weights.resize(n, 0.0);
        // Room for every synapse's newest spikes; a history read makes
        // more where it needs it.
        grow(&mut batch.dts, n * RECENT);
        let (mut jobs, mut cursor) = (0, 0);
        for (k, &t) in batch.targets.iter().enumerate() {
            let archive = &mut archives[t as usize];
            batch.kminus[k] = if table {
                batch.table[t as usize]
            } else {
                archive.k_value_at(t_read)
            };
            let mut times = [0.0; RECENT];
            let count = match archive.read_recent(t1, t2, &mut times) {
                Some(count) => {
                    for (dt, &t_post) in batch.dts[cursor..cursor + RECENT].iter_mut().zip(&times) {
                        *dt = t_last - (t_post + d);
                    }
                    count
                }
                None => {
                    let window = archive.history(t1, t2);
                    let room = cursor + window.len() + RECENT * (n - k);
                    grow(&mut batch.dts, room);
                    for (dt, e) in batch.dts[cursor..].iter_mut().zip(window) {
                        *dt = t_last - (e.t + d);
                    }
                    window.len()
                }
            };
            batch.jobs[jobs] = (k as u32, count as u32, cursor as u32);
            batch.weights[jobs] = weights[k];
            cursor += count;
            jobs += usize::from(count > 0);
        }
        batch.jobs.truncate(jobs);
        batch.weights.truncate(jobs);
        batch.facilitate(&rule, kplus);
        for (&(k, _, _), &w) in batch.jobs.iter().zip(&batch.weights) {
            weights[k as usize] = w;
        }
        let mut send = Sender::new(ring, channel, arrival);
        for (k, (&t, &kminus)) in batch.targets.iter().zip(&batch.kminus).enumerate() {
            let w = rule.depress(weights[k], kminus);
            weights[k] = w;
            if let Some(log) = log.as_deref_mut() {
                log.push((t, w));
            }
            send.add(t as usize, if counted { 1.0 } else { w });
        }
        self.kplus[s] = kplus * rule.plus_decay(t_last - t_spike) + 1.0;
        self.t_last[s] = t_spike;
        batch.targets.len() as u64
    }
}

/// Make `v` at least `len` long, keeping what it holds.
fn grow(v: &mut Vec<f64>, len: usize) {
    if v.len() < len {
        v.resize(len, 0.0);
    }
}

/// One spike's delivery through a row of STDP synapses, between passes.
#[derive(Debug, Clone, Default)]
struct Batch {
    /// Each synapse's local target, in row order.
    targets: Vec<u32>,
    /// Each synapse's `Kminus` at the spike (less the dendritic delay).
    kminus: Vec<f64>,
    /// Synapses with postsynaptic spikes to be facilitated by: (place in
    /// the row, how many spikes, where their `dts` start).
    jobs: Vec<(u32, u32, u32)>,
    /// Each job's weight, facilitated in place.
    weights: Vec<f64>,
    /// Every archive's trace at `table_at` [ms] (NaN: none) (see
    /// [`k_values`]), valid until [`PlasticRows::forget_traces`].
    table: Vec<f64>,
    table_at: f64,
    exponents: Vec<f64>,
    /// Per such spike, in order: the source's last spike less the
    /// spike's arrival at the synapse (NEST's `minus_dt`) [ms].
    dts: Vec<f64>,
    /// The jobs of one round: their indices, each one's power, and its
    /// presynaptic trace at the postsynaptic spike.
    active: Vec<u32>,
    powers: Vec<f64>,
    traces: Vec<f64>,
}

impl Batch {
    fn clear(&mut self) {
        self.targets.clear();
        self.jobs.clear();
        self.weights.clear();
    }

    /// Each job's facilitations, in rounds: round `i` facilitates every
    /// synapse that reads more than `i` spikes by its `i`-th (a synapse's
    /// facilitations stay in NEST's order), the round's `exp` and `pow`
    /// evaluated over all of them together (the library's bits:
    /// `spindle_models::libm_pow`).
    fn facilitate(&mut self, rule: &StdpRule, kplus: f64) {
        // The exponent is the rule's, whatever the weight.
        let Some((_, exponent)) = rule.facilitation_power(1.0) else {
            return;
        };
        if self.jobs.is_empty() {
            return;
        }
        let (exp_path, pow_path) = (ExpPath::detect(), PowPath::detect());
        self.active.clear();
        self.active.extend(0..self.jobs.len() as u32);
        let mut round = 0;
        while !self.active.is_empty() {
            let (jobs, weights) = (&self.jobs, &mut self.weights);
            self.traces.clear();
            self.traces.extend(self.active.iter().map(|&j| {
                let (_, _, first) = jobs[j as usize];
                rule.plus_exponent(self.dts[(first + round) as usize])
            }));
            exp_each(&mut self.traces, exp_path);
            self.powers.clear();
            self.powers.extend(self.active.iter().map(|&j| {
                let w = weights[j as usize];
                rule.facilitation_power(w).map_or(w, |(base, _)| base)
            }));
            pow_each(&mut self.powers, exponent, pow_path);
            // The next round's jobs, kept without a branch per job (which
            // goes on is a coin toss).
            let mut next = 0;
            round += 1;
            for i in 0..self.active.len() {
                let j = self.active[i];
                let w = &mut weights[j as usize];
                *w = rule.facilitate_powered(*w, self.powers[i], kplus * self.traces[i]);
                self.active[next] = j;
                next += usize::from(jobs[j as usize].1 > round);
            }
            self.active.truncate(next);
        }
    }
}

/// Where one spike's events go: the ring's rows of its arrival step,
/// found once per spike rather than once per synapse (7 % of
/// hpc_benchmark's time on this box), or the channel's port where it has
/// one.
enum Sender<'a> {
    Rows(&'a mut [f64], &'a mut [f64]),
    Port(&'a mut InputRing, Step, usize),
}

impl<'a> Sender<'a> {
    #[inline(always)]
    fn new(ring: &'a mut InputRing, channel: Channel, arrival: Step) -> Self {
        match channel {
            Channel::Port { port, .. } => Sender::Port(ring, arrival, port as usize),
            _ => {
                let (ex, inh) = ring.rows_mut(arrival);
                Sender::Rows(ex, inh)
            }
        }
    }

    /// Add `w` for local target `t`.
    #[inline(always)]
    fn add(&mut self, t: usize, w: f64) {
        match self {
            // NEST: a positive weight is excitatory.
            Sender::Rows(ex, inh) => {
                if w > 0.0 {
                    ex[t] += w;
                } else {
                    inh[t] += w;
                }
            }
            Sender::Port(ring, arrival, port) => ring.add_port(*arrival, t, *port, w),
        }
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
        let mut send = Sender::new(ring, channel, arrival);
        self.rows.row(s).for_each(|t| {
            let w = factor * weights[k];
            k += 1;
            if let Some(log) = log.as_deref_mut() {
                log.push((t as u32, w));
            }
            send.add(t, if counted { 1.0 } else { w });
        })
    }
}

impl PlasticRows {
    /// `quantal_stp_synapse`'s delivery: the source's `u` advances once,
    /// then per synapse NEST's `send`: the depleted sites recover, each
    /// with probability `1 - exp(-h / tau_rec)` (not at the first spike),
    /// each available site releases with probability `u`, and an event of
    /// `released * weight` is sent where any did. NEST draws a uniform
    /// number per site; the counts are binomial, drawn as such.
    #[allow(clippy::too_many_arguments)]
    fn deliver_quantal(
        &mut self,
        ring: &mut InputRing,
        arrival: Step,
        t_spike: f64,
        s: usize,
        (source, ids): (NodeId, &[NodeId]),
        channel: Channel,
        mut log: Option<&mut Vec<(u32, f64)>>,
    ) -> u64 {
        let StdpRule::Quantal { n, .. } = self.rule else {
            return 0;
        };
        let mut u = self.short_term[s][0];
        let recover = self.rule.quantal_update(&mut u, self.t_last[s], t_spike);
        self.short_term[s][0] = u;
        self.t_last[s] = t_spike;
        let r = self.range(s);
        let (weights, sites, counted, seed) = (
            &self.weights[r.clone()],
            &mut self.sites,
            self.counted,
            self.seed,
        );
        let row = self.rows.row(s);
        // A multapse's place among its pair's synapses: neighbours in an
        // ascending row, else counted over the row before it.
        let unsorted = (!self.ascending).then(|| row.to_vec());
        let pair_key = u64::from(self.projection) << 32 | u64::from(source);
        let spike = t_spike.to_bits();
        let (mut k, mut prev, mut nth, mut events) = (0, usize::MAX, 0u64, 0);
        let mut send = Sender::new(ring, channel, arrival);
        row.for_each(|t| {
            nth = match &unsorted {
                Some(all) => all[..k].iter().filter(|&&x| x as usize == t).count() as u64,
                None if t == prev => nth + 1,
                None => 0,
            };
            prev = t;
            let i = r.start + k;
            let mut a = sites.get(i);
            let key = mix(u64::from(ids[t]) << 32 | nth) ^ spike;
            let mut rng = stream(seed, Purpose::QuantalRelease, pair_key, key);
            if recover > 0.0 && n > a {
                a += binomial(&mut rng, (i64::from(n) - i64::from(a)) as u64, recover) as i32;
            }
            let released = if a > 0 {
                binomial(&mut rng, a as u64, u)
            } else {
                0
            };
            if released > 0 {
                a -= released as i32;
                let w = released as f64 * weights[k];
                if let Some(log) = log.as_deref_mut() {
                    log.push((t as u32, w));
                }
                send.add(t, if counted { 1.0 } else { w });
                events += 1;
            }
            sites.set(i, a);
            k += 1;
        });
        events
    }
}

/// `quantal_stp_synapse`'s available sites `a` of each synapse. `a` stays
/// within `min(a0, 0)..=max(a0, n)` (sites recover up to `n` and release
/// down to 0), so it is held as the offset from the bottom of that range:
/// a byte where the range allows, as it does for any `n` up to 255.
#[derive(Debug, Clone)]
enum Sites {
    /// `a - low` of each synapse.
    Narrow { low: i32, a: Vec<u8> },
    /// `a` of each synapse.
    Wide(Vec<i32>),
}

impl Default for Sites {
    fn default() -> Self {
        Sites::Wide(Vec::new())
    }
}

impl Sites {
    /// The bounds of `a` from `n` sites and `a` at the start.
    fn bounds(n: i32, a0: i32) -> (i64, i64) {
        (i64::from(a0.min(0)), i64::from(a0.max(n)))
    }

    /// Bytes per synapse for `n` sites and `a0` available at the start.
    fn width(n: i32, a0: i32) -> usize {
        let (low, high) = Self::bounds(n, a0);
        if high - low <= i64::from(u8::MAX) {
            1
        } else {
            4
        }
    }

    fn new(synapses: usize, n: i32, a0: i32) -> Self {
        let (low, _) = Self::bounds(n, a0);
        if Self::width(n, a0) == 1 {
            Sites::Narrow {
                low: low as i32,
                a: vec![(i64::from(a0) - low) as u8; synapses],
            }
        } else {
            Sites::Wide(vec![a0; synapses])
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> i32 {
        match self {
            Sites::Narrow { low, a } => low + i32::from(a[i]),
            Sites::Wide(a) => a[i],
        }
    }

    #[inline(always)]
    fn set(&mut self, i: usize, v: i32) {
        match self {
            Sites::Narrow { low, a } => a[i] = (v - *low) as u8,
            Sites::Wide(a) => a[i] = v,
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Sites::Narrow { a, .. } => a.len(),
            Sites::Wide(a) => a.len() * 4,
        }
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
        let mut send = Sender::new(ring, channel, arrival);
        self.rows.row(s).for_each(|t| {
            send.add(t, weights[k]);
            k += 1;
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
            + self.sites.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one source onto `targets` local neurons, one synapse each
    /// (`multapse`: the first target twice), under `rule`.
    fn quantal_rows(targets: u32, rule: StdpRule, multapse: bool) -> PlasticRows {
        let mut each = |emit: &mut dyn FnMut(usize, u32, f64)| {
            if multapse {
                emit(0, 0, 1.0);
            }
            for t in 0..targets {
                emit(0, t, 1.0);
            }
        };
        PlasticRows::build(1, rule, 1.0, &mut each).0.keyed(7, 3)
    }

    /// The (local target, sites released) of each synapse that released
    /// at a spike at `t` [ms], in row order (the logged weight over the
    /// weight of 1).
    fn spike(rows: &mut PlasticRows, ids: &[NodeId], t: f64) -> Vec<(u32, f64)> {
        let mut ring = InputRing::new(ids.len(), 8);
        let mut log = Vec::new();
        let released = rows.deliver_plastic(
            &mut ring,
            &mut [],
            2,
            t,
            0,
            (1, ids),
            Channel::Weight(1.0),
            Some(&mut log),
        );
        assert_eq!(released, log.len() as u64);
        log
    }

    /// The batched delivery (facilitations in rounds, powers and traces
    /// raised together) against NEST's `send` one synapse at a time: the
    /// same weights to the bit, for both STDP rules, where targets read
    /// none, one or several postsynaptic spikes (more than the vector
    /// width of them in a round, and a remainder).
    #[test]
    fn batched_facilitation_is_nests_order() {
        let rules = [
            StdpRule::POWER_LAW,
            StdpRule::Stdp {
                tau_plus: 20.0,
                lambda: 0.01,
                alpha: 1.0,
                mu_plus: 0.7,
                mu_minus: 0.3,
                wmax: 100.0,
                common: false,
            },
        ];
        // Rows that reach most archives read the traces from one sweep,
        // the others an archive at a time.
        for (rule, others) in rules.into_iter().flat_map(|r| [(r, 0), (r, 50)]) {
            let (targets, d) = (23u32, 1.5);
            let mut each = |emit: &mut dyn FnMut(usize, u32, f64)| {
                for t in 0..targets {
                    emit(0, t, 10.0 + f64::from(t));
                }
            };
            let mut rows = PlasticRows::build(1, rule, d, &mut each).0;
            let mut archives = vec![SpikeArchive::new(20.0, 110.0); (targets + others) as usize];
            rows.register(&mut archives);
            let mut want: Vec<f64> = (0..targets).map(|t| 10.0 + f64::from(t)).collect();
            let (mut kplus, mut t_last) = (0.0, 0.0);
            for (n, t_spike) in [5.0, 12.0, 30.0, 31.0].into_iter().enumerate() {
                // Target t spikes (t + n) % 4 times since the last
                // presynaptic spike.
                for (t, a) in archives.iter_mut().enumerate() {
                    for j in 0..(t + n) % 4 {
                        a.spike(t_last + 0.5 + j as f64 * 0.1, 0.1);
                    }
                }
                let mut reference = archives.clone();
                for (w, a) in want.iter_mut().zip(&mut reference) {
                    for e in a.history(t_last - d, t_spike - d) {
                        let minus_dt = t_last - (e.t + d);
                        *w = rule.facilitate(*w, kplus * rule.plus_decay(minus_dt));
                    }
                    *w = rule.depress(*w, a.k_value_at(t_spike - d));
                }
                rows.forget_traces();
                let mut ring = InputRing::new(targets as usize, 8);
                let ids: Vec<NodeId> = (1..=targets).collect();
                let arrival = t_spike as Step;
                let key = (100, ids.as_slice());
                let events = rows.deliver_plastic(
                    &mut ring,
                    &mut archives,
                    arrival,
                    t_spike,
                    0,
                    key,
                    Channel::Weight(1.0),
                    None,
                );
                assert_eq!(events, u64::from(targets));
                let got = rows.weights_of(0);
                for (t, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(g.to_bits(), w.to_bits(), "{rule:?}: spike {n}, target {t}");
                }
                assert_eq!(archives, reference, "{rule:?}: archives after spike {n}");
                kplus = kplus * rule.plus_decay(t_last - t_spike) + 1.0;
                t_last = t_spike;
            }
        }
    }

    fn mean(log: &[(u32, f64)], m: u32) -> f64 {
        log.iter().map(|x| x.1).sum::<f64>() / f64::from(m)
    }

    fn depressing(n: i32, a: i32) -> StdpRule {
        StdpRule::Quantal {
            u0: 0.5,
            u: 0.5,
            tau_rec: 100.0,
            tau_fac: 0.0,
            n,
            a,
        }
    }

    #[test]
    fn quantal_releases_are_binomial_with_nests_means() {
        // 5 sites, u = 0.5: 2.5 released at the first spike; 50 ms later
        // each depleted site has recovered with probability
        // 1 - exp(-0.5), and u is U again (no facilitation).
        let m = 20_000;
        let ids: Vec<NodeId> = (10..10 + m).collect();
        let mut rows = quantal_rows(m, depressing(5, 5), false);
        let first = spike(&mut rows, &ids, 10.0);
        // Binomial(5, 0.5): sd 1.118; 5 standard errors.
        let se = 1.118 / f64::from(m).sqrt();
        assert!(
            (mean(&first, m) - 2.5).abs() < 5.0 * se,
            "{}",
            mean(&first, m)
        );
        let square = first.iter().map(|x| x.1 * x.1).sum::<f64>() / f64::from(m);
        let var = square - mean(&first, m).powi(2);
        assert!((var - 1.25).abs() < 0.05, "{var}");
        // None released: P = 1/32.
        let silent = 1.0 - first.len() as f64 / f64::from(m);
        assert!((silent - 1.0 / 32.0).abs() < 0.006, "{silent}");
        let r = 1.0 - (-0.5f64).exp();
        let second = spike(&mut rows, &ids, 60.0);
        let want = (2.5 + 2.5 * r) * 0.5;
        assert!(
            (mean(&second, m) - want).abs() < 5.0 * se,
            "{}",
            mean(&second, m)
        );
        // Every synapse's a: 5 less what it released, plus what recovered.
        let (u, a) = rows.quantal_state(0).unwrap();
        assert_eq!(u, 0.5);
        assert!(a.iter().all(|&a| (0..=5).contains(&a)));
    }

    #[test]
    fn quantal_draws_do_not_depend_on_the_split() {
        // The same synapses held by one shard, or by two (their local
        // indices from 0 in each): the same releases, by global id.
        let m = 64;
        let ids: Vec<NodeId> = (100..100 + m).collect();
        let mut whole = quantal_rows(m, depressing(8, 8), true);
        let mut lo = quantal_rows(m / 2, depressing(8, 8), true);
        let mut hi = quantal_rows(m / 2, depressing(8, 8), false);
        for t in [5.0, 7.5, 30.0, 31.0] {
            let all = spike(&mut whole, &ids, t);
            let mut parts = spike(&mut lo, &ids[..m as usize / 2], t);
            let half = spike(&mut hi, &ids[m as usize / 2..], t);
            parts.extend(half.into_iter().map(|(l, w)| (l + m / 2, w)));
            assert_eq!(all, parts);
        }
        let (_, a) = whole.quantal_state(0).unwrap();
        let (_, mut b) = lo.quantal_state(0).unwrap();
        b.extend(hi.quantal_state(0).unwrap().1);
        assert_eq!(a, b);
        // The multapse's two synapses draw apart (8 sites, 4 spikes).
        let mut twin = quantal_rows(1, depressing(8, 8), true);
        let diverged = (0..20).any(|i| {
            let log = spike(&mut twin, &ids, 1.0 + f64::from(i));
            let (_, a) = twin.quantal_state(0).unwrap();
            a[0] != a[1] || log.len() == 1
        });
        assert!(diverged);
    }

    #[test]
    fn quantal_sites_fit_a_byte_where_they_can() {
        assert_eq!(Sites::width(255, 1), 1);
        assert_eq!(Sites::width(256, 1), 4);
        assert_eq!(Sites::width(10, -300), 4);
        let mut s = Sites::new(3, 10, -5);
        assert_eq!((s.get(0), s.bytes()), (-5, 3));
        s.set(1, 10);
        s.set(2, 0);
        assert_eq!([s.get(0), s.get(1), s.get(2)], [-5, 10, 0]);
        // Negative a releases nothing, and recovers from the second
        // spike on (as NEST's loops do).
        let ids: Vec<NodeId> = (1..=200).collect();
        let mut rows = quantal_rows(200, depressing(3, -2), false);
        assert!(spike(&mut rows, &ids, 1.0).is_empty());
        spike(&mut rows, &ids, 1e6);
        let (_, a) = rows.quantal_state(0).unwrap();
        assert!(a.iter().all(|&a| (0..=3).contains(&a)));
        // n below a: no recovery, releases down to 0.
        let mut rows = quantal_rows(50, depressing(0, 4), false);
        // (200 sites, each kept with probability 2^-40.)
        for i in 0..40 {
            spike(&mut rows, &ids[..50], 1.0 + 1e4 * f64::from(i));
        }
        let (_, a) = rows.quantal_state(0).unwrap();
        assert!(a.iter().all(|&a| a == 0));
    }
}
