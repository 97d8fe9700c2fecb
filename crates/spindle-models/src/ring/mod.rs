//! Input ring buffers, one per shard and channel (NEST's `Buffers_`).
//!
//! Laid out slot-major: the row of one slot holds the input of every neuron
//! of the shard for one step. The targets of one spike all write into the
//! same row, which therefore stays in cache while a spike's synapses are
//! walked.
//!
//! Synapses of one weight (a "count group") do not add their weight per
//! event: they count events in 16-bit cells, a row a quarter the size of a
//! row of doubles, and the neuron reads `weight * count`. The summed
//! weights then do not depend on the order events arrive in, and the rows
//! the delivery writes stay in the first-level cache.
//!
//! A count group may also count in bit planes: bit `p` of plane word
//! `t / 64`, bit `t % 64`, is bit `p` of neuron `t`'s count. A spike whose
//! targets come as a bitmap (dense projections) is then added to all its
//! targets at once, 512 at a time, by a ripple-carry addition (through the
//! first planes without a branch, further only where a carry is left):
//! about a tenth of the cost of one read-modify-write per event. Before a step's input is read the planes
//! are folded into its 16-bit cells ([`InputRing::fold_planes`]).
//!
//! Neurons with input ports (NEST's receptor types, `iaf_psc_exp_multisynapse`)
//! read one channel per port: a ring made [`with_ports`](InputRing::with_ports)
//! holds, per slot, a row of doubles per port (port-major within the slot, so
//! that a block of neighbouring neurons reads one port's cells in a line).
//! A ring without ports holds none of them, and its ex/inh paths are those
//! of a ring that never had any.

use spindle_core::Step;
use spindle_core::cache::prefetch;

use crate::Isa;

mod planes;
use planes::Planes;

/// Events (neuron, weight) waiting to be added to a step's row.
pub type Events = Vec<(u32, f32)>;

/// The excitatory and inhibitory input of every neuron of a shard for the
/// next `len` steps, in pA (summed synaptic weights).
#[derive(Debug, Clone)]
pub struct InputRing {
    n: usize,
    len: usize,
    ex: Vec<f64>,
    inh: Vec<f64>,
    /// Weight of each count group, and its event counts (`len * n` cells).
    counts: Vec<(f64, Vec<u16>)>,
    /// Each count group's bit planes.
    planes: Vec<Planes>,
    /// Whether any weight was ever added to `ex` or `inh`; while not,
    /// reads skip those rows (in the seed network every synapse counts).
    weights_written: bool,
    /// Whether a weight was ever added to a slot's row directly, not
    /// through an event list. While not, a slice's events are added to
    /// the first rows, one per lag of the slice ("staged"), instead of to
    /// their slots' rows: the same few rows each slice, in cache, where
    /// the rows of all delays are not (39 MB per shard in the
    /// microcircuit). The rows of the other slots stay untouched.
    direct: bool,
    /// Per slot, events (neuron, weight) waiting to be added to the slot's
    /// rows when it is read ([`push_events`](Self::push_events)): the
    /// excitatory ones and the inhibitory ones, each list folded into its
    /// own row. A fold then works on one row at a time, which fits the
    /// second-level cache where the two did not (the microcircuit's rows
    /// are 308 KB each per shard on 2 threads), and adds without a branch
    /// on the sign.
    events: Vec<[Events; 2]>,
    /// Input channels per neuron besides (ex, inh): receptor ports.
    ports: usize,
    /// Per slot, a row of `n` doubles per port (`len * ports * n`; empty
    /// without ports).
    port_cells: Vec<f64>,
}

impl InputRing {
    /// Rows for `len` steps of `n` neurons. `len` must exceed the longest
    /// delay plus the slice length minus one, so that no write wraps onto a
    /// row not yet read.
    pub fn new(n: usize, len: usize) -> Self {
        Self::with_counts(n, len, &[])
    }

    /// As `new`, with one count group per entry of `weights`. The caller
    /// guarantees that no cell receives more than `u16::MAX` events. The
    /// slots are rounded up to a power of two, so that finding a step's
    /// row is a mask, not a division (delivery finds one per spike and
    /// shard).
    pub fn with_counts(n: usize, len: usize, weights: &[f64]) -> Self {
        Self::with_planes(n, len, weights, &vec![0; weights.len()], Isa::Portable)
    }

