//! `iaf_psc_exp`'s population: structure-of-arrays state and the lane
//! step, compiled once per vector unit (the driver is `iaf_psc_alpha`'s:
//! 16-lane blocks in two 8-lane chunks, single neurons for the remainder
//! and for sampled neurons).

use spindle_core::{Resolution, Step};

use super::{IafPscExpParams, Propagators};
use crate::model::{NO_PROBE, Population, SliceInput, SliceOutput};
use crate::{InputRing, Isa, PoissonInput};

/// A population of `iaf_psc_exp` neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
#[derive(Debug, Clone)]
pub struct IafPscExpPopulation {
    props: Propagators,
    offset: u32,
    /// Membrane potential relative to `E_L` [mV] (NEST's `V_m_`).
    v_m: Vec<f64>,
    /// Excitatory synaptic current [pA] (`i_syn_ex_`).
    i_ex: Vec<f64>,
    /// Inhibitory synaptic current [pA] (`i_syn_in_`).
    i_in: Vec<f64>,
    /// Refractory steps left.
    r: Vec<u32>,
    /// Multimeter probe per neuron, or `NO_PROBE`.
    probe: Vec<u32>,
    /// Multimeter sampling interval in steps (0: nothing recorded).
    probe_interval: Step,
    scratch: Scratch,
}

/// Working memory of one update call.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// Ring row of each lag.
    rows: Vec<usize>,
    /// A block's excitatory input per lag and lane (Poisson, then the ring).
    ex: Vec<f64>,
    /// A block's inhibitory input per lag and lane.
    inh: Vec<f64>,
    /// The ring's sums, before they join the Poisson input.
    sums: Vec<f64>,
    /// Which lanes fired in each lag, a bit per lane, read after the slice
    /// (reading them
    /// in the step itself stalls on the store just made).
    fired: Vec<u32>,
}

/// Neurons updated together by `update_lanes`: two AVX-512 registers (four
/// AVX2 ones) of doubles per state variable, enough independent chains to
/// hide the latency of the additions (`iaf_psc_alpha`'s choice, where 8
/// lanes measured 1.3x slower with AVX-512 and 1.8x slower with AVX2).
const LANES: usize = 16;

impl IafPscExpPopulation {
    /// Neurons one block of the lane step advances together.
    pub const LANES: usize = LANES;
}

impl IafPscExpPopulation {
    /// `len` neurons at local indices `offset..`, all starting at the
    /// parameters' `v_m`, with propagators for `res`.
    pub fn new(params: &IafPscExpParams, res: Resolution, offset: u32, len: usize) -> Self {
        let props = Propagators::new(params, res);
        Self {
            props,
            offset,
            v_m: vec![params.v_m - params.e_l; len],
            i_ex: vec![0.0; len],
            i_in: vec![0.0; len],
            r: vec![0; len],
            probe: vec![NO_PROBE; len],
            probe_interval: 0,
            scratch: Scratch::default(),
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.v_m.len()
    }

    /// Local index of the first neuron in the shard.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Whether the population is empty.
    pub fn is_empty(&self) -> bool {
        self.v_m.is_empty()
    }

    /// The propagators in use.
    pub fn propagators(&self) -> &Propagators {
        &self.props
    }

    /// Absolute membrane potential of neuron `i` [mV].
    pub fn v_m(&self, i: usize) -> f64 {
        self.v_m[i] + self.props.e_l
    }

    /// Bytes of state per neuron.
    pub const STATE_BYTES_PER_NEURON: usize = 3 * 8 + 4 + 4;

    /// Let multimeter probe `probe` sample neuron `i` every `interval` steps.
    pub fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.probe[i] = probe;
        self.probe_interval = interval.max(1);
    }

