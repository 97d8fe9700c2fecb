//! The lane driver every neuron model shares: a population as structure of
//! arrays, advanced through a slice in 16-lane blocks (two 8-lane chunks)
//! of neurons no multimeter samples and single neurons otherwise, compiled
//! once per model and per vector unit.
//!
//! A model says only what differs ([`LaneModel`]): its state, its
//! propagators, the step of `M` lanes ([`LaneChunk`]) and what a multimeter
//! samples. Everything is generic and inlined, so each model's hot loop is
//! its own monomorphised copy (`LanePopulation<Model>::update_avx2`, …).

use std::fmt::Debug;

use spindle_core::{Resolution, Step};

use crate::model::{NO_PROBE, ParamError, Population, SliceInput, SliceOutput};
use crate::{CurrentInput, InputRing, Isa, PoissonInput};

/// What a neuron model gives the lane driver: its state, its
/// propagators, and the step and recordables of `M` lanes ([`LaneChunk`]).
pub trait LaneModel: Debug + Clone + Send + Sync + 'static {
    /// Everything the step reads that derives from the parameters and `h`.
    type Props: Debug + Clone + Copy + Send + Sync;
    /// Tables the step reads besides the propagators (`()` where none;
    /// `iaf_psc_delta`'s refractory discounts).
    type Tables: Debug + Clone + Default + Send + Sync;
    /// The neurons' state, structure of arrays.
    type State: Debug + Clone + Send + Sync;
    /// The state of `M` neighbouring neurons, in registers through a slice.
    type Chunk<const M: usize>: LaneChunk<Self, M>;
    /// The recordables of one neuron, in the model's order (the first the
    /// absolute membrane potential).
    type Sample: AsRef<[f64]>;

    /// Bytes of state per neuron.
    const STATE_BYTES_PER_NEURON: usize;

    /// Call `f` with the variant of the step that `p` asks for, as a
    /// constant: a model whose step has variants (`iaf_psc_delta`'s
    /// `refractory_input`, `ignore_and_spike`) chooses once per slice
    /// rather than in every step, where the choice kept the lanes' state
    /// out of registers. One variant, 0, unless the model says otherwise.
    #[inline(always)]
    fn with_variant<F: VariantVisitor>(p: &Self::Props, f: F) -> F::Output {
        let _ = p;
        f.visit::<0>()
    }

    /// The propagators and tables of parameters `values` (validated, in
    /// the model's declaration order) on grid `res`.
    fn parts(values: &[f64], res: Resolution) -> (Self::Props, Self::Tables);

    /// Split the state at neuron `at`: `state` keeps `..at`, the one
    /// returned holds `at..`.
    fn split_state(state: &mut Self::State, at: usize) -> Self::State;

    /// The membrane potentials, relative to `E_L` [mV] (NEST's `y3_`).
    fn potentials(state: &mut Self::State) -> &mut [f64];

    /// `E_L` [mV].
    fn e_l(p: &Self::Props) -> f64;

    /// Set neuron `i`'s membrane potential to `v_m` [mV], as NEST's
    /// `State_::set` does.
    fn set_v_m(state: &mut Self::State, p: &Self::Props, i: usize, v_m: f64) {
        Self::potentials(state)[i] = v_m - Self::e_l(p);
    }

    /// Set state variable `name` of neuron `i` (absolute units): `V_m`
    /// unless the model holds more that `set` may change.
    fn set_state(
        state: &mut Self::State,
        p: &Self::Props,
        i: usize,
        name: &str,
        value: f64,
    ) -> Result<(), ParamError> {
        match name {
            "V_m" => {
                Self::set_v_m(state, p, i, value);
                Ok(())
            }
            _ => Err(ParamError::Unknown(name.into())),
        }
    }

    /// State variable `name` of neuron `i` now, where it is one of the
    /// model's state parameters that is not a recordable (see
    /// [`Population::state`]); `None` by default.
    fn state_of(state: &Self::State, i: usize, name: &str) -> Option<f64> {
        let _ = (state, i, name);
        None
    }

    /// Whether the driver steps the whole population at once
    /// ([`Self::step_pooled`]) where no multimeter samples it and no
    /// current reaches it.
    const POOLED: bool = false;

    /// One step of every neuron of `state`, neuron `i` with input `ex[i]`,
    /// `inh[i]`, each with [`LaneChunk::step`]'s operations: for models
    /// whose neurons need different amounts of work per step (an adaptive
    /// solver's trial steps), which can then share lanes across the
    /// population. Pushes the neurons that fired, in ascending order.
    /// Read only where [`Self::POOLED`]; this default steps one neuron at a
    /// time.
    #[inline(always)]
    fn step_pooled(
        state: &mut Self::State,
        p: &Self::Props,
        t: &Self::Tables,
        ex: &[f64],
        inh: &[f64],
        fired: &mut Vec<u32>,
    ) {
        for i in 0..ex.len() {
            let mut c = Self::Chunk::<1>::load(state, i);
            if c.step(p, t, &ex[i..], &inh[i..], None) != 0 {
                fired.push(i as u32);
            }
            c.store(state, i);
        }
    }

    /// Move every membrane potential as NEST does when parameters change
    /// from `old` to `new`: kept where it is when `E_L` moves (NEST's
    /// `y3_ -= delta_EL`).
    fn rebase(state: &mut Self::State, old: &Self::Props, new: &Self::Props) {
        let delta_el = Self::e_l(new) - Self::e_l(old);
        if delta_el != 0.0 {
            Self::potentials(state)
                .iter_mut()
                .for_each(|v| *v -= delta_el);
        }
    }
}