    /// As `with_counts`, where count group `g` also has `depths[g]` bit
    /// planes (enough for the most bitmap events one step can bring a
    /// neuron: [`add_bitmap`](Self::add_bitmap)), added and folded with the
    /// vector unit `isa`, which must be available.
    pub fn with_planes(n: usize, len: usize, weights: &[f64], depths: &[u32], isa: Isa) -> Self {
        assert!(len > 0);
        assert_eq!(weights.len(), depths.len());
        assert!(isa.available(), "{isa:?} is not available on this CPU");
        let len = len.next_power_of_two();
        let mut ring = Self {
            n,
            len,
            ex: vec![0.0; n * len],
            inh: vec![0.0; n * len],
            counts: weights.iter().map(|&w| (w, vec![0; n * len])).collect(),
            planes: Vec::new(),
            weights_written: false,
            direct: false,
            events: vec![[Vec::new(), Vec::new()]; len],
            ports: 0,
            port_cells: Vec::new(),
        };
        let words = ring.plane_words();
        ring.planes = depths
            .iter()
            .map(|&d| Planes::new(isa, words, d as usize, len))
            .collect();
        ring
    }

    /// This ring with `ports` input channels per neuron besides (ex, inh),
    /// one per receptor port (a row of doubles per port and slot).
    pub fn with_ports(mut self, ports: usize) -> Self {
        self.ports = ports;
        self.port_cells = vec![0.0; self.len * ports * self.n];
        self
    }

    /// Input channels per neuron besides (ex, inh).
    pub fn ports(&self) -> usize {
        self.ports
    }

    /// Where port `port`'s row for the slot whose (ex, inh) row starts at
    /// `row` (from [`row_offsets`](Self::row_offsets)) starts.
    #[inline(always)]
    fn port_row(&self, row: usize, port: usize) -> usize {
        debug_assert!(port < self.ports, "port {port} of {}", self.ports);
        row * self.ports + port * self.n
    }

    /// The row of port `port` for input arriving at `step`.
    #[inline]
    pub fn port_row_mut(&mut self, step: Step, port: usize) -> &mut [f64] {
        let at = self.port_row(self.row(step), port);
        &mut self.port_cells[at..at + self.n]
    }

    /// Add `weight` on port `port` of neuron `local` at `step`.
    #[inline]
    pub fn add_port(&mut self, step: Step, local: usize, port: usize, weight: f64) {
        let at = self.port_row(self.row(step), port) + local;
        self.port_cells[at] += weight;
    }

    /// Add `weight` on port `port` of neuron `local` in the slot whose row
    /// starts at `row` (from [`row_offsets`](Self::row_offsets)).
    #[inline]
    pub fn add_port_at(&mut self, row: usize, port: usize, local: usize, weight: f64) {
        let at = self.port_row(row, port) + local;
        self.port_cells[at] += weight;
    }

    /// Read and clear port `port` of neurons `local..local + N` in the slot
    /// whose row starts at `row` (from [`row_offsets`](Self::row_offsets)).
    #[inline(always)]
    pub fn take_port_lanes<const N: usize>(
        &mut self,
        row: usize,
        port: usize,
        local: usize,
    ) -> [f64; N] {
        let at = self.port_row(row, port) + local;
        let cells: &mut [f64; N] = (&mut self.port_cells[at..at + N])
            .try_into()
            .expect("N neurons");
        std::mem::replace(cells, [0.0; N])
    }

    /// Estimated bytes of the port rows of a ring made by
    /// [`with_ports`](Self::with_ports)`(ports)` for `n` neurons and `len`
    /// slots (rounded up as the ring rounds them). Saturating.
    pub fn estimate_port_bytes(n: u64, len: u64, ports: u64) -> u64 {
        let slots = len.max(1).checked_next_power_of_two().unwrap_or(u64::MAX);
        n.saturating_mul(slots)
            .saturating_mul(ports)
            .saturating_mul(size_of::<f64>() as u64)
    }

    /// Words of one bit plane (and of one bitmap of targets).
    pub fn plane_words(&self) -> usize {
        self.n.div_ceil(64)
    }

    /// Count one event for every neuron whose bit is set in `bitmap`
    /// (`plane_words` words), in group `group` at `step`. The group must
    /// have planes enough: no neuron may gather more than `2^depth - 1`
    /// events of one step this way.
    #[inline]
    pub fn add_bitmap(&mut self, group: usize, step: Step, bitmap: &[u64]) {
        let slot = step as usize & (self.len - 1);
        self.planes[group].add(slot, bitmap);
    }

