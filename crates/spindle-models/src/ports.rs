//! The driver the models with receptor ports share
//! (`iaf_psc_exp_multisynapse`, `iaf_psc_alpha_multisynapse`): a
//! population whose neurons read one input channel per port from the
//! shard's ring ([`InputRing::take_port_lanes`]), each port with state of
//! its own, advanced through a slice in blocks of neighbouring neurons.
//!
//! A model says only what differs ([`PortModel`]): its propagators, how
//! many state variables a port has and which of them is its current, and
//! the step of `N` lanes. The ports' state is held neuron by neuron (a
//! neuron's `VARS * ports` values together, variable-major) and copied into
//! a block's working memory for the slice, port-major with the lanes
//! innermost, so that each port's term of every lane is one vector
//! operation; the membrane potential's sum over the ports stays in NEST's
//! order (port 1, 2, ...) in every lane.
//!
//! Poisson input of a port neuron is drawn into the ring's port cells
//! before the block reads them ([`PoissonInput::fill_ports`]); current
//! generators reach it as NEST's `I_const` (receptor 0).

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Mutex;

use spindle_core::{Resolution, Step};

use crate::model::{NO_PROBE, ParamError, Population, RecordableSpec, SliceInput, SliceOutput};
use crate::{CurrentInput, InputRing, Isa, PoissonInput};

/// What a model with receptor ports gives the driver.
pub trait PortModel: Debug + Clone + Send + Sync + 'static {
    /// Everything the step reads that derives from the parameters and `h`
    /// (NEST's `Variables_`), the ports' propagators among them.
    type Props: Debug + Clone + Send + Sync;

    /// State variables per port.
    const VARS: usize;
    /// Which of them is the port's current (NEST's `I_syn_k`).
    const CURRENT: usize;

    /// The propagators of parameters `values` (validated, in the model's
    /// order, its list of time constants after the scalars) on grid `res`.
    fn parts(values: &[f64], res: Resolution) -> Self::Props;

    /// Number of ports.
    fn ports(p: &Self::Props) -> usize;

    /// `E_L` [mV]; membrane potentials are held relative to it.
    fn e_l(p: &Self::Props) -> f64;

    /// One step of NEST's update for `N` lanes, its operations in its order
    /// in every lane: membrane potentials `v` (relative to `E_L`),
    /// refractory counts `r`, the ports' state `syn` (`[var][port][lane]`),
    /// this step's input `input` (`[port][lane]`, summed weights) and,
    /// where a current generator reaches the lanes, the input current `i0`
    /// of the step (NEST's `I_const`; `None` is zero). Returns who fired:
    /// bit `l` for lane `l`.
    fn step<const N: usize>(
        p: &Self::Props,
        v: &mut [f64; N],
        r: &mut [u32; N],
        syn: &mut [f64],
        input: &[f64],
        i0: Option<&[f64; N]>,
    ) -> u32;
}

/// NEST's name of port `k`'s current (0-based `k`): `I_syn_{k + 1}`,
/// made once per name and kept for the program's life.
pub fn current_name(k: usize) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    while names.len() <= k {
        let name = format!("I_syn_{}", names.len() + 1);
        names.push(Box::leak(name.into_boxed_str()));
    }
    names[k]
}

/// What a multimeter may record from a neuron with `ports` ports, in the
/// order the driver samples them: `V_m`, `I_syn` (the sum of the ports'
/// currents), `I_syn_1`, ..., `I_syn_{ports}`.
pub fn recordables(ports: usize) -> Cow<'static, [RecordableSpec]> {
    let mut out = vec![
        RecordableSpec {
            name: "V_m",
            unit: "mV",
        },
        RecordableSpec {
            name: "I_syn",
            unit: "pA",
        },
    ];
    out.extend((0..ports).map(|k| RecordableSpec {
        name: current_name(k),
        unit: "pA",
    }));
    Cow::Owned(out)
}

