//! `iaf_psc_alpha`: leaky integrate-and-fire neuron with alpha-shaped
//! postsynaptic currents, integrated exactly (Rotter & Diesmann 1999) in the
//! same floating-point form as NEST's `models/iaf_psc_alpha.cpp`, so that its
//! traces match NEST's to the last bits.
//!
//! | Parameter    | Default  | Unit | Description                              |
//! |--------------|----------|------|------------------------------------------|
//! | `c_m`        | 250.0    | pF   | Capacitance of the membrane (`C_m`)      |
//! | `tau_m`      | 10.0     | ms   | Membrane time constant                   |
//! | `tau_syn_ex` | 2.0      | ms   | Rise time of the excitatory current      |
//! | `tau_syn_in` | 2.0      | ms   | Rise time of the inhibitory current      |
//! | `t_ref`      | 2.0      | ms   | Duration of the refractory period        |
//! | `e_l`        | -70.0    | mV   | Resting membrane potential (`E_L`)       |
//! | `v_reset`    | -70.0    | mV   | Reset potential (`V_reset`)              |
//! | `v_th`       | -55.0    | mV   | Spike threshold (`V_th`)                 |
//! | `v_min`      | -inf     | mV   | Lower bound of the membrane potential    |
//! | `i_e`        | 0.0      | pA   | Constant input current (`I_e`)           |
//! | `v_m`        | -70.0    | mV   | Initial membrane potential (`V_m`)       |
//!
//! State is held relative to `E_L`, as in NEST. Per step, in this order:
//! the membrane potential is propagated with the currents of the previous
//! step (unless refractory, when only the refractory count goes down), the
//! alpha currents are propagated, this step's input is added to their
//! derivatives, and the threshold is checked; a spike resets `V_m`, starts
//! the refractory count and is stamped at the end of the step.

use spindle_core::{Resolution, Step};
use thiserror::Error;

use crate::{InputRing, PoissonInput, UpdateSink};

/// A parameter set NEST would reject, with NEST's message.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    /// `C_m <= 0`.
    #[error("Capacitance must be > 0.")]
    Capacitance,
    /// `tau_m <= 0`.
    #[error("Membrane time constant must be > 0.")]
    TauM,
    /// `tau_syn_ex <= 0` or `tau_syn_in <= 0`.
    #[error("All synaptic time constants must be > 0.")]
    TauSyn,
    /// `t_ref < 0`.
    #[error("The refractory time t_ref can't be negative.")]
    Refractory,
    /// `V_reset >= V_th`.
    #[error("Reset potential must be smaller than threshold.")]
    Reset,
    /// A parameter is NaN or an infinity where it must be finite.
    #[error("Parameter {0} must be a finite number.")]
    NotFinite(&'static str),
}

/// User parameters of `iaf_psc_alpha`, NEST's names in snake case, absolute
/// potentials (the model converts to `E_L`-relative values itself).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IafPscAlphaParams {
    /// Membrane capacitance [pF] (default: 250).
    pub c_m: f64,
    /// Membrane time constant [ms] (default: 10).
    pub tau_m: f64,
    /// Excitatory synaptic time constant [ms] (default: 2).
    pub tau_syn_ex: f64,
    /// Inhibitory synaptic time constant [ms] (default: 2).
    pub tau_syn_in: f64,
    /// Absolute refractory period [ms] (default: 2).
    pub t_ref: f64,
    /// Resting potential [mV] (default: -70).
    pub e_l: f64,
    /// Reset potential [mV] (default: -70).
    pub v_reset: f64,
    /// Threshold [mV] (default: -55).
    pub v_th: f64,
    /// Lower bound of the membrane potential [mV] (default: -inf).
    pub v_min: f64,
    /// Constant input current [pA] (default: 0).
    pub i_e: f64,
    /// Initial membrane potential [mV] (default: -70).
    pub v_m: f64,
}

impl Default for IafPscAlphaParams {
    fn default() -> Self {
        Self {
            c_m: 250.0,
            tau_m: 10.0,
            tau_syn_ex: 2.0,
            tau_syn_in: 2.0,
            t_ref: 2.0,
            e_l: -70.0,
            v_reset: -70.0,
            v_th: -55.0,
            v_min: f64::NEG_INFINITY,
            i_e: 0.0,
            v_m: -70.0,
        }
    }
}

