//! The input a `poisson_generator` gives its targets.
//!
//! NEST's `poisson_generator` draws, for every target and every step in
//! which it is active, an independent Poisson count with mean
//! `rate * h * 1e-3` and delivers it through the connection's weight and
//! delay (`models/poisson_generator.cpp`, `event_hook`). Spindle draws the
//! same counts inside the target's update, from a stream keyed by
//! (generator, target), so no event is ever queued for them.

use spindle_core::Step;
use spindle_core::rng::{Purpose, next_lanes};

/// Largest mean handled by one table; larger means are split into equal
/// parts whose counts are summed (a sum of independent Poisson counts is
/// Poisson with the summed mean, so this is exact).
const MAX_TABLE_MEAN: f64 = 500.0;

/// Draws Poisson counts for one fixed mean with one 64-bit uniform per
/// draw, by inverse CDF: `thresholds[k] = floor(P(X <= k) * 2^64)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonSampler {
    thresholds: Vec<u64>,
    /// The first 8 thresholds, for small means (see `count`).
    head: Option<[u64; 8]>,
    parts: u32,
    mean: f64,
}

impl PoissonSampler {
    /// The largest mean per draw offered: a draw costs mean / 500 table
    /// walks, so larger means would make a run crawl (and are not
    /// physiological: 10^10 Hz at dt = 0.1 ms).
    pub const MAX_MEAN: f64 = 1e6;