/// `M` lanes of model `L`'s state, and its step.
pub trait LaneChunk<L: LaneModel, const M: usize>: Sized {
    /// Lanes `i..i + M` of `state`.
    fn load(state: &L::State, i: usize) -> Self;

    /// Write the lanes back to `i..i + M` of `state`.
    fn store(&self, state: &mut L::State, i: usize);

    /// One step of NEST's update, its operations in its order for every
    /// lane, for input `ex[..M]`, `inh[..M]` and, where a current
    /// generator reaches the lanes, the input current `i0[..M]` of the step
    /// (NEST's `y0_`; `None` is zero, with `I_e` alone as NEST computes
    /// it); marks who fired: bit `l` of the result for lane `l`.
    fn step(
        &mut self,
        p: &L::Props,
        t: &L::Tables,
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32;

    /// [`step`](Self::step) in variant `V` of the model's step (see
    /// [`LaneModel::with_variant`]).
    #[inline(always)]
    fn step_as<const V: u8>(
        &mut self,
        p: &L::Props,
        t: &L::Tables,
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        self.step(p, t, ex, inh, i0)
    }

    /// The step of two chunks, `self`'s lanes then `other`'s: input
    /// `ex[..2 M]`, `inh[..2 M]`, `i0[..2 M]` in that order, bits `0..M` of
    /// the result for `self`, `M..2 M` for `other`. By default
    /// [`step_as`](Self::step_as) on each in turn; a model whose step waits
    /// on its own chains (a trial step's stages) may take both at once.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn step_pair_as<const V: u8>(
        &mut self,
        other: &mut Self,
        p: &L::Props,
        t: &L::Tables,
        ex: &[f64],
        inh: &[f64],
        i0: Option<&[f64]>,
    ) -> u32 {
        self.step_as::<V>(p, t, ex, inh, i0)
            | other.step_as::<V>(p, t, &ex[M..], &inh[M..], i0.map(|i0| &i0[M..])) << M
    }

    /// The recordables of the first lane, for the multimeter.
    fn sample(&self, p: &L::Props) -> L::Sample;
}

/// What a slice's update reads: the input ring, the Poisson drives, and
/// the current generators' drives where they reach the population.
type SliceInputs<'a> = (
    &'a mut InputRing,
    &'a mut PoissonInput,
    Option<&'a CurrentInput>,
);

/// Aligns a stack frame to a cache line (see `update_avx512`).
#[repr(align(64))]
struct StackAlign64 {
    _bytes: [u8; 64],
}

/// What [`LaneModel::with_variant`] calls with the variant chosen.
pub trait VariantVisitor {
    /// What the call gives.
    type Output;
    /// Go on in variant `V`.
    fn visit<const V: u8>(self) -> Self::Output;
}

