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

use std::collections::VecDeque;

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

/// One neuron's archive.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeArchive {
    tau_minus_inv: f64,
    tau_minus_triplet_inv: f64,
    kminus: f64,
    kminus_triplet: f64,
    last_spike: f64,
    /// STDP connections onto the neuron.
    n_incoming: u32,
    /// Their longest delay [ms].
    max_delay: f64,
    history: VecDeque<HistEntry>,
    /// The last [`k_value_at`](SpikeArchive::k_value_at) read, (time,
    /// value), until the next spike changes the history.
    k_read: Option<(f64, f64)>,
}

impl SpikeArchive {
    /// An empty archive with time constants `tau_minus` and
    /// `tau_minus_triplet` [ms] (validated as neuron parameters).
    pub fn new(tau_minus: f64, tau_minus_triplet: f64) -> Self {
        Self {
            tau_minus_inv: 1.0 / tau_minus,
            tau_minus_triplet_inv: 1.0 / tau_minus_triplet,
            kminus: 0.0,
            kminus_triplet: 0.0,
            last_spike: -1.0,
            n_incoming: 0,
            max_delay: 0.0,
            history: VecDeque::new(),
            k_read: None,
        }
    }

    /// A new STDP connection of delay `delay` [ms] whose first read starts
    /// after `t_first_read` (NEST's `register_stdp_connection`).
    pub fn register(&mut self, t_first_read: f64, delay: f64) {
        for e in self.history.iter_mut() {
            if t_first_read - e.t <= -STDP_EPS {
                break;
            }
            e.access += 1;
        }
        self.n_incoming += 1;
        self.max_delay = self.max_delay.max(delay);
    }

    /// The entries in `(t1, t2]` (NEST's `get_history`), each counted as
    /// read once more.
    #[inline]
    pub fn history(&mut self, t1: f64, t2: f64) -> impl Iterator<Item = &HistEntry> {
        let t2_lim = t2 + STDP_EPS;
        let t1_lim = t1 + STDP_EPS;
        let h = &mut self.history;
        let mut finish = h.len();
        while finish > 0 && h[finish - 1].t >= t2_lim {
            finish -= 1;
        }
        let mut start = finish;
        while start > 0 && h[start - 1].t >= t1_lim {
            start -= 1;
            h[start].access += 1;
        }
        self.history.range(start..finish)
    }

    /// The trace `Kminus` at `t` [ms], from the last spike before it
    /// (NEST's `get_K_value`).
    #[inline]
    pub fn k_value(&self, t: f64) -> f64 {
        for e in self.history.iter().rev() {
            if t - e.t > STDP_EPS {
                return e.kminus * ((e.t - t) * self.tau_minus_inv).exp();
            }
        }
        0.0
    }

    /// [`k_value`](Self::k_value), remembered until the next spike: the
    /// spikes one step delivers through STDP synapses of one delay read
    /// each target's trace at the same time (in hpc_benchmark, every
    /// excitatory spike of the step reaches nearly every excitatory
    /// neuron), and an `exp` per synapse was a seventh of the delivery.
    /// The value is the same bits as computed afresh.
    #[inline]
    pub fn k_value_at(&mut self, t: f64) -> f64 {
        if let Some((at, k)) = self.k_read
            && at == t
        {
            return k;
        }
        let k = self.k_value(t);
        self.k_read = Some((t, k));
        k
    }

    /// Start fetching the newest spikes into the cache: a delivery reads
    /// the history from its end.
    #[inline(always)]
    pub fn prefetch_history(&self) {
        if let Some(last) = self.history.back() {
            spindle_core::cache::prefetch(std::ptr::from_ref(last).cast::<u8>());
        }
    }

    /// Archive a spike at `t_sp` [ms] (NEST's `set_spiketime`), trimming
    /// the history first; `min_delay` is NEST's minimum delay [ms].
    pub fn spike(&mut self, t_sp: f64, min_delay: f64) {
        self.k_read = None;
        if self.n_incoming == 0 {
            self.last_spike = t_sp;
            return;
        }
        while self.history.len() > 1 {
            let next_t_sp = self.history[1].t;
            if self.history[0].access >= self.n_incoming
                && t_sp - next_t_sp > self.max_delay + min_delay + STDP_EPS
            {
                self.history.pop_front();
            } else {
                break;
            }
        }
        self.kminus = self.kminus * ((self.last_spike - t_sp) * self.tau_minus_inv).exp() + 1.0;
        self.kminus_triplet = self.kminus_triplet
            * ((self.last_spike - t_sp) * self.tau_minus_triplet_inv).exp()
            + 1.0;
        self.last_spike = t_sp;
        self.history.push_back(HistEntry {
            t: t_sp,
            kminus: self.kminus,
            kminus_triplet: self.kminus_triplet,
            access: 0,
        });
    }

    /// Entries held (NEST's `archiver_length`).
    pub fn len(&self) -> usize {
        self.history.len()
    }

    /// Whether no spike is held.
    pub fn is_empty(&self) -> bool {
        self.history.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        size_of::<Self>() + self.history.capacity() * size_of::<HistEntry>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(a.history(2.0, 10.0).count(), 2);
        a.spike(30.0, 1.0);
        assert_eq!(a.len(), 5);
        assert_eq!(a.history(0.0, 2.0).count(), 1);
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
}
