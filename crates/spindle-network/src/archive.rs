//! The postsynaptic spike archive of NEST's `ArchivingNode`: each neuron
//! that STDP synapses reach keeps its recent spikes with the trace
//! `Kminus` (and `Kminus_triplet`) after each, which presynaptic spikes
//! read when they are delivered.
//!
//! As in NEST: a neuron archives only while STDP connections reach it
//! (`n_incoming`); each entry counts the connections that have read it
//! (`get_history`), and at each new spike the oldest entry goes once every
//! connection has read it and the entry after it is older than the longest
//! delay plus the minimum delay (so that the trace before any spike still
//! to be delivered can be read); `tau_minus` [ms] is the trace's time
//! constant. Times are NEST's doubles (ms) and every comparison has NEST's
//! tolerance `stdp_eps`.

use spindle_models::libm_exp::{ExpPath, exp_each};

/// NEST's `stdp_eps` (`ConnectionManager`, 1e-6 ms): times closer than
/// this are equal.
pub const STDP_EPS: f64 = 1.0e-6;

/// One archived spike (NEST's `histentry`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistEntry {
    /// Spike time [ms].
    pub t: f64,
    /// `Kminus` just after the spike.
    pub kminus: f64,
    /// `Kminus_triplet` just after the spike.
    pub kminus_triplet: f64,
    /// Connections that have read it.
    pub access: u32,
}

/// Newest entries whose times and read counts an archive's cache line
/// holds.
pub const RECENT: usize = 3;

/// One neuron's archive.
///
/// Delivery reads an archive per synapse, so what it reads fills one cache
/// line (`repr(C)`, aligned, 64 bytes) and the rest lies behind a pointer
/// ([`Cold`]): hpc_benchmark's shard of 5,625 neurons then keeps its
/// archives in 360 KB, which the second-level cache holds, where 128 bytes
/// each did not. The line holds the times of the newest [`RECENT`]
/// spikes and how often each has been read, which settle most synapses'
/// windows without the history (a window reaching further back takes the
/// history), and the trace last read. The history is a `Vec` whose first
/// `head` entries are trimmed (dropped in bulk once they are half of it),
/// so that reading it is plain slice indexing; its read counts of the
/// newest entries are stale while the line holds them
/// ([`flush`](SpikeArchive::flush) writes them back).
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct SpikeArchive {
    /// The newest entries' times [ms], oldest first (`-inf` where fewer
    /// are held).
    recent: [f64; RECENT],
    /// The last [`k_value_at`](SpikeArchive::k_value_at) read: its time
    /// (NaN for none, until the next spike changes the history) and value.
    k_at: f64,
    k_read: f64,
    /// How many connections have read each of the newest entries.
    recent_access: [u32; RECENT],
    /// STDP connections onto the neuron.
    n_incoming: u32,
    cold: Box<Cold>,
}

const _: () = assert!(size_of::<SpikeArchive>() == 64, "one cache line");

/// What only a spike, a registration, a window beyond the newest entries
/// or a trace not remembered reads.
#[derive(Debug, Clone)]
struct Cold {
    tau_minus_inv: f64,
    tau_minus_triplet_inv: f64,
    kminus: f64,
    kminus_triplet: f64,
    last_spike: f64,
    /// Their longest delay [ms].
    max_delay: f64,
    history: Vec<HistEntry>,
    head: u32,
}

/// Archives are equal when they hold the same spikes, read counts and
/// traces: the trimmed entries' room and the remembered read are not
/// state.
impl PartialEq for SpikeArchive {
    fn eq(&self, other: &Self) -> bool {
        let scalars = |c: &Cold| {
            [
                c.tau_minus_inv,
                c.tau_minus_triplet_inv,
                c.kminus,
                c.kminus_triplet,
                c.last_spike,
                c.max_delay,
            ]
        };
        self.entries() == other.entries()
            && scalars(&self.cold) == scalars(&other.cold)
            && self.n_incoming == other.n_incoming
    }
}

impl SpikeArchive {
    /// An empty archive with time constants `tau_minus` and
    /// `tau_minus_triplet` [ms] (validated as neuron parameters).
    pub fn new(tau_minus: f64, tau_minus_triplet: f64) -> Self {
        Self {
            recent: [f64::NEG_INFINITY; RECENT],
            k_at: f64::NAN,
            k_read: 0.0,
            recent_access: [0; RECENT],
            n_incoming: 0,
            cold: Box::new(Cold {
                tau_minus_inv: 1.0 / tau_minus,
                tau_minus_triplet_inv: 1.0 / tau_minus_triplet,
                kminus: 0.0,
                kminus_triplet: 0.0,
                last_spike: -1.0,
                max_delay: 0.0,
                history: Vec::new(),
                head: 0,
            }),
        }
    }