/// One slice's update on `isa`, waiting for its variant.
struct SliceUpdate<'a, M: LaneModel> {
    pop: &'a mut LanePopulation<M>,
    isa: Isa,
    origin: Step,
    from: u32,
    to: u32,
    ring: &'a mut InputRing,
    poisson: &'a mut PoissonInput,
    currents: Option<&'a CurrentInput>,
    out: &'a mut SliceOutput,
}

impl<M: LaneModel> VariantVisitor for SliceUpdate<'_, M> {
    type Output = ();

    #[inline(always)]
    fn visit<const V: u8>(self) {
        let Self {
            pop,
            isa,
            origin,
            from,
            to,
            ring,
            poisson,
            currents,
            out,
        } = self;
        // Each vector unit's copy with and without currents: one copy
        // holding both took the seed's update 7 % longer.
        let input = (ring, poisson, currents);
        match (isa, currents.is_some()) {
            (Isa::Portable, false) => pop.update_portable::<V, false>(origin, from, to, input, out),
            (Isa::Portable, true) => pop.update_portable::<V, true>(origin, from, to, input, out),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (`update_on` checked).
            #[allow(unsafe_code)]
            (Isa::Avx2, false) => unsafe {
                pop.update_avx2::<V, false>(origin, from, to, input, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            #[allow(unsafe_code)]
            (Isa::Avx2, true) => unsafe {
                pop.update_avx2::<V, true>(origin, from, to, input, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F, AVX2 and FMA are present (`update_on` checked).
            #[allow(unsafe_code)]
            (Isa::Avx512, false) => unsafe {
                pop.update_avx512::<V, false>(origin, from, to, input, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            #[allow(unsafe_code)]
            (Isa::Avx512, true) => unsafe {
                pop.update_avx512::<V, true>(origin, from, to, input, out)
            },
            #[cfg(not(target_arch = "x86_64"))]
            (_, false) => pop.update_portable::<V, false>(origin, from, to, input, out),
            #[cfg(not(target_arch = "x86_64"))]
            (_, true) => pop.update_portable::<V, true>(origin, from, to, input, out),
        }
    }
}

/// A population of one model's neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
#[derive(Debug, Clone)]
pub struct LanePopulation<M: LaneModel> {
    props: M::Props,
    tables: M::Tables,
    offset: u32,
    /// The model's state.
    pub(crate) state: M::State,
    /// Multimeter probe per neuron, or `NO_PROBE`.
    probe: Vec<u32>,
    /// Multimeter sampling interval in steps (0: nothing recorded).
    probe_interval: Step,
    /// Each neuron's input current [pA] (NEST's `y0_`), where current
    /// generators reach the population (else empty).
    i0: Vec<f64>,
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
    /// (reading them in the step itself stalls on the store just made).
    fired: Vec<u32>,
    /// The population's input per step of the slice, a row per step
    /// ([`LanePopulation::update_pooled`]).
    all_ex: Vec<f64>,
    all_inh: Vec<f64>,
    /// Who fired in a pooled step.
    pooled_fired: Vec<u32>,
}

impl Scratch {
    /// Ready for the slice `(origin, from, to)` in blocks of up to `N`
    /// lanes: the slice's bitmap counts folded into the ring's cells (once
    /// per slice: a second population finds the planes folded), each lag's
    /// ring row, and buffers for one block's input over the slice.
    #[inline(always)]
    fn prepare<const N: usize>(&mut self, ring: &mut InputRing, origin: Step, from: u32, to: u32) {
        ring.fold_planes(origin, from, to);
        ring.row_offsets(origin, from, to, &mut self.rows);
        self.ex.resize(N * to as usize, 0.0);
        self.inh.resize(N * to as usize, 0.0);
        self.sums.resize(2 * N * to as usize, 0.0);
        self.fired.resize(to as usize, 0);
    }
}

/// Neurons updated together by `update_lanes`: two AVX-512 registers (four
/// AVX2 ones) of doubles per state variable, enough independent chains to
/// hide the latency of the additions. 8 lanes measured 1.3x slower with
/// AVX-512 and 1.8x slower with AVX2 on the seed network (`iaf_psc_alpha`).
const LANES: usize = 16;

/// Lanes per chunk of the 16-lane step: one AVX-512 register per variable.
const CHUNK: usize = 8;

impl<M: LaneModel> LanePopulation<M> {
    /// Neurons one block of the lane step advances together.
    pub const LANES: usize = LANES;

    /// Bytes of state per neuron.
    pub const STATE_BYTES_PER_NEURON: usize = M::STATE_BYTES_PER_NEURON;

    /// A population of `len` neurons in `state` at local indices
    /// `offset..`, no neuron sampled.
    pub fn from_parts(
        props: M::Props,
        tables: M::Tables,
        state: M::State,
        len: usize,
        offset: u32,
    ) -> Self {
        Self {
            props,
            tables,
            offset,
            state,
            probe: vec![NO_PROBE; len],
            probe_interval: 0,
            i0: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.probe.len()
    }

    /// Local index of the first neuron in the shard.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Whether the population is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The propagators in use.
    pub fn propagators(&self) -> &M::Props {
        &self.props
    }

    /// Absolute membrane potential of neuron `i` [mV].
    pub fn v_m(&self, i: usize) -> f64 {
        self.recordable_of(i, 0)
    }

    /// Recordable `r` of neuron `i` (the last for any `r` past it).
    fn recordable_of(&self, i: usize, r: usize) -> f64 {
        let sample = M::Chunk::<1>::load(&self.state, i).sample(&self.props);
        let values = sample.as_ref();
        values[r.min(values.len() - 1)]
    }

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
        self.update_slice(isa, origin, from, to, (ring, poisson, None), out);
    }

    /// As [`Self::update_on`], with the input current of `currents` where
    /// given (NEST's `y0_`: each step adds the current read at the end of
    /// the step before).
    fn update_slice(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        (ring, poisson, currents): SliceInputs<'_>,
        out: &mut SliceOutput,
    ) {
        assert!(isa.available(), "{isa:?} is not available on this CPU");
        if currents.is_some() {
            self.i0.resize(self.len(), 0.0);
        }
        let props = self.props;
        M::with_variant(
            &props,
            SliceUpdate {
                pop: self,
                isa,
                origin,
                from,
                to,
                ring,
                poisson,
                currents,
                out,
            },
        );
    }

    /// The current path one neuron at a time, portable code: what the
    /// lanes with currents are checked against.
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update_with_currents(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        currents: &CurrentInput,
        out: &mut SliceOutput,
    ) {
        self.i0.resize(self.len(), 0.0);
        let mut scratch = std::mem::take(&mut self.scratch);
        let tables = std::mem::take(&mut self.tables);
        scratch.prepare::<1>(ring, origin, from, to);
        let p = self.props;
        let n = to as usize;
        for i in 0..self.len() {
            let base = self.offset as usize + i;
            let (px, pi) = (&mut scratch.ex[..n], &mut scratch.inh[..n]);
            poisson.fill_block::<1>(base, origin, from, to, px, pi);
            ring.take_slice::<1>(&scratch.rows, base, from, to, px, pi, &mut scratch.sums);
            let fired = &mut scratch.fired[..n];
            let mut c = M::Chunk::<1>::load(&self.state, i);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let step = origin + lag as Step;
                let i0 = [self.i0[i]];
                *fire = c.step(&p, &tables, &px[lag..], &pi[lag..], Some(&i0));
                // NEST reads the current buffer at the end of the step.
                self.i0[i] = currents.arriving(base, step);
                if self.probe[i] != NO_PROBE && (step + 1).is_multiple_of(self.probe_interval) {
                    let values = c.sample(&p);
                    out.sample(self.probe[i], step, values.as_ref());
                }
            }
            c.store(&mut self.state, i);
            emit_spikes(base, from, n, fired, out);
        }
        self.tables = tables;
        self.scratch = scratch;
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn update_avx2<const V: u8, const CUR: bool>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        input: SliceInputs<'_>,
        out: &mut SliceOutput,
    ) {
        // As in `update_avx512`: 256-bit spills within cache lines.
        let frame = StackAlign64 { _bytes: [0; 64] };
        std::hint::black_box(&frame);
        self.update_portable::<V, CUR>(origin, from, to, input, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn update_avx512<const V: u8, const CUR: bool>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        input: SliceInputs<'_>,
        out: &mut SliceOutput,
    ) {
        // A 64-byte aligned local makes the frame 64-byte aligned, and so
        // the 512-bit spills in it: where the caller's depth left them
        // across cache lines, the seed's update took 9 % longer.
        let frame = StackAlign64 { _bytes: [0; 64] };
        std::hint::black_box(&frame);
        self.update_portable::<V, CUR>(origin, from, to, input, out)
    }

    /// The update itself, inlined into each vector unit's copy.
    #[inline(always)]
    fn update_portable<const V: u8, const CUR: bool>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        (ring, poisson, currents): SliceInputs<'_>,
        out: &mut SliceOutput,
    ) {
        // Per slice, not per neuron-step: the ring row of every step, and
        // buffers for one block's input over the slice.
        let mut scratch = std::mem::take(&mut self.scratch);
        let tables = std::mem::take(&mut self.tables);
        scratch.prepare::<LANES>(ring, origin, from, to);
        if M::POOLED && !CUR && self.probe_interval == 0 {
            self.update_pooled(
                origin,
                from,
                to,
                (ring, poisson),
                &tables,
                &mut scratch,
                out,
            );
            self.tables = tables;
            self.scratch = scratch;
            return;
        }
        let (slice, t) = ((origin, from, to), &tables);
        let mut i = 0;
        while i < self.len() {
            // Blocks of LANES neurons no multimeter samples; one at a time
            // otherwise (the remainder, and sampled neurons).
            // No multimeter was ever attached where the interval is 0: with
            // a step per slice, testing the probes took as long as a step.
            if i + LANES <= self.len()
                && (self.probe_interval == 0
                    || self.probe[i..i + LANES].iter().all(|&p| p == NO_PROBE))
            {
                // Two blocks ahead: the next cache line of 16-bit counts.
                let ahead = self.offset as usize + i + 2 * LANES;
                ring.prefetch_cells(&scratch.rows, ahead, from, to);
                let input = (&mut *ring, &mut *poisson, currents);
                self.update_lanes::<LANES, false, V, CUR>(i, slice, input, t, &mut scratch, out);
                i += LANES;
            } else if self.probe[i] == NO_PROBE {
                let input = (&mut *ring, &mut *poisson, currents);
                self.update_lanes::<1, false, V, CUR>(i, slice, input, t, &mut scratch, out);
                i += 1;
            } else {
                let input = (&mut *ring, &mut *poisson, currents);
                self.update_lanes::<1, true, V, CUR>(i, slice, input, t, &mut scratch, out);
                i += 1;
            }
        }
        self.tables = tables;
        self.scratch = scratch;
    }

    /// The slice step by step, every neuron of the population in each
    /// step at once ([`LaneModel::step_pooled`]): each block's input over
    /// the slice gathered first (as `update_lanes` reads it), then
    /// transposed to one row of the population per step. Spikes go out
    /// step by step in ascending order, as the engine orders them.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn update_pooled(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        (ring, poisson): (&mut InputRing, &mut PoissonInput),
        t: &M::Tables,
        scratch: &mut Scratch,
        out: &mut SliceOutput,
    ) {
        let (len, n) = (self.len(), to as usize);
        let steps = n - from as usize;
        scratch.all_ex.resize(steps * len, 0.0);
        scratch.all_inh.resize(steps * len, 0.0);
        let mut i = 0;
        while i < len {
            let w = if i + LANES <= len { LANES } else { 1 };
            let base = self.offset as usize + i;
            let (px, pi) = (&mut scratch.ex[..w * n], &mut scratch.inh[..w * n]);
            if w == LANES {
                poisson.fill_block::<LANES>(base, origin, from, to, px, pi);
                ring.take_slice::<LANES>(&scratch.rows, base, from, to, px, pi, &mut scratch.sums);
            } else {
                poisson.fill_block::<1>(base, origin, from, to, px, pi);
                ring.take_slice::<1>(&scratch.rows, base, from, to, px, pi, &mut scratch.sums);
            }
            for (k, lag) in (from as usize..n).enumerate() {
                let row = k * len + i;
                scratch.all_ex[row..row + w].copy_from_slice(&px[lag * w..lag * w + w]);
                scratch.all_inh[row..row + w].copy_from_slice(&pi[lag * w..lag * w + w]);
            }
            i += w;
        }
        let p = self.props;
        for (k, lag) in (from..to).enumerate() {
            let (ex, inh) = (&scratch.all_ex[k * len..], &scratch.all_inh[k * len..]);
            scratch.pooled_fired.clear();
            M::step_pooled(
                &mut self.state,
                &p,
                t,
                &ex[..len],
                &inh[..len],
                &mut scratch.pooled_fired,
            );
            for &f in &scratch.pooled_fired {
                out.spike(self.offset + f, lag);
            }
        }
    }

    /// Advance `N` neighbouring neurons (16, or 1), from `i0`, through the
    /// slice `(origin, from, to)`. Each neuron goes through NEST's
    /// operations in NEST's order, so any `N` gives the same bits; with 16
    /// the lanes' independent dependency chains overlap (and vectorise),
    /// where one neuron alone waits on each step's additions. `PROBE` (with
    /// `N` = 1) samples for the multimeter.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn update_lanes<const N: usize, const PROBE: bool, const V: u8, const CUR: bool>(
        &mut self,
        i0: usize,
        (origin, from, to): (Step, u32, u32),
        (ring, poisson, currents): SliceInputs<'_>,
        t: &M::Tables,
        scratch: &mut Scratch,
        out: &mut SliceOutput,
    ) {
        // A copy in a local, as each model's own driver had: the
        // propagators read through a reference (with the tables in them)
        // changed the vector code.
        let p = self.props;
        let base = self.offset as usize + i0;
        let n = to as usize;
        if N == 2 * CHUNK
            && !PROBE
            && !CUR
            && let Some(mut draws) = poisson.lane_draws::<N>(base, origin, from, to)
        {
            // Each lag's input goes from the Poisson streams and the ring
            // straight into the step, in registers: through memory, its
            // stores and reloads cost as much as the step itself.
            let fired = &mut scratch.fired[..n];
            let mut a = M::Chunk::<CHUNK>::load(&self.state, i0);
            let mut b = M::Chunk::<CHUNK>::load(&self.state, i0 + CHUNK);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let drive = poisson.draw_lanes(&mut draws, lag);
                let (ring_ex, ring_in) = ring.take_lanes::<N>(scratch.rows[lag], lag, base);
                // As `take_slice` adds the ring to the Poisson input.
                let (ex, inh) = if draws.excitatory {
                    (add(drive, ring_ex), add([0.0; N], ring_in))
                } else {
                    (add([0.0; N], ring_ex), add(drive, ring_in))
                };
                *fire = a.step_pair_as::<V>(&mut b, &p, t, &ex, &inh, None);
            }
            a.store(&mut self.state, i0);
            b.store(&mut self.state, i0 + CHUNK);
            poisson.end_lanes(draws);
            emit_spikes(base, from, n, fired, out);
            return;
        }
        // Each lane's input over the slice, lag-major ([lag][lane]): the
        // Poisson counts, then the ring's sums added to them.
        let (px, pi) = (&mut scratch.ex[..N * n], &mut scratch.inh[..N * n]);
        poisson.fill_block::<N>(base, origin, from, to, px, pi);
        ring.take_slice::<N>(&scratch.rows, base, from, to, px, pi, &mut scratch.sums);
        let fired = &mut scratch.fired[..n];
        // The lanes' input current (NEST's `y0_`), read at the end of each
        // step for the next; zero (and unused) without currents.
        let mut y0 = [0.0; N];
        if CUR {
            y0.copy_from_slice(&self.i0[i0..i0 + N]);
        }
        let currents = currents.filter(|_| CUR);
        let read_currents = |y0: &mut [f64; N], step: Step| {
            if let Some(c) = currents {
                for (l, y) in y0.iter_mut().enumerate() {
                    *y = c.arriving(base + l, step);
                }
            }
        };
        if N == 2 * CHUNK && !PROBE {
            // Two chunks of 8 lanes held as separate values: a 16-lane
            // array of each state variable was kept on the stack by the
            // compiler, with a store and a reload in every step's chain.
            let mut a = M::Chunk::<CHUNK>::load(&self.state, i0);
            let mut b = M::Chunk::<CHUNK>::load(&self.state, i0 + CHUNK);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let at = lag * N;
                let y = if CUR { Some(&y0[..]) } else { None };
                *fire = a.step_pair_as::<V>(&mut b, &p, t, &px[at..], &pi[at..], y);
                if CUR {
                    read_currents(&mut y0, origin + lag as Step);
                }
            }
            a.store(&mut self.state, i0);
            b.store(&mut self.state, i0 + CHUNK);
        } else {
            // One neuron at a time: the remainder, and sampled neurons.
            assert_eq!(N, 1, "blocks of 16 lanes or single neurons");
            let mut c = M::Chunk::<1>::load(&self.state, i0);
            for (lag, fire) in fired.iter_mut().enumerate().skip(from as usize) {
                let y = if CUR { Some(&y0[..]) } else { None };
                *fire = c.step_as::<V>(&p, t, &px[lag..], &pi[lag..], y);
                let step = origin + lag as Step;
                if CUR {
                    read_currents(&mut y0, step);
                }
                if PROBE && (step + 1).is_multiple_of(self.probe_interval) {
                    let values = c.sample(&p);
                    out.sample(self.probe[i0], step, values.as_ref());
                }
            }
            c.store(&mut self.state, i0);
        }
        if CUR {
            self.i0[i0..i0 + N].copy_from_slice(&y0);
        }
        emit_spikes(base, from, n, fired, out);
    }
}