    /// The lists of events (neuron, weight) arriving at `step`, the
    /// excitatory ones (weight > 0, NEST's rule) and the inhibitory ones
    /// (the others): they are added to the step's rows, each list in its
    /// order, when it is read. The caller puts each event in the list of
    /// its sign ([`push_event`](Self::push_event) does). Appending to a
    /// list costs a sequential write where adding to a row at random
    /// would miss the cache once per event: a shard's rows for all delays
    /// exceed the caches when there are many neurons and delays (the
    /// microcircuit's take 39 MB per shard), while one step's row of a
    /// shard stays in them while it is read.
    #[inline]
    pub fn push_events(&mut self, step: Step) -> (&mut Events, &mut Events) {
        self.weights_written = true;
        let [ex, inh] = &mut self.events[step as usize & (self.len - 1)];
        (ex, inh)
    }

    /// Start fetching the two lines past the end of `events`, where the
    /// next group of events for the same step goes. A spike's groups go
    /// to the lists of as many steps as it has delays, so the hardware sees
    /// no stream in the writes, and a list's next lines were last written
    /// a turn of the ring ago: they come from memory. In the microcircuit
    /// (groups of 15 to 30 events) this made delivery about 10 % faster.
    #[inline(always)]
    pub fn prefetch_tail(events: &Events) {
        let end = events.as_ptr_range().end.cast::<u8>();
        prefetch(end.wrapping_add(64));
        prefetch(end.wrapping_add(128));
    }

    /// Append the event (neuron `local`, `weight`) arriving at `step` to
    /// the list of its sign.
    #[inline]
    pub fn push_event(&mut self, step: Step, local: u32, weight: f32) {
        let (ex, inh) = self.push_events(step);
        if weight > 0.0 { ex } else { inh }.push((local, weight));
    }

    /// Fold the bit planes of the steps `origin + lag`, `lag` in
    /// `from..to`, into their 16-bit cells, and clear them; add the
    /// steps' pending events to their rows (staged or the slots').
    #[inline(always)]
    pub fn fold_planes(&mut self, origin: Step, from: u32, to: u32) {
        for lag in from..to {
            let slot = (origin + Step::from(lag)) as usize & (self.len - 1);
            let at = self.weight_row(slot * self.n, lag as usize);
            let [ex, inh] = &mut self.events[slot];
            if !(ex.is_empty() && inh.is_empty()) {
                add_events(&mut self.ex[at..at + self.n], ex);
                add_events(&mut self.inh[at..at + self.n], inh);
            }
            for (planes, (_, counts)) in self.planes.iter_mut().zip(&mut self.counts) {
                planes.fold(slot, &mut counts[slot * self.n..(slot + 1) * self.n]);
            }
        }
    }

    /// The count row of group `group` for events arriving at `step`.
    #[inline]
    pub fn count_row_mut(&mut self, group: usize, step: Step) -> &mut [u16] {
        let at = self.row(step);
        &mut self.counts[group].1[at..at + self.n]
    }

    /// Count one event of group `group` for neuron `local` at `step`.
    #[inline(always)]
    pub fn add_count(&mut self, group: usize, step: Step, local: usize) {
        let at = self.row(step) + local;
        self.counts[group].1[at] += 1;
    }