    /// Advance every neuron through steps `origin + from .. origin + to`
    /// (NEST's `update(origin, from, to)`) with the copy compiled for the
    /// vector unit `isa` (which must be available: [`Isa::available`]).
    /// Reads and clears the input ring, draws Poisson input, and reports
    /// spikes and samples to `out`. Every path makes the same operations in
    /// the same order, with no fused multiply-add (Rust never contracts
    /// `a * b + c`), so all give the same bits.
    #[allow(clippy::too_many_arguments)]
    pub fn update_on(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        out: &mut SliceOutput,
    ) {
        assert!(isa.available(), "{isa:?} is not available on this CPU");
        match isa {
            Isa::Portable => self.update_portable(origin, from, to, ring, poisson, out),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx2 => unsafe { self.update_avx2(origin, from, to, ring, poisson, out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F, AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx512 => unsafe { self.update_avx512(origin, from, to, ring, poisson, out) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => self.update_portable(origin, from, to, ring, poisson, out),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn update_avx2(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        out: &mut SliceOutput,
    ) {
        self.update_portable(origin, from, to, ring, poisson, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn update_avx512(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        out: &mut SliceOutput,
    ) {
        self.update_portable(origin, from, to, ring, poisson, out)
    }

    /// The update itself, inlined into each vector unit's copy.
    #[inline(always)]
    fn update_portable(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        out: &mut SliceOutput,
    ) {
        // Per slice, not per neuron-step: the ring row of every step, and
        // buffers for one block's input over the slice.
        let mut scratch = std::mem::take(&mut self.scratch);
        // The slice's bitmap counts into the cells (once per slice: a
        // second population finds the planes folded).
        ring.fold_planes(origin, from, to);
        ring.row_offsets(origin, from, to, &mut scratch.rows);
        scratch.ex.resize(LANES * to as usize, 0.0);
        scratch.inh.resize(LANES * to as usize, 0.0);
        scratch.sums.resize(2 * LANES * to as usize, 0.0);
        scratch.fired.resize(to as usize, 0);
        let mut i = 0;
        while i < self.len() {
            // Blocks of LANES neurons no multimeter samples; one at a time
            // otherwise (the remainder, and sampled neurons).
            if i + LANES <= self.len() && self.probe[i..i + LANES].iter().all(|&p| p == NO_PROBE) {
                // Two blocks ahead: the next cache line of 16-bit counts.
                let ahead = self.offset as usize + i + 2 * LANES;
                ring.prefetch_cells(&scratch.rows, ahead, from, to);
                self.update_lanes::<LANES, false>(
                    i,
                    origin,
                    from,
                    to,
                    ring,
                    poisson,
                    &mut scratch,
                    out,
                );
                i += LANES;
            } else if self.probe[i] == NO_PROBE {
                self.update_lanes::<1, false>(
                    i,
                    origin,
                    from,
                    to,
                    ring,
                    poisson,
                    &mut scratch,
                    out,
                );
                i += 1;
            } else {
                self.update_lanes::<1, true>(i, origin, from, to, ring, poisson, &mut scratch, out);
                i += 1;
            }
        }
        self.scratch = scratch;
    }

    /// Advance `N` neighbouring neurons (16, or 1), from `i0`, through the
    /// slice. Each neuron goes through NEST's operations in NEST's order,
    /// so any `N` gives the same bits; with 16 the lanes' independent
    /// dependency chains overlap (and vectorise), where one neuron alone
    /// waits on each step's additions. `PROBE` (with `N` = 1) samples for
    /// the multimeter.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn update_lanes<const N: usize, const PROBE: bool>(
        &mut self,
        i0: usize,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        scratch: &mut Scratch,
        out: &mut SliceOutput,
    ) {
        let p = self.props;
        let base = self.offset as usize + i0;
        let n = to as usize;
        if N == 2 * CHUNK
            && !PROBE
            && ring.counts_only()
            && let Some(mut draws) = poisson.lane_draws::<N>(base, origin, from, to)
        {
            // Each lag's input goes from the Poisson streams and the ring
            // straight into the step, in registers: through memory, its
            // stores and reloads cost as much as the step itself.
            let fired = &mut scratch.fired[..n];
            let mut a = Chunk::<CHUNK>::load(self, i0);
            let mut b = Chunk::<CHUNK>::load(self, i0 + CHUNK);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let drive = poisson.draw_lanes(&mut draws, lag);
                let (ring_ex, ring_in) = ring.take_lanes::<N>(scratch.rows[lag], base);
                // As `take_slice` adds the ring to the Poisson input.
                let (ex, inh) = if draws.excitatory {
                    (add(drive, ring_ex), add([0.0; N], ring_in))
                } else {
                    (add([0.0; N], ring_ex), add(drive, ring_in))
                };
                *fire = a.step(&p, &ex, &inh) | b.step(&p, &ex[CHUNK..], &inh[CHUNK..]) << CHUNK;
            }
            a.store(self, i0);
            b.store(self, i0 + CHUNK);
            poisson.end_lanes(draws);
            self.emit_spikes::<N>(base, from, n, fired, out);
            return;
        }
        // Each lane's input over the slice, lag-major ([lag][lane]): the
        // Poisson counts, then the ring's sums added to them.
        let (px, pi) = (&mut scratch.ex[..N * n], &mut scratch.inh[..N * n]);
        poisson.fill_block::<N>(base, origin, from, to, px, pi);
        ring.take_slice::<N>(&scratch.rows, base, from, to, px, pi, &mut scratch.sums);
        let fired = &mut scratch.fired[..n];
        if N == 2 * CHUNK && !PROBE {
            // Two chunks of 8 lanes held as separate values: a 16-lane
            // array of each state variable was kept on the stack by the
            // compiler, with a store and a reload in every step's chain.
            let mut a = Chunk::<CHUNK>::load(self, i0);
            let mut b = Chunk::<CHUNK>::load(self, i0 + CHUNK);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let at = lag * N;
                *fire = a.step(&p, &px[at..], &pi[at..]);
                let at = at + CHUNK;
                *fire |= b.step(&p, &px[at..], &pi[at..]) << CHUNK;
            }
            a.store(self, i0);
            b.store(self, i0 + CHUNK);
        } else {
            // One neuron at a time: the remainder, and sampled neurons.
            assert_eq!(N, 1, "blocks of 16 lanes or single neurons");
            let mut c = Chunk::<1>::load(self, i0);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                *fire = c.step(&p, &px[lag..], &pi[lag..]);
                let step = origin + lag as Step;
                if PROBE && (step + 1).is_multiple_of(self.probe_interval) {
                    let v_m = c.v[0] + p.e_l;
                    out.sample(self.probe[i0], step, &[v_m, c.i_ex[0], c.i_in[0]]);
                }
            }
            c.store(self, i0);
        }
        self.emit_spikes::<N>(base, from, n, fired, out);
    }

    /// Report the block's spikes, lag by lag, lanes in order.
    #[inline(always)]
    fn emit_spikes<const N: usize>(
        &self,
        base: usize,
        from: u32,
        n: usize,
        fired: &[u32],
        out: &mut SliceOutput,
    ) {
        for (lag, &mask) in fired.iter().enumerate().take(n).skip(from as usize) {
            let mut mask = mask;
            while mask != 0 {
                let l = mask.trailing_zeros() as usize;
                out.spike((base + l) as u32, lag as u32);
                mask &= mask - 1;
            }
        }
    }
}

impl Population for IafPscExpPopulation {
    fn len(&self) -> usize {
        self.v_m.len()
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        IafPscExpPopulation::attach_probe(self, i, probe, interval);
    }

    fn update(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        self.update_on(isa, origin, from, to, input.ring, input.poisson, out);
    }

    fn recordable(&self, i: usize, r: usize) -> f64 {
        match r {
            0 => self.v_m(i),
            1 => self.i_ex[i],
            _ => self.i_in[i],
        }
    }

    fn bytes(&self) -> usize {
        self.len() * Self::STATE_BYTES_PER_NEURON
    }
}

/// Lane-wise `a + b`.
#[inline(always)]
fn add<const N: usize>(a: [f64; N], b: [f64; N]) -> [f64; N] {
    std::array::from_fn(|l| a[l] + b[l])
}

/// Lanes per chunk of the 16-lane step: one AVX-512 register per variable.
const CHUNK: usize = 8;

/// The state of `M` neighbouring neurons through a slice.
struct Chunk<const M: usize> {
    v: [f64; M],
    i_ex: [f64; M],
    i_in: [f64; M],
    r: [u32; M],
}

impl<const M: usize> Chunk<M> {
    #[inline(always)]
    fn load(pop: &IafPscExpPopulation, i: usize) -> Self {
        let get = |v: &[f64]| -> [f64; M] { v[i..i + M].try_into().expect("a chunk") };
        Self {
            v: get(&pop.v_m),
            i_ex: get(&pop.i_ex),
            i_in: get(&pop.i_in),
            r: pop.r[i..i + M].try_into().expect("a chunk"),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut IafPscExpPopulation, i: usize) {
        pop.v_m[i..i + M].copy_from_slice(&self.v);
        pop.i_ex[i..i + M].copy_from_slice(&self.i_ex);
        pop.i_in[i..i + M].copy_from_slice(&self.i_in);
        pop.r[i..i + M].copy_from_slice(&self.r);
    }

    /// One step of NEST's update (`iaf_psc_exp::update`), its operations
    /// in its order for every lane, for input `ex[..M]`, `inh[..M]`; marks
    /// who fired: bit `l` of the result for lane `l`.
    #[inline(always)]
    fn step(&mut self, p: &Propagators, ex: &[f64], inh: &[f64]) -> u32 {
        let mut fired = 0;
        for l in 0..M {
            // NEST: V_m * P22 + i_syn_ex * P21ex + i_syn_in * P21in
            // + (I_e + i_0) * P20, added left to right.
            let v =
                self.v[l] * p.p22 + self.i_ex[l] * p.p21_ex + self.i_in[l] * p.p21_in + p.p20_i_e;
            let refractory = self.r[l] != 0;
            self.v[l] = if refractory { self.v[l] } else { v };
            self.r[l] -= u32::from(refractory);

            // The currents decay, then this step's spikes join them (NEST's
            // `+= (1 - P11ex) * i_1` in between adds +0.0: no current port).
            self.i_ex[l] = self.i_ex[l] * p.p11_ex + ex[l];
            self.i_in[l] = self.i_in[l] * p.p11_in + inh[l];

            let fire = self.v[l] >= p.theta;
            fired |= u32::from(fire) << l;
            self.r[l] = if fire { p.refractory_steps } else { self.r[l] };
            self.v[l] = if fire { p.v_reset } else { self.v[l] };
        }
        fired
    }
}