impl IafPscAlphaParams {
    /// Check the parameters the way NEST's `Parameters_::set` does.
    pub fn validate(&self) -> Result<(), ParamError> {
        let finite = [
            ("C_m", self.c_m),
            ("tau_m", self.tau_m),
            ("tau_syn_ex", self.tau_syn_ex),
            ("tau_syn_in", self.tau_syn_in),
            ("t_ref", self.t_ref),
            ("E_L", self.e_l),
            ("V_reset", self.v_reset),
            ("V_th", self.v_th),
            ("I_e", self.i_e),
            ("V_m", self.v_m),
        ];
        for (name, value) in finite {
            if !value.is_finite() {
                return Err(ParamError::NotFinite(name));
            }
        }
        if self.v_min.is_nan() || self.v_min == f64::INFINITY {
            return Err(ParamError::NotFinite("V_min"));
        }
        if self.c_m <= 0.0 {
            return Err(ParamError::Capacitance);
        }
        if self.tau_m <= 0.0 {
            return Err(ParamError::TauM);
        }
        if self.tau_syn_ex <= 0.0 || self.tau_syn_in <= 0.0 {
            return Err(ParamError::TauSyn);
        }
        if self.t_ref < 0.0 {
            return Err(ParamError::Refractory);
        }
        if self.v_reset - self.e_l >= self.v_th - self.e_l {
            return Err(ParamError::Reset);
        }
        Ok(())
    }
}

/// `P31` and `P32` for one synaptic time constant, as NEST's
/// `IAFPropagatorAlpha::evaluate` computes them, including its treatment of
/// the singular case `tau_m == tau_syn` (`libnestutil/iaf_propagator.cpp`).
fn alpha_propagator(tau_syn: f64, tau_m: f64, c_m: f64, h: f64) -> (f64, f64) {
    // Regular P31 only if h > 1e-7 * tau_m^2 / |tau_m - tau_syn|.
    let h_min_regular = 1e-7 * tau_m * tau_m / (tau_m - tau_syn).abs();
    let beta = tau_syn * tau_m / (tau_m - tau_syn); // inf when tau_m == tau_syn
    let gamma = beta / c_m;
    let inv_tau_syn = 1.0 / tau_syn;
    let inv_tau_m = 1.0 / tau_m;
    let inv_c_m = 1.0 / c_m;
    let inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m);

    let exp_h_tau_syn = (-h * inv_tau_syn).exp();
    let expm1_h_tau = (h * inv_beta).exp_m1();
    let p32_regular = gamma * exp_h_tau_syn * expm1_h_tau;
    let mut exp_h_tau = f64::NAN;
    let p32 = if p32_regular.is_normal() && p32_regular > 0.0 {
        p32_regular
    } else {
        exp_h_tau = (-h * inv_tau_m).exp();
        h * inv_c_m * exp_h_tau
    };
    if h > h_min_regular {
        return (gamma * exp_h_tau_syn * (beta * expm1_h_tau - h), p32);
    }
    if exp_h_tau.is_nan() {
        exp_h_tau = (-h * inv_tau_m).exp();
    }
    (0.5 * h * h * inv_c_m * exp_h_tau, p32)
}

/// The vector units the neuron update is compiled for, chosen at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The target's baseline (SSE2 on x86-64).
    Portable,
    /// AVX2 (4 doubles per instruction).
    Avx2,
    /// AVX-512 F and BW (8 doubles per instruction).
    Avx512,
}

impl Isa {
    /// Whether this CPU has it.
    pub fn available(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                Isa::Avx2.available()
                    && std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest available; `SPINDLE_ISA=portable|avx2|avx512` overrides
    /// (to compare paths).
    pub fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            let wanted = match std::env::var("SPINDLE_ISA").as_deref() {
                Ok("portable") => Some(Isa::Portable),
                Ok("avx2") => Some(Isa::Avx2),
                Ok("avx512") => Some(Isa::Avx512),
                _ => None,
            };
            wanted.filter(|i| i.available()).unwrap_or_else(|| {
                [Isa::Avx512, Isa::Avx2, Isa::Portable]
                    .into_iter()
                    .find(|i| i.available())
                    .expect("portable is always available")
            })
        })
    }
}