    /// Add the count groups' input at cell `at` to (ex, inh), group by
    /// group, and clear the cells.
    #[inline(always)]
    fn add_counts(&mut self, at: usize, ex: &mut f64, inh: &mut f64) {
        for (w, cells) in &mut self.counts {
            let c = std::mem::take(&mut cells[at]);
            let s = *w * f64::from(c);
            if *w > 0.0 {
                *ex += s;
            } else {
                *inh += s;
            }
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

    /// Estimated bytes of a ring made by
    /// [`with_planes`](Self::with_planes)`(n, len, weights, depths, _)`
    /// (one count group per entry of `depths`), from the layout alone: the
    /// slots rounded up as `with_planes` rounds them, and per slot a `u16`
    /// row per count group and each group's bit planes, all of them (deeper
    /// planes are written only where carries reach, so this is the most
    /// they take). The two `f64` rows per slot count only where
    /// `weight_rows`: they are allocated zeroed, and while no weight is
    /// added to them (every synapse in a count group and no spike
    /// generator, as in the seed network) their pages are never written,
    /// so never backed by memory (the seed network at order 2500 on one
    /// thread allocates 6.1 MiB of them; its peak RSS, 36.6 MiB, is
    /// matched within 1 % without them). Saturating.
    pub fn estimate_bytes(n: u64, len: u64, depths: &[u32], weight_rows: bool) -> u64 {
        let slots = len.max(1).checked_next_power_of_two().unwrap_or(u64::MAX);
        let cells = n.saturating_mul(slots);
        let weights = if weight_rows {
            cells.saturating_mul(2 * size_of::<f64>() as u64)
        } else {
            0
        };
        let words = n.div_ceil(64);
        depths
            .iter()
            .map(|&d| {
                cells
                    .saturating_mul(size_of::<u16>() as u64)
                    .saturating_add(Planes::estimate_bytes(words, u64::from(d), slots))
            })
            .fold(weights, u64::saturating_add)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.ex.len() + self.inh.len() + self.port_cells.len()) * size_of::<f64>()
            + self.planes.iter().map(Planes::bytes).sum::<usize>()
            + self
                .counts
                .iter()
                .map(|(_, c)| c.len() * size_of::<u16>())
                .sum::<usize>()
    }

    /// From now on weights go to their slots' rows. The staged rows are
    /// clear between slices (each read clears what it reads), so they
    /// become slot rows holding nothing.
    #[inline]
    fn write_directly(&mut self) {
        self.weights_written = true;
        self.direct = true;
    }

    /// Where the weights of lag `lag` of a slice, whose slot row starts at
    /// `row` (from [`row_offsets`](Self::row_offsets)), start in `ex` and
    /// `inh`: the slot's row, or the lag's staged row.
    #[inline(always)]
    fn weight_row(&self, row: usize, lag: usize) -> usize {
        if self.direct { row } else { lag * self.n }
    }

    #[inline]
    fn row(&self, step: Step) -> usize {
        (step as usize & (self.len - 1)) * self.n
    }

    /// The row of the channel chosen by the weight's sign (NEST: `s > 0`
    /// is excitatory) for input arriving at `step`.
    #[inline]
    pub fn row_mut(&mut self, step: Step, weight: f64) -> &mut [f64] {
        self.write_directly();
        let at = self.row(step);
        let buf = if weight > 0.0 {
            &mut self.ex
        } else {
            &mut self.inh
        };
        &mut buf[at..at + self.n]
    }

    /// The excitatory and inhibitory rows for input arriving at `step`.
    #[inline]
    pub fn rows_mut(&mut self, step: Step) -> (&mut [f64], &mut [f64]) {
        self.write_directly();
        let at = self.row(step);
        (
            &mut self.ex[at..at + self.n],
            &mut self.inh[at..at + self.n],
        )
    }

    /// Add `weight` for neuron `local` at `step`.
    #[inline]
    pub fn add(&mut self, step: Step, local: usize, weight: f64) {
        self.write_directly();
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
        let mut slot = (origin + from as Step) as usize & (self.len - 1);
        for row in &mut out[from as usize..] {
            *row = slot * self.n;
            slot += 1;
            if slot == self.len {
                slot = 0;
            }
        }
    }

    /// Read and clear the input of neuron `local` in the row starting at
    /// `row` (from `row_offsets`), lag `lag` of its slice: (ex, in).
    #[inline]
    fn take_at(&mut self, row: usize, lag: usize, local: usize) -> (f64, f64) {
        let at = row + local;
        let (mut ex, mut inh) = (0.0, 0.0);
        if self.weights_written {
            let w = self.weight_row(row, lag) + local;
            ex = std::mem::take(&mut self.ex[w]);
            inh = std::mem::take(&mut self.inh[w]);
        }
        self.add_counts(at, &mut ex, &mut inh);
        (ex, inh)
    }

    /// Start loading the cells of neuron `local` in the rows `rows[from..to]`,
    /// for a block of neurons read soon after: the delivery's stream of
    /// synapse rows has usually pushed them out of the near caches, and
    /// the hardware does not track one stream per row.
    #[inline(always)]
    pub fn prefetch_cells(&self, rows: &[usize], local: usize, from: u32, to: u32) {
        for (lag, &row) in rows
            .iter()
            .enumerate()
            .take(to as usize)
            .skip(from as usize)
        {
            let at = row + local;
            if self.weights_written {
                let w = self.weight_row(row, lag) + local;
                prefetch(self.ex.as_ptr().wrapping_add(w));
                prefetch(self.inh.as_ptr().wrapping_add(w));
            }
            for (_, counts) in &self.counts {
                prefetch(counts.as_ptr().wrapping_add(at));
            }
        }
    }

    /// Read and clear the input of neurons `local..local + N` for the lags
    /// `from..to` (rows from `row_offsets`) and add it to the Poisson input
    /// already in `ex[lag * N + l]` and `inh[lag * N + l]`. Each cell's sum
    /// is formed as `take_at` forms it (weights, then each count group in
    /// turn, from +0.0), one source at a time over the whole slice, so that
    /// the lanes stay in vector registers.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn take_slice<const N: usize>(
        &mut self,
        rows: &[usize],
        local: usize,
        from: u32,
        to: u32,
        ex: &mut [f64],
        inh: &mut [f64],
        sums: &mut [f64],
    ) {
        let (from, to) = (from as usize, to as usize);
        let (sx, si) = sums[..2 * N * to].split_at_mut(N * to);
        sx[from * N..].fill(0.0);
        si[from * N..].fill(0.0);
        for (lag, &row) in rows.iter().enumerate().take(to).skip(from) {
            let cells = lag * N..lag * N + N;
            if self.weights_written {
                let at = self.weight_row(row, lag) + local;
                sx[cells.clone()].copy_from_slice(&self.ex[at..at + N]);
                si[cells.clone()].copy_from_slice(&self.inh[at..at + N]);
                self.ex[at..at + N].fill(0.0);
                self.inh[at..at + N].fill(0.0);
            }
        }
        for (w, counts) in &mut self.counts {
            let (w, out) = (*w, if *w > 0.0 { &mut *sx } else { &mut *si });
            for (lag, &row) in rows.iter().enumerate().take(to).skip(from) {
                let at = row + local;
                let c: [u16; N] = counts[at..at + N].try_into().expect("N neurons");
                counts[at..at + N].fill(0);
                let o: &mut [f64; N] = (&mut out[lag * N..lag * N + N])
                    .try_into()
                    .expect("N lanes");
                for l in 0..N {
                    o[l] += w * f64::from(c[l]);
                }
            }
        }
        // Addition commutes bit for bit: this is `ring + poisson`.
        for cell in from * N..to * N {
            ex[cell] += sx[cell];
            inh[cell] += si[cell];
        }
    }

