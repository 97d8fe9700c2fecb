//! Input ring buffers, one per shard and channel (NEST's `Buffers_`).
//!
//! Laid out slot-major: the row of one slot holds the input of every neuron
//! of the shard for one step. The targets of one spike all write into the
//! same row, which therefore stays in cache while a spike's synapses are
//! walked.

use spindle_core::Step;

/// The excitatory and inhibitory input of every neuron of a shard for the
/// next `len` steps, in pA (summed synaptic weights).
#[derive(Debug, Clone)]
pub struct InputRing {
    n: usize,
    len: usize,
    ex: Vec<f64>,
    inh: Vec<f64>,
}

impl InputRing {
    /// Rows for `len` steps of `n` neurons. `len` must exceed the longest
    /// delay plus the slice length minus one, so that no write wraps onto a
    /// row not yet read.
    pub fn new(n: usize, len: usize) -> Self {
        assert!(len > 0);
        Self {
            n,
            len,
            ex: vec![0.0; n * len],
            inh: vec![0.0; n * len],
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the ring covers no neuron.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.ex.len() + self.inh.len()) * std::mem::size_of::<f64>()
    }

    #[inline]
    fn row(&self, step: Step) -> usize {
        (step % self.len as u64) as usize * self.n
    }

    /// The row of the channel chosen by the weight's sign (NEST: `s > 0`
    /// is excitatory) for input arriving at `step`.
    #[inline]
    pub fn row_mut(&mut self, step: Step, weight: f64) -> &mut [f64] {
        let at = self.row(step);
        let buf = if weight > 0.0 {
            &mut self.ex
        } else {
            &mut self.inh
        };
        &mut buf[at..at + self.n]
    }

    /// Add `weight` for neuron `local` at `step`.
    #[inline]
    pub fn add(&mut self, step: Step, local: usize, weight: f64) {
        let at = self.row(step) + local;
        if weight > 0.0 {
            self.ex[at] += weight;
        } else {
            self.inh[at] += weight;
        }
    }

    /// The row offset of each step `origin + lag` for `lag` in `from..to`,
    /// into `out[lag]`, so an update reads the ring without a division per
    /// neuron and step.
    pub fn row_offsets(&self, origin: Step, from: u32, to: u32, out: &mut Vec<usize>) {
        out.clear();
        out.resize(to as usize, 0);
        let mut slot = ((origin + from as Step) % self.len as u64) as usize;
        for row in &mut out[from as usize..] {
            *row = slot * self.n;
            slot += 1;
            if slot == self.len {
                slot = 0;
            }
        }
    }

    /// Read and clear the input of neuron `local` in the row starting at
    /// `row` (from `row_offsets`): (ex, in).
    #[inline]
    pub fn take_at(&mut self, row: usize, local: usize) -> (f64, f64) {
        let at = row + local;
        (
            std::mem::take(&mut self.ex[at]),
            std::mem::take(&mut self.inh[at]),
        )
    }

    /// Read and clear the input of neurons `local..local + N` in the row
    /// starting at `row`.
    #[inline]
    pub fn take_block<const N: usize>(&mut self, row: usize, local: usize) -> ([f64; N], [f64; N]) {
        let at = row + local;
        let ex: [f64; N] = self.ex[at..at + N].try_into().expect("N neurons");
        let inh: [f64; N] = self.inh[at..at + N].try_into().expect("N neurons");
        self.ex[at..at + N].fill(0.0);
        self.inh[at..at + N].fill(0.0);
        (ex, inh)
    }

    /// Read and clear the input of neuron `local` at `step`: (ex, in).
    #[inline]
    pub fn take(&mut self, step: Step, local: usize) -> (f64, f64) {
        let at = self.row(step) + local;
        let ex = std::mem::take(&mut self.ex[at]);
        let inh = std::mem::take(&mut self.inh[at]);
        (ex, inh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_by_sign_and_cleared_on_read() {
        let mut r = InputRing::new(3, 4);
        r.add(5, 1, 2.0);
        r.add(5, 1, -1.0);
        r.row_mut(5, 3.0)[1] += 3.0;
        assert_eq!(r.take(5, 1), (5.0, -1.0));
        assert_eq!(r.take(5, 1), (0.0, 0.0));
        // step 9 shares the slot of step 5 and 1
        r.add(9, 2, 1.0);
        assert_eq!(r.take(1, 2), (1.0, 0.0));
    }

    #[test]
    fn row_offsets_wrap() {
        let r = InputRing::new(3, 4);
        let mut rows = Vec::new();
        r.row_offsets(6, 1, 4, &mut rows);
        // steps 7, 8, 9 -> slots 3, 0, 1
        assert_eq!(&rows[1..], &[9, 0, 3]);
    }
}