/// Bytes of state per neuron of a model with `vars` variables per port and
/// `ports` ports: `V_m`, the refractory count, the ports' state and the
/// probe index.
pub fn state_bytes(vars: usize, ports: usize) -> usize {
    8 + 4 + 4 + 8 * vars * ports
}

/// A population of one port model's neurons sharing one parameter set. It
/// occupies `offset..offset + len` of its shard's local indices (and ring).
#[derive(Debug, Clone)]
pub struct PortPopulation<M: PortModel> {
    props: M::Props,
    offset: u32,
    /// Membrane potentials relative to `E_L` [mV].
    v: Vec<f64>,
    /// Refractory steps left.
    r: Vec<u32>,
    /// The ports' state, neuron by neuron: `VARS * ports` values each,
    /// `[var][port]`.
    syn: Vec<f64>,
    /// Multimeter probe per neuron, or `NO_PROBE`.
    probe: Vec<u32>,
    /// Multimeter sampling interval in steps.
    probe_interval: Step,
    /// Each neuron's input current [pA] (NEST's `I_const`), where current
    /// generators reach the population (else empty).
    i0: Vec<f64>,
    scratch: Scratch,
    model: PhantomData<M>,
}

/// Working memory of one update call.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// Ring row of each lag.
    rows: Vec<usize>,
    /// A block's port state, `[var][port][lane]`.
    syn: Vec<f64>,
    /// A step's input, `[port][lane]`.
    input: Vec<f64>,
    /// Which lanes fired in each lag.
    fired: Vec<u32>,
}

/// Lanes of a block of neurons no multimeter samples.
const LANES: usize = 16;

impl<M: PortModel> PortPopulation<M> {
    /// `len` neurons at local indices `offset..`, at membrane potential
    /// `v_m` [mV] with their ports at rest, with the propagators of
    /// `values` on grid `res`.
    pub fn new(values: &[f64], v_m: f64, res: Resolution, offset: u32, len: usize) -> Self {
        let props = M::parts(values, res);
        let stride = M::VARS * M::ports(&props);
        let e_l = M::e_l(&props);
        Self {
            props,
            offset,
            v: vec![v_m - e_l; len],
            r: vec![0; len],
            syn: vec![0.0; stride * len],
            probe: vec![NO_PROBE; len],
            probe_interval: 0,
            i0: Vec::new(),
            scratch: Scratch::default(),
            model: PhantomData,
        }
    }

    /// The propagators in use.
    pub fn propagators(&self) -> &M::Props {
        &self.props
    }

    fn stride(&self) -> usize {
        M::VARS * M::ports(&self.props)
    }

    /// The recordables of neuron `i` now: `V_m`, `I_syn`, `I_syn_1..`.
    fn sample(&self, i: usize) -> Vec<f64> {
        let ports = M::ports(&self.props);
        let s = &self.syn[i * self.stride()..(i + 1) * self.stride()];
        sample_of::<M>(&self.props, self.v[i], ports, |k| s[M::CURRENT * ports + k])
    }