    /// Read and clear the input of neurons `local..local + N` in the row
    /// starting at `row`, lag `lag` of its slice, as `take_slice` forms it
    /// (the weights, or +0.0 where none were ever written, then each count
    /// group in turn): (ex, in) lane by lane.
    #[inline(always)]
    pub fn take_lanes<const N: usize>(
        &mut self,
        row: usize,
        lag: usize,
        local: usize,
    ) -> ([f64; N], [f64; N]) {
        let at = row + local;
        let (mut ex, mut inh) = ([0.0; N], [0.0; N]);
        if self.weights_written {
            let w = self.weight_row(row, lag) + local;
            let (x, y) = (&mut self.ex[w..w + N], &mut self.inh[w..w + N]);
            ex = std::mem::replace(x.try_into().expect("N neurons"), [0.0; N]);
            inh = std::mem::replace(y.try_into().expect("N neurons"), [0.0; N]);
        }
        for (w, counts) in &mut self.counts {
            let cells: &mut [u16; N] = (&mut counts[at..at + N]).try_into().expect("N neurons");
            let c = std::mem::replace(cells, [0; N]);
            let w = *w;
            if w > 0.0 {
                for l in 0..N {
                    ex[l] += w * f64::from(c[l]);
                }
            } else {
                for l in 0..N {
                    inh[l] += w * f64::from(c[l]);
                }
            }
        }
        (ex, inh)
    }

    /// Read and clear the input of neuron `local` at `step`: (ex, in).
    #[inline]
    pub fn take(&mut self, step: Step, local: usize) -> (f64, f64) {
        self.fold_planes(step, 0, 1);
        let row = self.row(step);
        self.take_at(row, 0, local)
    }
}

/// Add each event's weight to its neuron's cell of `row`, in list order,
/// and empty the list. Each event's cell is fetched [`FOLD_AHEAD`] events
/// before it is added to: the delivery's stream pushes the row out of the
/// near caches between folds (the microcircuit's rows are 308 KB per
/// shard), and the cells lie at random, which the hardware cannot foresee.
#[inline(always)]
fn add_events(row: &mut [f64], events: &mut Events) {
    let ahead = events.len().saturating_sub(FOLD_AHEAD);
    for (i, &(t, w)) in events[..ahead].iter().enumerate() {
        prefetch(row.as_ptr().wrapping_add(events[i + FOLD_AHEAD].0 as usize));
        row[t as usize] += f64::from(w);
    }
    for &(t, w) in &events[ahead..] {
        row[t as usize] += f64::from(w);
    }
    events.clear();
}

/// How many events ahead [`add_events`] fetches a cell (32 was no better
/// in the microcircuit).
const FOLD_AHEAD: usize = 16;

#[cfg(test)]
mod tests;