    /// The entries not trimmed, oldest first (the newest ones' read
    /// counts stale).
    #[inline(always)]
    fn live(&self) -> &[HistEntry] {
        &self.cold.history[self.cold.head as usize..]
    }

    /// The entries not trimmed, oldest first, with their read counts.
    pub fn entries(&self) -> Vec<HistEntry> {
        let mut live = self.live().to_vec();
        copy_counts(&mut live, &self.recent_access);
        live
    }

    /// Write the newest entries' read counts back into the history.
    fn flush(&mut self) {
        let head = self.cold.head as usize;
        copy_counts(&mut self.cold.history[head..], &self.recent_access);
    }

    /// Take the newest entries' times and read counts from the history
    /// into the line.
    fn reload(&mut self) {
        self.recent = [f64::NEG_INFINITY; RECENT];
        self.recent_access = [0; RECENT];
        let live = &self.cold.history[self.cold.head as usize..];
        let n = live.len().min(RECENT);
        for (j, e) in live[live.len() - n..].iter().enumerate() {
            self.recent[RECENT - n + j] = e.t;
            self.recent_access[RECENT - n + j] = e.access;
        }
    }

    /// A new STDP connection of delay `delay` [ms] whose first read starts
    /// after `t_first_read` (NEST's `register_stdp_connection`).
    pub fn register(&mut self, t_first_read: f64, delay: f64) {
        if self.is_empty() {
            // No entry to count as read (every connection made before the
            // first `Simulate`).
            self.n_incoming += 1;
            self.cold.max_delay = self.cold.max_delay.max(delay);
            return;
        }
        self.flush();
        let head = self.cold.head as usize;
        for e in &mut self.cold.history[head..] {
            if t_first_read - e.t <= -STDP_EPS {
                break;
            }
            e.access += 1;
        }
        self.n_incoming += 1;
        self.cold.max_delay = self.cold.max_delay.max(delay);
        self.reload();
    }

    /// The entries in `(t1, t2]` (NEST's `get_history`), each counted as
    /// read once more.
    pub fn history(&mut self, t1: f64, t2: f64) -> &[HistEntry] {
        let t1_lim = t1 + STDP_EPS;
        // Every entry is older than the window: NEST's loops would find
        // none and count none.
        if self.newest() < t1_lim {
            return &[];
        }
        self.flush();
        let t2_lim = t2 + STDP_EPS;
        let head = self.cold.head as usize;
        let h = &mut self.cold.history[head..];
        let mut finish = h.len();
        while finish > 0 && h[finish - 1].t >= t2_lim {
            finish -= 1;
        }
        let mut start = finish;
        while start > 0 && h[start - 1].t >= t1_lim {
            start -= 1;
            h[start].access += 1;
        }
        self.reload();
        &self.cold.history[head + start..head + finish]
    }

    /// The times of the entries in `(t1, t2]`, oldest first, into `out`
    /// (at least [`RECENT`] long), each counted as read once more, as
    /// [`history`](Self::history) reads them, where the newest entries
    /// settle the window: `None` (and nothing read) where older ones may
    /// lie in it. Without a branch per entry: whether one lies in a window
    /// is a coin toss.
    #[inline(always)]
    pub fn read_recent(&mut self, t1: f64, t2: f64, out: &mut [f64; RECENT]) -> Option<usize> {
        let (t1_lim, t2_lim) = (t1 + STDP_EPS, t2 + STDP_EPS);
        // The oldest held entry inside: the window may reach further back
        // (held but fewer than `RECENT`: it does not).
        if self.recent[0] >= t1_lim {
            return None;
        }
        let mut n = 0;
        for j in 0..RECENT {
            let t = self.recent[j];
            let inside = (t >= t1_lim) & (t < t2_lim);
            out[n] = t;
            n += usize::from(inside);
            self.recent_access[j] += u32::from(inside);
        }
        Some(n)
    }

    /// The newest spike's time [ms] (`-inf` when there is none).
    #[inline(always)]
    pub fn newest(&self) -> f64 {
        self.recent[RECENT - 1]
    }