    /// A sampler for mean `mean` (>= 0, finite, at most `MAX_MEAN`).
    pub fn new(mean: f64) -> Self {
        assert!(
            mean.is_finite() && (0.0..=Self::MAX_MEAN).contains(&mean),
            "Poisson mean must be finite, >= 0 and at most MAX_MEAN"
        );
        let parts = (mean / MAX_TABLE_MEAN).ceil().max(1.0) as u32;
        let lambda = mean / parts as f64;
        let scale = 18_446_744_073_709_551_616.0_f64; // 2^64
        let mut thresholds = Vec::new();
        let mut pmf = (-lambda).exp();
        let mut cdf = 0.0_f64;
        let mut k = 0u64;
        loop {
            cdf += pmf;
            if cdf >= 1.0 || (k as f64 > lambda && pmf * scale < 0.5) {
                break;
            }
            let t = cdf * scale;
            thresholds.push(if t >= scale { u64::MAX } else { t as u64 });
            k += 1;
            pmf *= lambda / k as f64;
        }
        let head = (lambda < 2.5)
            .then(|| thresholds.get(..8).and_then(|h| h.try_into().ok()))
            .flatten();
        Self {
            thresholds,
            head,
            parts,
            mean,
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// One count, drawn from the xoshiro256++ state `rng`.
    #[inline]
    pub fn sample(&self, rng: &mut [[u64; 1]; 4]) -> u64 {
        let mut total = 0;
        for _ in 0..self.parts {
            total += self.count(next_lanes(rng)[0]);
        }
        total
    }

    /// The count for uniform `u`: how many thresholds are <= `u`.
    #[inline(always)]
    fn count(&self, u: u64) -> u64 {
        let t = &self.thresholds;
        if let Some(head) = &self.head {
            // Small means: compare with the first 8 thresholds without
            // branching (P(X <= 7) > 0.999 for means below 2.5); the rare
            // larger counts go on scanning.
            if u < head[7] {
                return head.iter().map(|&h| u64::from(u >= h)).sum();
            }
            return 8 + t[8..].partition_point(|&x| x <= u) as u64;
        }
        t.partition_point(|&x| x <= u) as u64
    }

    /// The first 8 thresholds, where a small mean makes them worth
    /// comparing without branches.
    #[inline(always)]
    fn head(&self) -> Option<&[u64; 8]> {
        self.head.as_ref().filter(|_| self.parts == 1)
    }
}

/// One generator's drive of its targets.
#[derive(Debug, Clone)]
pub struct PoissonDrive {
    /// Counts per step.
    pub sampler: PoissonSampler,
    /// Synaptic weight [pA].
    pub weight: f64,
    /// Connection delay [steps].
    pub delay: Step,
    /// The generator emits in steps `n` with `t_min < n <= t_max`
    /// (NEST's `StimulationDevice::is_active`: start excluded, stop included).
    pub t_min: Step,
    /// See `t_min`.
    pub t_max: Step,
}

impl PoissonDrive {
    /// The lags `lo..hi` within `from..to` of the slice at `origin` in
    /// which input from this drive arrives: `t_min < step - delay <= t_max`.
    #[inline]
    fn active_lags(&self, origin: Step, from: u32, to: u32) -> (usize, usize) {
        let first = (self.t_min + 1).saturating_add(self.delay);
        let last = self.t_max.saturating_add(self.delay);
        if last < origin {
            return (0, 0);
        }
        let clamp = |s: Step| s.clamp(from as Step, to as Step) as usize;
        (
            clamp(first.saturating_sub(origin)),
            clamp(last.saturating_sub(origin).saturating_add(1)),
        )
    }
}

/// The draws of a block of neurons whose streams step together, lag by lag
/// (see [`PoissonInput::lane_draws`]).
#[derive(Debug, Clone)]
pub struct LaneDraws<const N: usize> {
    lanes: [[u64; N]; 4],
    head: [u64; 8],
    drive: u32,
    weight: f64,
    /// Whether the input goes to the excitatory channel (weight > 0, as
    /// NEST's `handle`) or the inhibitory one.
    pub excitatory: bool,
    active: (usize, usize),
    e0: usize,
}

/// The Poisson input of every neuron of a shard: which drives reach which
/// neuron (compressed rows by local index) and one xoshiro256++ stream per
/// (drive, neuron) pair, its four state words held in four arrays so that
/// neighbouring neurons' streams step together in vector registers.
#[derive(Debug, Clone)]
pub struct PoissonInput {
    drives: Vec<PoissonDrive>,
    start: Vec<u32>,
    drive_of: Vec<u32>,
    state: [Vec<u64>; 4],
    /// Per neuron, how many neurons from it on (at most 255) have one
    /// pair each, all of the same drive: the blocks whose streams can step
    /// together, found with one read (see [`lane_draws`](Self::lane_draws)).
    shared_run: Vec<u8>,
    draws: u64,
    /// The receptor port each (drive, neuron) pair reaches, where neurons
    /// with input ports are driven (else empty; see
    /// [`with_ports`](Self::with_ports)).
    ports: Vec<u32>,
}

impl PoissonInput {
    /// No Poisson input for `n` neurons.
    pub fn empty(n: usize) -> Self {
        Self {
            drives: Vec::new(),
            start: vec![0; n + 1],
            drive_of: Vec::new(),
            state: Default::default(),
            shared_run: vec![0; n],
            draws: 0,
            ports: Vec::new(),
        }
    }

    /// One generator of mean `mean` counts per step, `weight` and `delay`
    /// [steps], active throughout, onto neurons `0..n`, each pair on its
    /// own stream (keyed by `seed`, the generator `key` and the neuron, as
    /// the engine keys them): the seed's drive in benchmarks and tests.
    pub fn one_generator(
        n: usize,
        mean: f64,
        weight: f64,
        delay: Step,
        (seed, key): (u64, u64),
    ) -> Self {
        let drive = PoissonDrive {
            sampler: PoissonSampler::new(mean),
            weight,
            delay,
            t_min: 0,
            t_max: Step::MAX,
        };
        let per_neuron = (0..n)
            .map(|i| {
                let state = spindle_core::rng::stream_state(seed, Purpose::Poisson, key, i as u64);
                vec![(0, state)]
            })
            .collect();
        Self::new(vec![drive], per_neuron)
    }

    /// Build from `drives` and, per local neuron in order, the list of
    /// (drive index, stream state) pairs that reach it (the state as
    /// `spindle_core::rng::stream_state` gives it).
    pub fn new(drives: Vec<PoissonDrive>, per_neuron: Vec<Vec<(u32, [u64; 4])>>) -> Self {
        let mut start = Vec::with_capacity(per_neuron.len() + 1);
        let mut drive_of = Vec::new();
        let mut state: [Vec<u64>; 4] = Default::default();
        start.push(0);
        for list in per_neuron {
            for (d, words) in list {
                assert!((d as usize) < drives.len());
                drive_of.push(d);
                for (column, word) in state.iter_mut().zip(words) {
                    column.push(word);
                }
            }
            start.push(drive_of.len() as u32);
        }
        let n = start.len() - 1;
        let mut shared_run = vec![0u8; n];
        let one = |b: usize| start[b + 1] == start[b] + 1;
        for b in (0..n).rev() {
            if one(b) {
                // The next neuron's run is 0 unless it has one pair.
                let same = b + 1 < n
                    && shared_run[b + 1] > 0
                    && drive_of[start[b + 1] as usize] == drive_of[start[b] as usize];
                shared_run[b] = if same {
                    shared_run[b + 1].saturating_add(1)
                } else {
                    1
                };
            }
        }
        Self {
            drives,
            start,
            drive_of,
            state,
            shared_run,
            draws: 0,
            ports: Vec::new(),
        }
    }

    /// This input with the receptor port of each (drive, neuron) pair:
    /// `per_neuron[local][j]` for the `j`-th pair of neuron `local` in the
    /// lists [`new`](Self::new) was given (0-based ports; a neuron without
    /// ports has its pairs read by [`fill_block`](Self::fill_block) and
    /// never by [`fill_ports`](Self::fill_ports), whatever they say).
    pub fn with_ports(mut self, per_neuron: Vec<Vec<u32>>) -> Self {
        self.ports = per_neuron.into_iter().flatten().collect();
        assert_eq!(self.ports.len(), self.drive_of.len(), "a port per pair");
        self
    }

    /// Draw neuron `local`'s Poisson input for the steps `origin + lag`,
    /// `lag` in `from..to`, drive by drive, each over the slice, calling
    /// `add(port, lag, weight * count)` for every nonzero count (the pair's
    /// receptor port, see [`with_ports`](Self::with_ports)). The draws are
    /// those [`fill_slice`](Self::fill_slice) makes.
    pub fn fill_ports(
        &mut self,
        local: usize,
        origin: Step,
        from: u32,
        to: u32,
        mut add: impl FnMut(usize, usize, f64),
    ) {
        let (lo, hi) = (self.start[local] as usize, self.start[local + 1] as usize);
        for e in lo..hi {
            let d = &self.drives[self.drive_of[e] as usize];
            let (lag_lo, lag_hi) = d.active_lags(origin, from, to);
            if lag_lo >= lag_hi {
                continue;
            }
            let port = self.ports.get(e).map_or(0, |&p| p as usize);
            let mut rng = Self::load::<1>(&self.state, e);
            for lag in lag_lo..lag_hi {
                let k = d.sampler.sample(&mut rng);
                if k > 0 {
                    add(port, lag, d.weight * k as f64);
                }
            }
            Self::store(&mut self.state, e, &rng);
            self.draws += (lag_hi - lag_lo) as u64;
        }
    }

    /// Drive `d`, to change its rate or window between runs.
    pub fn drive_mut(&mut self, d: usize) -> &mut PoissonDrive {
        &mut self.drives[d]
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.start.len() * 4
            + self.shared_run.len()
            + self.drive_of.len() * 4
            + self.drive_of.len() * 32
            + self.ports.len() * 4
    }

    /// Estimated bytes of the input for `neurons` neurons reached by
    /// `pairs` (drive, neuron) pairs: a row start and a run length per
    /// neuron, and per pair its drive and its stream's four state words
    /// (what [`new`](Self::new) builds; the drives themselves are a few per
    /// network). Saturating.
    pub fn estimate_bytes(neurons: u64, pairs: u64) -> u64 {
        let per_pair = size_of::<u32>() + 4 * size_of::<u64>();
        neurons
            .saturating_add(1)
            .saturating_mul(size_of::<u32>() as u64)
            .saturating_add(neurons)
            .saturating_add(pairs.saturating_mul(per_pair as u64))
    }

    /// Estimated bytes of the per-neuron lists [`new`](Self::new) is built
    /// from, for `neurons` neurons and `pairs` pairs spread evenly: a `Vec`
    /// per neuron and, for each neuron reached, its pairs in an allocation
    /// of at least four (the smallest capacity `Vec` gives elements of this
    /// size), doubling as it grows. They are held while the shard's
    /// synapses are built. Saturating.
    pub fn estimate_build_bytes(neurons: u64, pairs: u64) -> u64 {
        let per_neuron = if neurons == 0 {
            0
        } else {
            pairs.div_ceil(neurons)
        };
        let capacity = per_neuron
            .checked_next_power_of_two()
            .unwrap_or(u64::MAX)
            .max(4);
        let reached = neurons.min(pairs);
        neurons
            .saturating_mul(size_of::<Vec<(u32, [u64; 4])>>() as u64)
            .saturating_add(
                reached
                    .saturating_mul(capacity)
                    .saturating_mul(size_of::<(u32, [u64; 4])>() as u64),
            )
    }

    /// The `N` streams from entry `e` as lanes.
    #[inline(always)]
    fn load<const N: usize>(state: &[Vec<u64>; 4], e: usize) -> [[u64; N]; 4] {
        // A plain copy: `each_ref().map(..)` stayed an out-of-line call
        // (`try_map`), once per block and slice.
        let mut lanes = [[0; N]; 4];
        for (lane, column) in lanes.iter_mut().zip(state) {
            lane.copy_from_slice(&column[e..e + N]);
        }
        lanes
    }

    /// Store lanes loaded by `load`.
    #[inline(always)]
    fn store<const N: usize>(state: &mut [Vec<u64>; 4], e: usize, lanes: &[[u64; N]; 4]) {
        for (column, lane) in state.iter_mut().zip(lanes) {
            column[e..e + N].copy_from_slice(lane);
        }
    }

    /// Write the Poisson input of neurons `base..base + N` for the steps
    /// `origin + lag`, `lag` in `from..to`, into `ex[lag * N + l]` and
    /// `inh[lag * N + l]` (zero where no drive reaches a neuron). Where
    /// [`lane_draws`](Self::lane_draws) applies, the `N` streams step
    /// together, lane-wise; the draws are those `fill_slice` makes neuron
    /// by neuron.
    #[inline(always)]
    pub fn fill_block<const N: usize>(
        &mut self,
        base: usize,
        origin: Step,
        from: u32,
        to: u32,
        ex: &mut [f64],
        inh: &mut [f64],
    ) {
        let Some(mut draws) = self.lane_draws::<N>(base, origin, from, to) else {
            for l in 0..N {
                let (e, h) = (&mut ex[l..], &mut inh[l..]);
                if !self.fill_slice(base + l, origin, from, to, e, h, N) {
                    for lag in from as usize..to as usize {
                        e[lag * N] = 0.0;
                        h[lag * N] = 0.0;
                    }
                }
            }
            return;
        };
        let (from, to) = (from as usize, to as usize);
        let (out, zero) = if draws.excitatory {
            (ex, inh)
        } else {
            (inh, ex)
        };
        zero[from * N..to * N].fill(0.0);
        for lag in from..to {
            out[lag * N..lag * N + N].copy_from_slice(&self.draw_lanes(&mut draws, lag));
        }
        self.end_lanes(draws);
    }

    /// The draws of neurons `base..base + N` over the lags `from..to` of
    /// the slice at `origin`, to be made lag by lag with
    /// [`draw_lanes`](Self::draw_lanes) and closed with
    /// [`end_lanes`](Self::end_lanes): when each of the `N` neurons has
    /// exactly one drive, the same one, with a small mean (the seed
    /// network), or none has any. `None` otherwise.
    #[inline(always)]
    pub fn lane_draws<const N: usize>(
        &self,
        base: usize,
        origin: Step,
        from: u32,
        to: u32,
    ) -> Option<LaneDraws<N>> {
        let e0 = self.start[base] as usize;
        if self.start[base + N] as usize == e0 {
            return Some(LaneDraws {
                lanes: [[0; N]; 4],
                head: [u64::MAX; 8],
                drive: 0,
                weight: 0.0,
                excitatory: true,
                active: (0, 0),
                e0,
            });
        }
        let shared = usize::from(self.shared_run[base]) >= N;
        let drive = if shared { self.drive_of[e0] } else { 0 };
        let d = &self.drives[drive as usize];
        let head = *shared.then(|| d.sampler.head()).flatten()?;
        Some(LaneDraws {
            lanes: Self::load::<N>(&self.state, e0),
            head,
            drive,
            weight: d.weight,
            excitatory: d.weight > 0.0,
            active: d.active_lags(origin, from, to),
            e0,
        })
    }

    /// The Poisson input of the block at `lag` (lags in increasing order):
    /// `0.0 + weight * count` per lane while the drive is active, as
    /// `fill_slice` adds it to a zeroed cell, and 0.0 otherwise.
    #[inline(always)]
    pub fn draw_lanes<const N: usize>(&self, draws: &mut LaneDraws<N>, lag: usize) -> [f64; N] {
        if !(draws.active.0..draws.active.1).contains(&lag) {
            return [0.0; N];
        }
        let u = next_lanes(&mut draws.lanes);
        let head = draws.head;
        // Counts as sums of ones (exact), compared with the first 8
        // thresholds without branching; the rare lane past them scans on.
        // Sums of ones are exact in any order: a tree keeps the chain of
        // dependent additions short.
        let mut k = [0.0f64; N];
        for l in 0..N {
            // Two chains of masked additions, four thresholds each.
            let (mut lo, mut hi) = (0.0, 0.0);
            for i in 0..4 {
                lo = if u[l] >= head[i] { lo + 1.0 } else { lo };
                hi = if u[l] >= head[i + 4] { hi + 1.0 } else { hi };
            }
            k[l] = lo + hi;
        }
        if u.iter().any(|&x| x >= head[7]) {
            // The rare lane past the first 8 counts on, lane-wise too, so
            // that no lane is indexed and the lanes stay in registers.
            let sampler = &self.drives[draws.drive as usize].sampler;
            for &t in &sampler.thresholds[8..] {
                if !u.iter().any(|&x| x >= t) {
                    break;
                }
                for l in 0..N {
                    k[l] = if u[l] >= t { k[l] + 1.0 } else { k[l] };
                }
            }
        }
        let w = draws.weight;
        k.map(|k| 0.0 + w * k)
    }

    /// Keep the streams' state after the draws of a block.
    #[inline(always)]
    pub fn end_lanes<const N: usize>(&mut self, draws: LaneDraws<N>) {
        let (lo, hi) = draws.active;
        if lo < hi {
            Self::store(&mut self.state, draws.e0, &draws.lanes);
            self.draws += ((hi - lo) * N) as u64;
        }
    }

    /// Counts drawn so far.
    pub fn draws(&self) -> u64 {
        self.draws
    }

    /// Number of (drive, neuron) pairs.
    pub fn pairs(&self) -> usize {
        self.drive_of.len()
    }

    /// Write neuron `local`'s Poisson input for the steps `origin + lag`,
    /// `lag` in `from..to`, into `ex[lag * stride]` and `inh[lag * stride]`
    /// (by the weight's sign, as NEST's `handle`); returns false, writing
    /// nothing, if no drive reaches the neuron. The draws are those `draw`
    /// would make step by step, in the same order.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn fill_slice(
        &mut self,
        local: usize,
        origin: Step,
        from: u32,
        to: u32,
        ex: &mut [f64],
        inh: &mut [f64],
        stride: usize,
    ) -> bool {
        let (lo, hi) = (self.start[local] as usize, self.start[local + 1] as usize);
        if lo == hi {
            return false;
        }
        for lag in from as usize..to as usize {
            ex[lag * stride] = 0.0;
            inh[lag * stride] = 0.0;
        }
        for e in lo..hi {
            let d = &self.drives[self.drive_of[e] as usize];
            let (lag_lo, lag_hi) = d.active_lags(origin, from, to);
            if lag_lo >= lag_hi {
                continue;
            }
            let out = if d.weight > 0.0 { &mut *ex } else { &mut *inh };
            let w = d.weight;
            let mut rng = Self::load::<1>(&self.state, e);
            // `out` starts at +0.0, so adding `w * 0` changes nothing and
            // needs no branch.
            for lag in lag_lo..lag_hi {
                out[lag * stride] += w * d.sampler.sample(&mut rng) as f64;
            }
            Self::store(&mut self.state, e, &rng);
            self.draws += (lag_hi - lag_lo) as u64;
        }
        true
    }

    /// Add this step's Poisson input of neuron `local` to its excitatory or
    /// inhibitory input (by the weight's sign, as NEST's `handle`).
    #[inline]
    pub fn draw(&mut self, local: usize, step: Step, ex: &mut f64, inh: &mut f64) {
        let (lo, hi) = (self.start[local] as usize, self.start[local + 1] as usize);
        let mut draws = 0;
        for e in lo..hi {
            let d = &self.drives[self.drive_of[e] as usize];
            // Input arriving now was emitted `delay` steps ago.
            let Some(emitted) = step.checked_sub(d.delay) else {
                continue;
            };
            if emitted <= d.t_min || emitted > d.t_max {
                continue;
            }
            draws += 1;
            let mut rng = Self::load::<1>(&self.state, e);
            let k = d.sampler.sample(&mut rng);
            Self::store(&mut self.state, e, &rng);
            if k > 0 {
                let s = d.weight * k as f64;
                if s > 0.0 {
                    *ex += s;
                } else {
                    *inh += s;
                }
            }
        }
        self.draws += draws;
    }
}

#[cfg(test)]
mod tests;