/// Everything derived from the parameters and `h`, once per run (NEST's
/// `Variables_`, computed in `pre_run_hook`). Potentials relative to `E_L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Propagators {
    /// `exp(-h/tau_syn_ex)`: P11 and P22 of the excitatory current.
    pub p11_ex: f64,
    /// `exp(-h/tau_syn_in)`.
    pub p11_in: f64,
    /// `h * P11_ex`.
    pub p21_ex: f64,
    /// `h * P11_in`.
    pub p21_in: f64,
    /// Propagator from `dI_ex` to `V_m`.
    pub p31_ex: f64,
    /// Propagator from `I_ex` to `V_m`.
    pub p32_ex: f64,
    /// Propagator from `dI_in` to `V_m`.
    pub p31_in: f64,
    /// Propagator from `I_in` to `V_m`.
    pub p32_in: f64,
    /// Propagator from a constant current to `V_m`: `-tau_m/C_m * expm1(-h/tau_m)`.
    pub p30: f64,
    /// `expm1(-h/tau_m)`; `V_m` is propagated as `expm1_tau_m * V + V`.
    pub expm1_tau_m: f64,
    /// Jump of `dI_ex` per pA of weight: `e / tau_syn_ex`.
    pub epsc_initial: f64,
    /// Jump of `dI_in` per pA of weight: `e / tau_syn_in`.
    pub ipsc_initial: f64,
    /// Refractory period in steps.
    pub refractory_steps: u32,
    /// Threshold relative to `E_L`.
    pub theta: f64,
    /// Reset relative to `E_L`.
    pub v_reset: f64,
    /// Lower bound relative to `E_L`.
    pub lower_bound: f64,
    /// `I_e`.
    pub i_e: f64,
    /// `E_L`, to report absolute potentials.
    pub e_l: f64,
}

impl Propagators {
    /// Derive the propagators for resolution `res`.
    pub fn new(p: &IafPscAlphaParams, res: Resolution) -> Self {
        let h = res.h();
        let p11_ex = (-h / p.tau_syn_ex).exp();
        let p11_in = (-h / p.tau_syn_in).exp();
        let expm1_tau_m = (-h / p.tau_m).exp_m1();
        let p30 = -p.tau_m / p.c_m * (-h / p.tau_m).exp_m1();
        let (p31_ex, p32_ex) = alpha_propagator(p.tau_syn_ex, p.tau_m, p.c_m, h);
        let (p31_in, p32_in) = alpha_propagator(p.tau_syn_in, p.tau_m, p.c_m, h);
        Self {
            p11_ex,
            p11_in,
            p21_ex: h * p11_ex,
            p21_in: h * p11_in,
            p31_ex,
            p32_ex,
            p31_in,
            p32_in,
            p30,
            expm1_tau_m,
            epsc_initial: 1.0 * std::f64::consts::E / p.tau_syn_ex,
            ipsc_initial: 1.0 * std::f64::consts::E / p.tau_syn_in,
            refractory_steps: res.floor_steps(p.t_ref) as u32,
            theta: p.v_th - p.e_l,
            v_reset: p.v_reset - p.e_l,
            lower_bound: p.v_min - p.e_l,
            i_e: p.i_e,
            e_l: p.e_l,
        }
    }
}

/// A population of `iaf_psc_alpha` neurons sharing one parameter set, as
/// structure of arrays. It occupies `offset..offset + len` of its shard's
/// local indices (and input ring).
#[derive(Debug, Clone)]
pub struct IafPscAlphaPopulation {
    props: Propagators,
    offset: u32,
    /// Membrane potential relative to `E_L` [mV] (NEST's `y3_`).
    v_m: Vec<f64>,
    i_ex: Vec<f64>,
    di_ex: Vec<f64>,
    i_in: Vec<f64>,
    di_in: Vec<f64>,
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
/// hide the latency of the additions. 8 lanes measured 1.3x slower with
/// AVX-512 and 1.8x slower with AVX2 on the seed network.
const LANES: usize = 16;

/// Marks a neuron no multimeter records.
pub const NO_PROBE: u32 = u32::MAX;

impl IafPscAlphaPopulation {
    /// `len` neurons at local indices `offset..`, all starting at the
    /// parameters' `v_m`, with propagators for `res`.
    pub fn new(params: &IafPscAlphaParams, res: Resolution, offset: u32, len: usize) -> Self {
        let props = Propagators::new(params, res);
        Self {
            props,
            offset,
            v_m: vec![params.v_m - params.e_l; len],
            i_ex: vec![0.0; len],
            di_ex: vec![0.0; len],
            i_in: vec![0.0; len],
            di_in: vec![0.0; len],
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
    pub const STATE_BYTES_PER_NEURON: usize = 5 * 8 + 4 + 4;

    /// Let multimeter probe `probe` sample neuron `i` every `interval` steps.
    pub fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.probe[i] = probe;
        self.probe_interval = interval.max(1);
    }

    /// Advance every neuron through steps `origin + from .. origin + to`
    /// (NEST's `update(origin, from, to)`), one neuron at a time so its state
    /// stays in registers for the whole slice. Reads and clears the input
    /// ring, draws Poisson input, and reports spikes and samples to `sink`.
    pub fn update<S: UpdateSink>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        sink: &mut S,
    ) {
        self.update_on(Isa::best(), origin, from, to, ring, poisson, sink);
    }