    /// Advance `N` neighbouring neurons from `i` through the slice; `PROBE`
    /// (with `N` = 1) samples for the multimeter.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn update_lanes<const N: usize, const PROBE: bool>(
        &mut self,
        p: &M::Props,
        i: usize,
        (origin, from, to): (Step, u32, u32),
        ring: &mut InputRing,
        poisson: &mut PoissonInput,
        currents: Option<&CurrentInput>,
        out: &mut SliceOutput,
    ) {
        let ports = M::ports(p);
        let stride = M::VARS * ports;
        let base = self.offset as usize + i;
        let scratch = &mut self.scratch;
        // The Poisson input joins the ring's cells before they are read.
        for l in 0..N {
            let rows = &scratch.rows;
            poisson.fill_ports(base + l, origin, from, to, |port, lag, x| {
                ring.add_port_at(rows[lag], port, base + l, x)
            });
        }
        // The block's state, lanes innermost.
        scratch.syn.resize(stride * N, 0.0);
        for l in 0..N {
            let own = &self.syn[(i + l) * stride..(i + l + 1) * stride];
            for (j, &x) in own.iter().enumerate() {
                scratch.syn[j * N + l] = x;
            }
        }
        scratch.input.clear();
        scratch.input.resize(ports * N, 0.0);
        // Ports the ring lacks (a neuron given more after the ring was
        // built, which nothing connects to) get no input.
        let read = ports.min(ring.ports());
        let mut v: [f64; N] = self.v[i..i + N].try_into().expect("N lanes");
        let mut r: [u32; N] = self.r[i..i + N].try_into().expect("N lanes");
        let n = to as usize;
        for lag in from as usize..n {
            let row = scratch.rows[lag];
            for k in 0..read {
                let x = ring.take_port_lanes::<N>(row, k, base);
                scratch.input[k * N..k * N + N].copy_from_slice(&x);
            }
            let step = origin + lag as Step;
            scratch.fired[lag] = match currents {
                None => M::step::<N>(p, &mut v, &mut r, &mut scratch.syn, &scratch.input, None),
                Some(c) => {
                    let i0: [f64; N] = self.i0[i..i + N].try_into().expect("N lanes");
                    let fired = M::step::<N>(
                        p,
                        &mut v,
                        &mut r,
                        &mut scratch.syn,
                        &scratch.input,
                        Some(&i0),
                    );
                    // NEST reads the current buffer at the end of the step.
                    for l in 0..N {
                        self.i0[i + l] = c.arriving(base + l, step);
                    }
                    fired
                }
            };
            if PROBE && (step + 1).is_multiple_of(self.probe_interval) {
                let syn = &scratch.syn;
                let values = sample_of::<M>(p, v[0], ports, |k| syn[(M::CURRENT * ports + k) * N]);
                out.sample(self.probe[i], step, &values);
            }
        }
        self.v[i..i + N].copy_from_slice(&v);
        self.r[i..i + N].copy_from_slice(&r);
        for l in 0..N {
            let own = &mut self.syn[(i + l) * stride..(i + l + 1) * stride];
            for (j, x) in own.iter_mut().enumerate() {
                *x = scratch.syn[j * N + l];
            }
        }
        for (lag, &mask) in scratch.fired.iter().enumerate().take(n).skip(from as usize) {
            let mut mask = mask;
            while mask != 0 {
                let l = mask.trailing_zeros() as usize;
                out.spike((base + l) as u32, lag as u32);
                mask &= mask - 1;
            }
        }
    }

    /// The update itself, inlined into each vector unit's copy.
    #[inline(always)]
    fn update_portable(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        let (ring, poisson) = (&mut *input.ring, &mut *input.poisson);
        let currents = input
            .currents
            .reaches(self.offset, self.len())
            .then_some(input.currents);
        if currents.is_some() {
            self.i0.resize(self.len(), 0.0);
        }
        ring.fold_planes(origin, from, to);
        ring.row_offsets(origin, from, to, &mut self.scratch.rows);
        self.scratch.fired.resize(to as usize, 0);
        let p = self.props.clone();
        let slice = (origin, from, to);
        let mut i = 0;
        while i < self.len() {
            if i + LANES <= self.len() && self.probe[i..i + LANES].iter().all(|&x| x == NO_PROBE) {
                self.update_lanes::<LANES, false>(&p, i, slice, ring, poisson, currents, out);
                i += LANES;
            } else if self.probe[i] == NO_PROBE {
                self.update_lanes::<1, false>(&p, i, slice, ring, poisson, currents, out);
                i += 1;
            } else {
                self.update_lanes::<1, true>(&p, i, slice, ring, poisson, currents, out);
                i += 1;
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn update_avx2(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        self.update_portable(origin, from, to, input, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn update_avx512(
        &mut self,
        origin: Step,
        from: u32,
        to: u32,
        input: &mut SliceInput<'_>,
        out: &mut SliceOutput,
    ) {
        self.update_portable(origin, from, to, input, out)
    }
}

/// `V_m`, `I_syn` and each port's current, from the potential `v`
/// (relative to `E_L`) and `current(k)`. `I_syn` is summed from 0.0 in
/// port order, as NEST's `std::accumulate`.
fn sample_of<M: PortModel>(
    p: &M::Props,
    v: f64,
    ports: usize,
    current: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let mut values = Vec::with_capacity(2 + ports);
    values.push(v + M::e_l(p));
    values.push((0..ports).fold(0.0, |sum, k| sum + current(k)));
    values.extend((0..ports).map(current));
    values
}

impl<M: PortModel> Population for PortPopulation<M> {
    fn len(&self) -> usize {
        self.v.len()
    }

    fn offset(&self) -> u32 {
        self.offset
    }

    fn attach_probe(&mut self, i: usize, probe: u32, interval: Step) {
        self.probe[i] = probe;
        self.probe_interval = interval.max(1);
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
        assert!(isa.available(), "{isa:?} is not available on this CPU");
        match isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx2 => unsafe { self.update_avx2(origin, from, to, input, out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX-512F, AVX2 and FMA are present (checked above).
            #[allow(unsafe_code)]
            Isa::Avx512 => unsafe { self.update_avx512(origin, from, to, input, out) },
            _ => self.update_portable(origin, from, to, input, out),
        }
    }

    fn recordable(&self, i: usize, r: usize) -> f64 {
        self.sample(i).get(r).copied().unwrap_or(f64::NAN)
    }

    fn set_state(&mut self, i: usize, name: &str, value: f64) -> Result<(), ParamError> {
        match name {
            "V_m" => {
                self.v[i] = value - M::e_l(&self.props);
                Ok(())
            }
            _ => Err(ParamError::Unknown(name.into())),
        }
    }

    fn split_off(&mut self, at: usize) -> Box<dyn Population> {
        assert!(0 < at && at < self.len(), "a split inside the population");
        let stride = self.stride();
        let i0 = if self.i0.is_empty() {
            Vec::new()
        } else {
            self.i0.split_off(at)
        };
        Box::new(Self {
            props: self.props.clone(),
            offset: self.offset + at as u32,
            v: self.v.split_off(at),
            r: self.r.split_off(at),
            syn: self.syn.split_off(at * stride),
            probe: self.probe.split_off(at),
            probe_interval: self.probe_interval,
            i0,
            scratch: Scratch::default(),
            model: PhantomData,
        })
    }

    fn set_params(&mut self, values: &[f64], res: Resolution) {
        let props = M::parts(values, res);
        // NEST keeps V_m where it is when E_L moves (`V_m -= delta_EL`).
        let delta_el = M::e_l(&props) - M::e_l(&self.props);
        if delta_el != 0.0 {
            self.v.iter_mut().for_each(|v| *v -= delta_el);
        }
        // A new number of ports keeps the first ports' state and starts
        // the others at rest (NEST resizes its vectors).
        let (old, new) = (M::ports(&self.props), M::ports(&props));
        if old != new {
            let keep = old.min(new);
            let mut syn = vec![0.0; M::VARS * new * self.len()];
            for i in 0..self.len() {
                for var in 0..M::VARS {
                    let from = i * M::VARS * old + var * old;
                    let to = i * M::VARS * new + var * new;
                    syn[to..to + keep].copy_from_slice(&self.syn[from..from + keep]);
                }
            }
            self.syn = syn;
        }
        self.props = props;
    }

    fn bytes(&self) -> usize {
        self.len() * state_bytes(M::VARS, M::ports(&self.props)) + self.i0.len() * size_of::<f64>()
    }
}