    /// The trace `Kminus` at `t` [ms], from the last spike before it
    /// (NEST's `get_K_value`).
    #[inline]
    pub fn k_value(&self, t: f64) -> f64 {
        let (kminus, exponent) = self.k_term(t);
        kminus * exponent.exp()
    }

    /// [`k_value`](Self::k_value) at `t` as `kminus * exp(exponent)`:
    /// (0, 0) where no spike precedes `t`, read from the line alone where
    /// the neuron never spiked.
    #[inline(always)]
    fn k_term(&self, t: f64) -> (f64, f64) {
        if self.newest() == f64::NEG_INFINITY {
            return (0.0, 0.0);
        }
        for e in self.live().iter().rev() {
            if t - e.t > STDP_EPS {
                return (e.kminus, (e.t - t) * self.cold.tau_minus_inv);
            }
        }
        (0.0, 0.0)
    }

    /// [`k_value`](Self::k_value), remembered until the next spike: the
    /// spikes one step delivers through STDP synapses of one delay read
    /// each target's trace at the same time (in hpc_benchmark, every
    /// excitatory spike of the step reaches nearly every excitatory
    /// neuron), and an `exp` per synapse was a seventh of the delivery.
    /// The value is the same bits as computed afresh.
    #[inline]
    pub fn k_value_at(&mut self, t: f64) -> f64 {
        if self.k_at == t {
            return self.k_read;
        }
        let k = self.k_value(t);
        (self.k_at, self.k_read) = (t, k);
        k
    }

    /// Archive a spike at `t_sp` [ms] (NEST's `set_spiketime`), trimming
    /// the history first; `min_delay` is NEST's minimum delay [ms].
    pub fn spike(&mut self, t_sp: f64, min_delay: f64) {
        self.k_at = f64::NAN;
        if self.n_incoming == 0 {
            self.cold.last_spike = t_sp;
            return;
        }
        self.flush();
        let c = &mut *self.cold;
        let mut head = c.head as usize;
        while c.history.len() - head > 1 {
            let next_t_sp = c.history[head + 1].t;
            if c.history[head].access >= self.n_incoming
                && t_sp - next_t_sp > c.max_delay + min_delay + STDP_EPS
            {
                head += 1;
            } else {
                break;
            }
        }
        // The trimmed entries go once they are half of the room.
        if head > 0 && 2 * head >= c.history.len() {
            c.history.drain(..head);
            head = 0;
        }
        c.head = u32::try_from(head).expect("fewer than 2^32 spikes archived");
        c.kminus = c.kminus * ((c.last_spike - t_sp) * c.tau_minus_inv).exp() + 1.0;
        c.kminus_triplet =
            c.kminus_triplet * ((c.last_spike - t_sp) * c.tau_minus_triplet_inv).exp() + 1.0;
        c.last_spike = t_sp;
        c.history.push(HistEntry {
            t: t_sp,
            kminus: c.kminus,
            kminus_triplet: c.kminus_triplet,
            access: 0,
        });
        self.reload();
    }

    /// Entries held (NEST's `archiver_length`).
    pub fn len(&self) -> usize {
        self.live().len()
    }

    /// Whether no spike is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        size_of::<Self>()
            + size_of::<Cold>()
            + self.cold.history.capacity() * size_of::<HistEntry>()
    }
}

/// Each archive's [`k_value`](SpikeArchive::k_value) at `t` into `out`,
/// the same bits, the `exp`s raised together by `path` (`exponents` is
/// scratch): where a spike's row reaches most of its shard's neurons, one
/// sweep over the archives per spike time costs less than a lookup per
/// synapse that fetches the history behind each archive's pointer.
pub fn k_values(
    archives: &[SpikeArchive],
    t: f64,
    out: &mut Vec<f64>,
    exponents: &mut Vec<f64>,
    path: ExpPath,
) {
    out.clear();
    exponents.clear();
    for a in archives {
        let (kminus, exponent) = a.k_term(t);
        out.push(kminus);
        exponents.push(exponent);
    }
    exp_each(exponents, path);
    for (k, e) in out.iter_mut().zip(exponents.iter()) {
        *k *= e;
    }
}