    /// [`update`](Self::update) compiled for the vector unit `isa` (which
    /// must be available: [`Isa::available`]). Every path makes the same
    /// operations in the same order, with no fused multiply-add (Rust never
    /// contracts `a * b + c`), so all give the same bits.
    #[allow(clippy::too_many_arguments)]
    pub fn update_on<S: UpdateSink>(
        &mut self,
        isa: Isa,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        sink: &mut S,
    ) {
        assert!(isa.available(), "{isa:?} is not available on this CPU");
        match isa {
            Isa::Portable => self.update_portable(origin, from, to, ring, poisson, sink),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx2 => unsafe { self.update_avx2(origin, from, to, ring, poisson, sink) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F, AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx512 => unsafe { self.update_avx512(origin, from, to, ring, poisson, sink) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => self.update_portable(origin, from, to, ring, poisson, sink),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn update_avx2<S: UpdateSink>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        sink: &mut S,
    ) {
        self.update_portable(origin, from, to, ring, poisson, sink)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn update_avx512<S: UpdateSink>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        sink: &mut S,
    ) {
        self.update_portable(origin, from, to, ring, poisson, sink)
    }

    /// The update itself, inlined into each vector unit's copy.
    #[inline(always)]
    fn update_portable<S: UpdateSink>(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        sink: &mut S,
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
                self.update_lanes::<LANES, false, S>(
                    i,
                    origin,
                    from,
                    to,
                    ring,
                    poisson,
                    &mut scratch,
                    sink,
                );
                i += LANES;
            } else if self.probe[i] == NO_PROBE {
                self.update_lanes::<1, false, S>(
                    i,
                    origin,
                    from,
                    to,
                    ring,
                    poisson,
                    &mut scratch,
                    sink,
                );
                i += 1;
            } else {
                self.update_lanes::<1, true, S>(
                    i,
                    origin,
                    from,
                    to,
                    ring,
                    poisson,
                    &mut scratch,
                    sink,
                );
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
    fn update_lanes<const N: usize, const PROBE: bool, S: UpdateSink>(
        &mut self,
        i0: usize,
        origin: Step,
        from: u32,
        to: u32,
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        scratch: &mut Scratch,
        sink: &mut S,
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
            self.emit_spikes::<N, S>(base, from, n, fired, sink);
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
                    let v_m = c.y3[0] + p.e_l;
                    sink.sample(self.probe[i0], step, v_m, c.i_ex[0], c.i_in[0]);
                }
            }
            c.store(self, i0);
        }
        self.emit_spikes::<N, S>(base, from, n, fired, sink);
    }

    /// Report the block's spikes, lag by lag, lanes in order. A lane fires
    /// in about one step in 350 (seed network).
    #[inline(always)]
    fn emit_spikes<const N: usize, S: UpdateSink>(
        &self,
        base: usize,
        from: u32,
        n: usize,
        fired: &[u32],
        sink: &mut S,
    ) {
        for (lag, &mask) in fired.iter().enumerate().take(n).skip(from as usize) {
            let mut mask = mask;
            while mask != 0 {
                let l = mask.trailing_zeros() as usize;
                sink.spike((base + l) as u32, lag as u32);
                mask &= mask - 1;
            }
        }
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
    y3: [f64; M],
    i_ex: [f64; M],
    di_ex: [f64; M],
    i_in: [f64; M],
    di_in: [f64; M],
    r: [u32; M],
}

impl<const M: usize> Chunk<M> {
    #[inline(always)]
    fn load(pop: &IafPscAlphaPopulation, i: usize) -> Self {
        let get = |v: &[f64]| -> [f64; M] { v[i..i + M].try_into().expect("a chunk") };
        Self {
            y3: get(&pop.v_m),
            i_ex: get(&pop.i_ex),
            di_ex: get(&pop.di_ex),
            i_in: get(&pop.i_in),
            di_in: get(&pop.di_in),
            r: pop.r[i..i + M].try_into().expect("a chunk"),
        }
    }

    #[inline(always)]
    fn store(&self, pop: &mut IafPscAlphaPopulation, i: usize) {
        pop.v_m[i..i + M].copy_from_slice(&self.y3);
        pop.i_ex[i..i + M].copy_from_slice(&self.i_ex);
        pop.di_ex[i..i + M].copy_from_slice(&self.di_ex);
        pop.i_in[i..i + M].copy_from_slice(&self.i_in);
        pop.di_in[i..i + M].copy_from_slice(&self.di_in);
        pop.r[i..i + M].copy_from_slice(&self.r);
    }

    /// One step of NEST's update (`iaf_psc_alpha::update`), its operations
    /// in its order for every lane, for input `ex[..M]`, `inh[..M]`; marks
    /// who fired: bit `l` of the result for lane `l`.
    #[inline(always)]
    fn step(&mut self, p: &Propagators, ex: &[f64], inh: &[f64]) -> u32 {
        let mut fired = 0;
        let p30_i_e = p.p30 * p.i_e;
        for l in 0..M {
            let v = p30_i_e
                + p.p31_ex * self.di_ex[l]
                + p.p32_ex * self.i_ex[l]
                + p.p31_in * self.di_in[l]
                + p.p32_in * self.i_in[l]
                + p.expm1_tau_m * self.y3[l]
                + self.y3[l];
            let v = if v < p.lower_bound { p.lower_bound } else { v };
            let refractory = self.r[l] != 0;
            self.y3[l] = if refractory { self.y3[l] } else { v };
            self.r[l] -= u32::from(refractory);

            self.i_ex[l] = p.p21_ex * self.di_ex[l] + p.p11_ex * self.i_ex[l];
            self.di_ex[l] = self.di_ex[l] * p.p11_ex + p.epsc_initial * ex[l];
            self.i_in[l] = p.p21_in * self.di_in[l] + p.p11_in * self.i_in[l];
            self.di_in[l] = self.di_in[l] * p.p11_in + p.ipsc_initial * inh[l];

            let fire = self.y3[l] >= p.theta;
            fired |= u32::from(fire) << l;
            self.r[l] = if fire { p.refractory_steps } else { self.r[l] };
            self.y3[l] = if fire { p.v_reset } else { self.y3[l] };
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_params() -> IafPscAlphaParams {
        IafPscAlphaParams {
            tau_m: 20.0,
            tau_syn_ex: 0.5,
            tau_syn_in: 0.5,
            e_l: 0.0,
            v_reset: 0.0,
            v_m: 0.0,
            v_th: 20.0,
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_nests() {
        let p = IafPscAlphaParams::default();
        assert_eq!(
            (p.c_m, p.tau_m, p.t_ref, p.e_l, p.v_th),
            (250.0, 10.0, 2.0, -70.0, -55.0)
        );
        assert_eq!(p.v_min, f64::NEG_INFINITY);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn validation_messages_are_nests() {
        let bad = |f: fn(&mut IafPscAlphaParams)| {
            let mut p = IafPscAlphaParams::default();
            f(&mut p);
            p.validate().unwrap_err().to_string()
        };
        assert_eq!(bad(|p| p.c_m = 0.0), "Capacitance must be > 0.");
        assert_eq!(
            bad(|p| p.tau_m = -1.0),
            "Membrane time constant must be > 0."
        );
        assert_eq!(
            bad(|p| p.tau_syn_in = 0.0),
            "All synaptic time constants must be > 0."
        );
        assert_eq!(
            bad(|p| p.tau_syn_ex = 0.0),
            "All synaptic time constants must be > 0."
        );
        assert_eq!(
            bad(|p| p.t_ref = -0.1),
            "The refractory time t_ref can't be negative."
        );
        assert_eq!(
            bad(|p| p.v_reset = -55.0),
            "Reset potential must be smaller than threshold."
        );
        assert_eq!(
            bad(|p| p.c_m = f64::NAN),
            "Parameter C_m must be a finite number."
        );
        let ok = IafPscAlphaParams {
            t_ref: 0.0,
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn propagators_match_derived_values() {
        let p = Propagators::new(&seed_params(), Resolution::new(0.1).unwrap());
        assert!((p.p11_ex - 0.818_730_753_077_981_9).abs() < 1e-15);
        assert!((p.p30 - 3.990_025e-4).abs() < 1e-9);
        assert!((p.p32_ex - 3.616_04e-4).abs() < 1e-9);
        assert!((p.p31_ex - 1.749_29e-5).abs() < 1e-10);
        assert_eq!(p.refractory_steps, 20);
    }

    #[test]
    fn singular_case_is_finite_and_continuous() {
        let res = Resolution::new(0.1).unwrap();
        let mut sing = seed_params();
        sing.tau_m = 0.5;
        let near = IafPscAlphaParams {
            tau_m: 0.5 + 1e-6,
            ..sing
        };
        let a = Propagators::new(&sing, res);
        let b = Propagators::new(&near, res);
        assert!(a.p31_ex.is_finite() && a.p32_ex.is_finite());
        assert!((a.p31_ex - b.p31_ex).abs() < 1e-5 * a.p31_ex);
        assert!((a.p32_ex - b.p32_ex).abs() < 1e-6 * a.p32_ex);
    }

    struct Collect(Vec<(u32, u32)>);
    impl UpdateSink for Collect {
        fn spike(&mut self, local: u32, lag: u32) {
            self.0.push((local, lag));
        }
        fn sample(&mut self, _: u32, _: u64, _: f64, _: f64, _: f64) {}
    }

    #[test]
    fn dc_input_fires_regularly_and_respects_refractoriness() {
        let res = Resolution::new(0.1).unwrap();
        let params = IafPscAlphaParams {
            i_e: 600.0,
            ..seed_params()
        };
        let mut pop = IafPscAlphaPopulation::new(&params, res, 0, 1);
        let mut ring = InputRing::new(1, 4);
        let mut poisson = PoissonInput::empty(1);
        let mut sink = Collect(Vec::new());
        let mut spikes = Vec::new();
        for slice in 0..100u64 {
            sink.0.clear();
            pop.update(slice * 20, 0, 20, &mut ring, &mut poisson, &mut sink);
            spikes.extend(sink.0.iter().map(|&(_, lag)| slice * 20 + lag as u64 + 1));
        }
        // NEST: first spike at 10.8 ms, then every 12.8 ms.
        assert_eq!(spikes[0], 108);
        assert!(spikes.windows(2).all(|w| w[1] - w[0] == 128), "{spikes:?}");
    }

    /// Every vector unit's copy of the update gives the same bits: 20
    /// Poisson-driven seed neurons with recurrent-like ring input, 200
    /// slices, spikes and the whole state compared.
    #[test]
    fn every_vector_path_gives_the_same_bits() {
        use crate::poisson::{PoissonDrive, PoissonSampler};
        use spindle_core::rng::{Purpose, stream_state};

        let res = Resolution::new(0.1).unwrap();
        let run = |isa: Isa| {
            let n = 20;
            let mut pop = IafPscAlphaPopulation::new(&seed_params(), res, 0, n);
            let mut ring = InputRing::new(n, 40);
            let drive = PoissonDrive {
                sampler: PoissonSampler::new(1.78),
                weight: 20.68,
                delay: 15,
                t_min: 0,
                t_max: Step::MAX,
            };
            let per_neuron = (0..n)
                .map(|i| vec![(0, stream_state(7, Purpose::Poisson, 1, i as u64))])
                .collect();
            let mut poisson = PoissonInput::new(vec![drive], per_neuron);
            let mut sink = Collect(Vec::new());
            for slice in 0..200u64 {
                let origin = slice * 15;
                for i in 0..n {
                    ring.add(origin + 15 + (i as u64 % 15), i, -30.0 * (i % 3) as f64);
                }
                pop.update_on(isa, origin, 0, 15, &mut ring, &mut poisson, &mut sink);
            }
            let state: Vec<u64> = (0..n).map(|i| pop.v_m(i).to_bits()).collect();
            (sink.0, state)
        };
        let portable = run(Isa::Portable);
        assert!(
            portable.0.len() > 100,
            "the neurons fire: {}",
            portable.0.len()
        );
        for isa in [Isa::Avx2, Isa::Avx512] {
            if isa.available() {
                assert_eq!(run(isa), portable, "{isa:?}");
            }
        }
    }

    #[test]
    fn potential_is_clamped_at_v_min() {
        let res = Resolution::new(0.1).unwrap();
        let params = IafPscAlphaParams {
            i_e: -1000.0,
            v_min: -5.0,
            ..seed_params()
        };
        let mut pop = IafPscAlphaPopulation::new(&params, res, 0, 1);
        let mut ring = InputRing::new(1, 4);
        let mut poisson = PoissonInput::empty(1);
        pop.update(
            0,
            0,
            1000,
            &mut ring,
            &mut poisson,
            &mut Collect(Vec::new()),
        );
        assert_eq!(pop.v_m(0), -5.0);
    }
}
