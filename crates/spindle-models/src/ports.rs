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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iaf_psc_alpha_multisynapse::{
        IafPscAlphaMultisynapse, IafPscAlphaMultisynapseParams,
    };
    use crate::iaf_psc_exp_multisynapse::{IafPscExpMultisynapse, IafPscExpMultisynapseParams};
    use crate::poisson::{PoissonDrive, PoissonSampler};
    use spindle_core::rng::{Purpose, stream, stream_state};

    /// One neuron alone, stepped as NEST steps it: the model's step on
    /// one lane, the ports' state as a vector.
    struct Single<M: PortModel> {
        v: [f64; 1],
        r: [u32; 1],
        syn: Vec<f64>,
        model: PhantomData<M>,
    }

    impl<M: PortModel> Single<M> {
        fn new(p: &M::Props, v_m: f64) -> Self {
            Self {
                v: [v_m - M::e_l(p)],
                r: [0],
                syn: vec![0.0; M::VARS * M::ports(p)],
                model: PhantomData,
            }
        }

        fn step(&mut self, p: &M::Props, input: &[f64]) -> bool {
            M::step::<1>(p, &mut self.v, &mut self.r, &mut self.syn, input, None) != 0
        }

        fn sample(&self, p: &M::Props) -> Vec<f64> {
            let n = M::ports(p);
            sample_of::<M>(p, self.v[0], n, |k| self.syn[M::CURRENT * n + k])
        }
    }

    /// A population of 37 neurons at local indices 3.. of a shard of 45
    /// (blocks of 16 lanes, single neurons, one of them sampled in the
    /// second block) with 3 ports, on a ring of 4, fed random input on
    /// every port and Poisson input on port 2 of some neurons: each
    /// neuron's trace, spikes and samples are those of the neuron stepped
    /// alone.
    fn lanes_are_single_neurons<M: PortModel>(values: &[f64], v_m: f64) {
        let res = Resolution::new(0.1).unwrap();
        let (n, offset, len, slice) = (45usize, 3u32, 37usize, 10u32);
        let mut pop = PortPopulation::<M>::new(values, v_m, res, offset, len);
        let p = M::parts(values, res);
        let ports = M::ports(&p);
        assert_eq!(ports, 3);
        pop.attach_probe(20, 7, 1);
        let mut ring = InputRing::new(n, 32).with_ports(4);
        // Poisson input on port 2 (0-based 1) of every third neuron.
        let drive = PoissonDrive {
            sampler: PoissonSampler::new(0.5),
            weight: 150.0,
            delay: 1,
            t_min: 0,
            t_max: Step::MAX,
        };
        let mut per_neuron = vec![Vec::new(); n];
        let mut ports_of = vec![Vec::new(); n];
        for local in (offset as usize..n).step_by(3) {
            per_neuron[local].push((0, stream_state(1, Purpose::Poisson, 0, local as u64)));
            ports_of[local].push(1);
        }
        let mut poisson = PoissonInput::new(vec![drive.clone()], per_neuron.clone());
        poisson = poisson.with_ports(ports_of.clone());
        let mut reference = PoissonInput::new(vec![drive], per_neuron).with_ports(ports_of);
        let currents = CurrentInput::empty(n);
        let mut singles: Vec<Single<M>> = (0..len).map(|_| Single::new(&p, v_m)).collect();
        let mut draw = spindle_core::param::Draw::new(stream(2, Purpose::NodeValue, 0, 0));
        let mut out = SliceOutput::default();
        let mut fired = 0;
        for s in 0..20 {
            let origin = Step::from(s * slice);
            // Input for each neuron, port and step of the slice.
            let mut input = vec![0.0; len * slice as usize * ports];
            for i in 0..len {
                for lag in 0..slice as usize {
                    for k in 0..ports {
                        if draw.unit() < 0.3 {
                            let w = -500.0 + 1300.0 * draw.unit();
                            let step = origin + lag as Step;
                            ring.add_port(step, offset as usize + i, k, w);
                            input[(i * slice as usize + lag) * ports + k] += w;
                        }
                    }
                }
                reference.fill_ports(offset as usize + i, origin, 0, slice, |k, lag, x| {
                    input[(i * slice as usize + lag) * ports + k] += x;
                });
            }
            out.spikes.clear();
            let mut slice_input = SliceInput {
                ring: &mut ring,
                poisson: &mut poisson,
                currents: &currents,
            };
            pop.update(Isa::detect(), origin, 0, slice, &mut slice_input, &mut out);
            let mut want = Vec::new();
            for (i, single) in singles.iter_mut().enumerate() {
                for lag in 0..slice as usize {
                    let at = (i * slice as usize + lag) * ports;
                    if single.step(&p, &input[at..at + ports]) {
                        want.push((offset + i as u32, lag as u32));
                    }
                }
                let got: Vec<f64> = (0..2 + ports).map(|r| pop.recordable(i, r)).collect();
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&got),
                    bits(&single.sample(&p)),
                    "neuron {i}, slice {s}"
                );
            }
            let mut got = out.spikes.clone();
            got.sort_by_key(|&(l, lag)| (lag, l));
            want.sort_by_key(|&(l, lag)| (lag, l));
            assert_eq!(got, want, "slice {s}");
            fired += got.len();
        }
        assert!(fired > len, "{fired} spikes");
        // The sampled neuron was sampled every step, with all its
        // recordables.
        assert_eq!(out.samples.len(), 20 * slice as usize);
        assert_eq!(out.values.len(), out.samples.len() * (2 + ports));
        assert!(out.samples.iter().all(|s| s.probe == 7));
        let last = &out.values[out.values.len() - (2 + ports)..];
        assert_eq!(last, singles[20].sample(&p).as_slice());
        assert!(singles.iter().all(|s| s.sample(&p)[1] != 0.0));
    }

    fn exp_values() -> Vec<f64> {
        IafPscExpMultisynapseParams {
            tau_syn: vec![0.5, 2.0, 5.0],
            i_e: 300.0,
            ..Default::default()
        }
        .to_values()
    }

    fn alpha_values() -> Vec<f64> {
        IafPscAlphaMultisynapseParams {
            tau_syn: vec![0.5, 2.0, 5.0],
            i_e: 300.0,
            v_min: -75.0,
            ..Default::default()
        }
        .to_values()
    }

    #[test]
    fn exp_lanes_are_single_neurons() {
        lanes_are_single_neurons::<IafPscExpMultisynapse>(&exp_values(), -60.0);
    }

    #[test]
    fn alpha_lanes_are_single_neurons() {
        lanes_are_single_neurons::<IafPscAlphaMultisynapse>(&alpha_values(), -60.0);
    }

    #[test]
    fn split_and_new_ports_keep_the_state() {
        let res = Resolution::new(0.1).unwrap();
        let values = alpha_values();
        let mut pop = PortPopulation::<IafPscAlphaMultisynapse>::new(&values, -60.0, res, 0, 5);
        let mut ring = InputRing::new(5, 8).with_ports(3);
        for i in 0..5 {
            ring.add_port(0, i, 2, 100.0 * (i + 1) as f64);
        }
        let (mut poisson, currents) = (PoissonInput::empty(5), CurrentInput::empty(5));
        let mut input = SliceInput {
            ring: &mut ring,
            poisson: &mut poisson,
            currents: &currents,
        };
        pop.update(
            Isa::Portable,
            0,
            0,
            3,
            &mut input,
            &mut SliceOutput::default(),
        );
        let before: Vec<Vec<f64>> = (0..5).map(|i| pop.sample(i)).collect();
        assert!(before[4][4] > 0.0 && before[0][2] == 0.0);
        let tail = pop.split_off(3);
        assert_eq!((pop.len(), tail.len(), tail.offset()), (3, 2, 3));
        assert_eq!(tail.recordable(1, 4), before[4][4]);
        // Two ports more, then one fewer: the first ports keep their state.
        let mut more = IafPscAlphaMultisynapseParams::from_values(&values);
        more.tau_syn.extend([1.0, 3.0]);
        pop.set_params(&more.to_values(), res);
        assert_eq!(pop.sample(2)[..5], before[2][..5]);
        assert_eq!(pop.sample(2)[5..], [0.0, 0.0]);
        more.tau_syn.truncate(2);
        pop.set_params(&more.to_values(), res);
        assert_eq!(pop.sample(2).len(), 4);
        assert_eq!(pop.sample(2)[3], before[2][3]);
    }

    #[test]
    fn current_names_are_nests() {
        assert_eq!(current_name(0), "I_syn_1");
        assert_eq!(current_name(99), "I_syn_100");
        let names: Vec<_> = recordables(3).iter().map(|r| r.name).collect();
        assert_eq!(names, ["V_m", "I_syn", "I_syn_1", "I_syn_2", "I_syn_3"]);
    }
}