/// Report a block's spikes, lag by lag, lanes in order. A lane fires in
/// about one step in 350 (seed network).
#[inline(always)]
fn emit_spikes(base: usize, from: u32, n: usize, fired: &[u32], out: &mut SliceOutput) {
    for (lag, &mask) in fired.iter().enumerate().take(n).skip(from as usize) {
        let mut mask = mask;
        while mask != 0 {
            let l = mask.trailing_zeros() as usize;
            out.spike((base + l) as u32, lag as u32);
            mask &= mask - 1;
        }
    }
}

impl<M: LaneModel> Population for LanePopulation<M> {
    fn len(&self) -> usize {
        LanePopulation::len(self)
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        LanePopulation::attach_probe(self, i, probe, interval);
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
        // The copy with currents reads every lane's current each step;
        // where none arrives over the slice and none is held from the step
        // before, the copy without gives the same bits (each model's drive
        // without a current is its drive with +0.0).
        let quiet = || {
            input
                .currents
                .silent(origin + from as Step, origin + to as Step)
                && self.i0.iter().all(|&i| i.to_bits() == 0)
        };
        let currents =
            (input.currents.reaches(self.offset, self.len()) && !quiet()).then_some(input.currents);
        let inputs = (&mut *input.ring, &mut *input.poisson, currents);
        self.update_slice(isa, origin, from, to, inputs, out);
    }