/// Copy the line's read counts onto the newest entries of `live`, the
/// history's live part (oldest first).
fn copy_counts(live: &mut [HistEntry], recent_access: &[u32; RECENT]) {
    let n = live.len().min(RECENT);
    let at = live.len() - n;
    for (e, &a) in live[at..].iter_mut().zip(&recent_access[RECENT - n..]) {
        e.access = a;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window as delivery reads it: from the newest entries where
    /// they settle it, else from the history.
    fn window(a: &mut SpikeArchive, t1: f64, t2: f64) -> Vec<f64> {
        let mut out = [0.0; RECENT];
        match a.read_recent(t1, t2, &mut out) {
            Some(n) => out[..n].to_vec(),
            None => a.history(t1, t2).iter().map(|e| e.t).collect(),
        }
    }

    #[test]
    fn archives_only_with_connections_and_trims_once_read() {
        let mut a = SpikeArchive::new(20.0, 110.0);
        a.spike(1.0, 1.0);
        assert!(a.is_empty());
        a.register(-1.0, 1.0);
        for t in [2.0, 3.0, 10.0, 20.0] {
            a.spike(t, 1.0);
        }
        assert_eq!(a.len(), 4);
        // Kminus: 1 at 2 ms, then decayed plus one.
        let k3 = ((2.0f64 - 3.0) * (1.0 / 20.0)).exp() + 1.0;
        assert_eq!(a.k_value(3.5), k3 * ((3.0 - 3.5) * (1.0 / 20.0f64)).exp());
        assert_eq!(a.k_value(2.0), 0.0);
        // (2, 10] holds 3 and 10; nothing is trimmed until 2 is read too.
        assert_eq!(a.history(2.0, 10.0).len(), 2);
        a.spike(30.0, 1.0);
        assert_eq!(a.len(), 5);
        assert_eq!(a.history(0.0, 2.0).len(), 1);
        // 2, 3 and 10 have been read, and each is followed by a spike more
        // than max_delay + min_delay before 40 ms: they go; 20 (unread)
        // stays.
        a.spike(40.0, 1.0);
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn a_read_trace_is_remembered_until_the_next_spike() {
        let mut a = SpikeArchive::new(20.0, 110.0);
        a.register(-1.0, 1.0);
        a.spike(2.0, 1.0);
        let before = a.k_value(5.0);
        assert_eq!(a.k_value_at(5.0), before);
        assert_eq!(a.k_value_at(5.0), before);
        assert_eq!(a.k_value_at(4.0), a.k_value(4.0));
        a.spike(3.0, 1.0);
        assert_ne!(a.k_value(5.0), before);
        assert_eq!(a.k_value_at(5.0), a.k_value(5.0));
    }

    /// The sweep's traces are each archive's own, to the bit: archives
    /// that never spiked, spiked once or several times, with times before,
    /// at (within `stdp_eps`) and after their spikes, more archives than
    /// one vector holds and a remainder.
    #[test]
    fn swept_traces_are_each_archives_own() {
        let mut archives = vec![SpikeArchive::new(20.0, 110.0); 11];
        for (i, a) in archives.iter_mut().enumerate() {
            a.register(-1.0, 1.0);
            for j in 0..i % 4 {
                a.spike(1.0 + i as f64 * 0.3 + j as f64 * 0.7, 0.1);
            }
        }
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        for t in [0.5, 1.3, 2.0, 2.0 + 0.5 * STDP_EPS, 3.7, 50.0, 3000.0] {
            for path in [ExpPath::Library, ExpPath::detect()] {
                k_values(&archives, t, &mut out, &mut scratch, path);
                for (i, (a, k)) in archives.iter().zip(&out).enumerate() {
                    assert_eq!(k.to_bits(), a.k_value(t).to_bits(), "archive {i} at {t}");
                }
            }
        }
    }

    #[test]
    fn reads_skip_archives_with_no_spike_in_the_window() {
        let mut a = SpikeArchive::new(20.0, 110.0);
        a.register(-1.0, 1.0);
        a.spike(2.0, 1.0);
        a.spike(3.0, 1.0);
        assert!(a.history(3.0, 9.0).is_empty());
        assert_eq!(a.history(2.5, 9.0).len(), 1);
        assert_eq!(a.history(1.0, 2.5).len(), 1);
        // Each entry was counted by the one read that found it.
        let access: Vec<u32> = a.entries().iter().map(|e| e.access).collect();
        assert_eq!(access, [1, 1]);
    }

    #[test]
    fn trimmed_spikes_leave_the_room_in_bulk() {
        let mut a = SpikeArchive::new(20.0, 110.0);
        a.register(-1.0, 1.0);
        for i in 0..200 {
            let t = 2.0 + 5.0 * f64::from(i);
            a.history(t - 10.0, t - 1.0);
            a.spike(t, 1.0);
        }
        // Each spike is read before the next one: only the newest two stay,
        // and the room of the trimmed ones is given back.
        let times: Vec<f64> = a.entries().iter().map(|e| e.t).collect();
        assert_eq!(times, [992.0, 997.0]);
        assert!(
            a.cold.history.len() <= 4,
            "{} entries kept",
            a.cold.history.len()
        );
    }

    /// NEST's archive as NEST holds it: one list, read and trimmed in
    /// place, traces computed afresh.
    struct Reference {
        entries: Vec<HistEntry>,
        kminus: f64,
        last_spike: f64,
        n_incoming: u32,
        max_delay: f64,
    }

    impl Reference {
        /// The entries in the window, by their times alone (NEST's loops
        /// from the newest end find those of a list sorted by time).
        fn window(&mut self, t1: f64, t2: f64) -> Vec<f64> {
            let (t1_lim, t2_lim) = (t1 + STDP_EPS, t2 + STDP_EPS);
            let inside = self
                .entries
                .iter_mut()
                .filter(|e| e.t >= t1_lim && e.t < t2_lim);
            inside
                .map(|e| {
                    e.access += 1;
                    e.t
                })
                .collect()
        }

        fn k_value(&self, t: f64, tau_minus: f64) -> f64 {
            for e in self.entries.iter().rev() {
                if t - e.t > STDP_EPS {
                    return e.kminus * ((e.t - t) * (1.0 / tau_minus)).exp();
                }
            }
            0.0
        }

        fn spike(&mut self, t_sp: f64, min_delay: f64, tau_minus: f64) {
            while self.entries.len() > 1
                && self.entries[0].access >= self.n_incoming
                && t_sp - self.entries[1].t > self.max_delay + min_delay + STDP_EPS
            {
                self.entries.remove(0);
            }
            self.kminus = self.kminus * ((self.last_spike - t_sp) * (1.0 / tau_minus)).exp() + 1.0;
            self.last_spike = t_sp;
            self.entries.push(HistEntry {
                t: t_sp,
                kminus: self.kminus,
                kminus_triplet: 0.0,
                access: 0,
            });
        }
    }

    #[test]
    fn windows_traces_and_trimming_are_those_of_one_list() {
        // Windows of every width over bursts of spikes, so that reads end
        // at the newest entry and deep in the history, with spikes after
        // a window's end too; the remembered trace and the trimming
        // against NEST's plain list.
        let (tau_minus, min_delay, delay) = (20.0, 0.1, 1.5);
        let mut a = SpikeArchive::new(tau_minus, 110.0);
        let sources = 3;
        for _ in 0..sources {
            a.register(-1.0, delay);
        }
        let mut r = Reference {
            entries: Vec::new(),
            kminus: 0.0,
            last_spike: -1.0,
            n_incoming: sources,
            max_delay: delay,
        };
        let mut rng = spindle_core::rng::stream(5, spindle_core::rng::Purpose::Poisson, 1, 2);
        let mut draw = |n: u64| spindle_core::rng::below(&mut rng, n);
        let mut t = 1.0;
        let mut t_last = vec![0.0; sources as usize];
        let mut widest = 0;
        for step in 0..3000 {
            t += 0.1 * (1 + draw(if step % 500 < 50 { 2 } else { 40 })) as f64;
            if draw(3) == 0 {
                a.spike(t, min_delay);
                r.spike(t, min_delay, tau_minus);
            }
            let s = draw(u64::from(sources)) as usize;
            let t_spike = t + 0.1 * draw(30) as f64;
            let want = r.window(t_last[s] - delay, t_spike - delay);
            let got = window(&mut a, t_last[s] - delay, t_spike - delay);
            assert_eq!(got, want, "window at step {step}");
            widest = widest.max(got.len());
            let k = r.k_value(t_spike - delay, tau_minus);
            assert_eq!(a.k_value_at(t_spike - delay).to_bits(), k.to_bits());
            assert_eq!(
                a.k_value(t - 0.05).to_bits(),
                r.k_value(t - 0.05, tau_minus).to_bits()
            );
            t_last[s] = t_spike.max(t_last[s]);
            let e = a.entries();
            assert_eq!(e.len(), r.entries.len(), "archiver length at step {step}");
            assert!(
                e.iter()
                    .zip(&r.entries)
                    .all(|(x, y)| x.t == y.t && x.kminus == y.kminus && x.access == y.access)
            );
        }
        assert!(widest > 4, "windows of several spikes");
    }
}