    fn recordable(&self, i: usize, r: usize) -> f64 {
        self.recordable_of(i, r)
    }

    fn state(&self, i: usize, name: &str) -> Option<f64> {
        M::state_of(&self.state, i, name)
    }

    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError> {
        M::set_state(&mut self.state, &self.props, i, name, value)
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        assert!(0 < at && at < self.len(), "a split inside the population");
        let i0 = if self.i0.is_empty() {
            Vec::new()
        } else {
            self.i0.split_off(at)
        };
        Box::new(Self {
            props: self.props,
            tables: self.tables.clone(),
            offset: self.offset + at as u32,
            state: M::split_state(&mut self.state, at),
            probe: self.probe.split_off(at),
            probe_interval: self.probe_interval,
            i0,
            scratch: Scratch::default(),
        })
    }

    fn set_params(&mut self, values: &[f64], res: Resolution) {
        let (props, tables) = M::parts(values, res);
        M::rebase(&mut self.state, &self.props, &props);
        self.props = props;
        self.tables = tables;
    }

    fn bytes(&self) -> usize {
        self.len() * M::STATE_BYTES_PER_NEURON
    }
}

/// Lane-wise `a + b`.
#[inline(always)]
fn add<const N: usize>(a: [f64; N], b: [f64; N]) -> [f64; N] {
    std::array::from_fn(|l| a[l] + b[l])
}
