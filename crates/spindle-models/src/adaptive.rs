//! The lane driver's side of the models NEST integrates with GSL's
//! adaptive solver ([`crate::odeint`]): each neuron is one value of the
//! model's [`OdeNeuron`] type (its ODE state, its own integration step
//! size, its refractory count), advanced by the model's scalar step or,
//! several neurons at once, by its [`OdeNeuron::step_lanes`]. The shared
//! lane driver ([`crate::lanes`]) brings the input, current generators,
//! probes and spikes as for every other model; [`Adaptive`] adapts one to
//! the other.
//!
//! The step size each neuron carries differs from neuron to neuron and
//! from step to step, so lanes integrated together ([`integrate_group`])
//! share the trial steps' arithmetic, not their control flow: every lane
//! takes its own step-size decisions (the same bits for any lane count),
//! and a group runs until its slowest lane is done ([`GroupStep`]: groups
//! of four). The Hodgkin-Huxley models step their whole population at
//! once where nothing samples it and no current reaches it
//! ([`rate_step_pooled`]): a lane whose neuron is done takes up the next,
//! so that the few neurons around a spike (many trial steps) no longer
//! hold up three lanes each.

use std::fmt::Debug;
use std::marker::PhantomData;

use spindle_core::Resolution;

use crate::isa::Isa;
use crate::lanes::{LaneChunk, LaneModel, LanePopulation};
use crate::libm_exp::{ExpPath, exp_lanes};
use crate::model::{ParamError, ParamSpec, Population, RecordableSpec};
use crate::odeint::{
    Control, LaneDerivative, LanePool, integrate_lanes, integrate_one, integrate_pooled,
};

/// One neuron of a model NEST integrates with GSL's rkf45.
pub trait OdeNeuron: Debug + Clone + Copy + Send + Sync + 'static {
    /// What the step reads that derives from the parameters and `h`.
    type Props: Debug + Clone + Copy + Send + Sync;
    /// The recordables of one neuron, in the model's order.
    type Sample: AsRef<[f64]>;

    /// The props of parameters `values` (validated, in the model's
    /// declaration order) on grid `res`.
    fn props(values: &[f64], res: Resolution) -> Self::Props;

    /// A neuron in its initial state (NEST's `State_(const Parameters_&)`
    /// with `V_m` from the parameters), its integration step `res`'s `h`.
    fn new(p: &Self::Props) -> Self;

    /// The membrane potential [mV] (absolute, as NEST holds it).
    fn v_m(&mut self) -> &mut f64;

    /// State variable `name` other than `V_m` that NEST lets `set` change
    /// (the model's state parameters); none by default.
    fn state_mut(&mut self, _name: &str) -> Option<&mut f64> {
        None
    }

    /// One simulation step of NEST's `update`: integrate over the step,
    /// then add this step's spike input (`ex` the excitatory weights'
    /// sum, `inh` the inhibitory ones', negative), refractoriness and spike
    /// detection in NEST's order, with `i_stim` the current input of the
    /// step (NEST's `B_.I_stim_`). Returns whether the neuron fired.
    fn step(&mut self, p: &Self::Props, ex: f64, inh: f64, i_stim: f64) -> bool;

    /// [`Self::step`] of `M` neighbouring neurons, lane `l` with input
    /// `ex[l]`, `inh[l]` and current `i_stim[l]` (none: zero); bit `l` of
    /// the result says whether lane `l` fired. A model may integrate its
    /// lanes together, with the state bits of `M` scalar steps.
    #[inline(always)]
    fn step_lanes<const M: usize>(
        lanes: &mut [Self; M],
        p: &Self::Props,
        ex: &[f64],
        inh: &[f64],
        i_stim: Option<&[f64]>,
    ) -> u32 {
        let mut fired = 0;
        for (l, n) in lanes.iter_mut().enumerate() {
            let i_stim = i_stim.map_or(0.0, |i| i[l]);
            fired |= u32::from(n.step(p, ex[l], inh[l], i_stim)) << l;
        }
        fired
    }

    /// Whether [`Self::step_pooled`] shares lanes across the population
    /// (see [`LaneModel::POOLED`]).
    const POOLED: bool = false;

    /// [`Self::step`] of every neuron of `neurons` (with potentials `v`,
    /// the lane driver's), neuron `i` with input `ex[i]`, `inh[i]` and no
    /// current; pushes the neurons that fired, in ascending order. One at a
    /// time unless the model pools its lanes ([`rate_step_pooled`]).
    #[inline(always)]
    fn step_pooled(
        neurons: &mut [Self],
        v: &mut [f64],
        p: &Self::Props,
        ex: &[f64],
        inh: &[f64],
        fired: &mut Vec<u32>,
    ) {
        for (i, (n, v)) in neurons.iter_mut().zip(v).enumerate() {
            *n.v_m() = *v;
            if n.step(p, ex[i], inh[i], 0.0) {
                fired.push(i as u32);
            }
            *v = *n.v_m();
        }
    }

    /// The recordables.
    fn sample(&self, p: &Self::Props) -> Self::Sample;
}

/// An [`OdeNeuron`] whose state is one ODE system of `N` components and
/// the integration step size it carries.
pub trait OdeState<const N: usize>: OdeNeuron {
    /// The system's state and the carried step size.
    fn ode(&mut self) -> (&mut [f64; N], &mut f64);
}

/// One simulation step's integration of `K` neurons together
/// ([`integrate_lanes`]), `f` their derivative: their states gathered
/// component-major, integrated, and put back with the carried step sizes.
/// A step too small to advance (NEST: GSLSolverFailure) leaves a state
/// where the solver stopped.
// Lane loops index several arrays at the same lane.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn integrate_group<O, F, const N: usize, const K: usize>(
    lanes: &mut [O; K],
    control: &Control,
    f: &F,
    step: f64,
) where
    O: OdeState<N>,
    F: LaneDerivative<N, K>,
{
    let mut y = [[0.0; K]; N];
    let mut h = [0.0; K];
    for (l, n) in lanes.iter_mut().enumerate() {
        let (yn, hn) = n.ode();
        for i in 0..N {
            y[i][l] = yn[i];
        }
        h[l] = *hn;
    }
    let _ = integrate_lanes(control, f, step, &mut h, &mut y);
    for (l, n) in lanes.iter_mut().enumerate() {
        let (yn, hn) = n.ode();
        for i in 0..N {
            yn[i] = y[i][l];
        }
        *hn = h[l];
    }
}

/// How many lanes a [`GroupStep`] model integrates together: a group
/// steps until its slowest lane is done, so a spike in one lane (many small
/// steps) holds up the rest, and the stages of wider groups spill; four
/// fill one AVX2 register (Hodgkin-Huxley: 1.5x faster than sixteen).
pub const GROUP: usize = 4;

/// Lanes a pooled step ([`rate_step_pooled`]) shares across the population.
pub const POOL: usize = 8;

/// A model whose lanes integrate together in groups of [`GROUP`]
/// ([`step_in_groups`]).
pub trait GroupStep: OdeNeuron {
    /// [`OdeNeuron::step_lanes`] of one group of `K` lanes.
    fn step_group<const K: usize>(
        lanes: &mut [Self; K],
        p: &Self::Props,
        ex: &[f64],
        inh: &[f64],
        i_stim: Option<&[f64]>,
    ) -> u32;
}

/// [`OdeNeuron::step_lanes`] by groups of [`GROUP`] lanes, the lanes left
/// over one by one.
#[inline(always)]
pub fn step_in_groups<O: GroupStep, const M: usize>(
    lanes: &mut [O; M],
    p: &O::Props,
    ex: &[f64],
    inh: &[f64],
    i_stim: Option<&[f64]>,
) -> u32 {
    let mut fired = 0;
    let mut at = 0;
    while at + GROUP <= M {
        let group: &mut [O; GROUP] = (&mut lanes[at..at + GROUP])
            .try_into()
            .expect("GROUP lanes");
        let i = i_stim.map(|i| &i[at..at + GROUP]);
        fired |= O::step_group(group, p, &ex[at..], &inh[at..], i) << at;
        at += GROUP;
    }
    for l in at..M {
        let one: &mut [O; 1] = std::slice::from_mut(&mut lanes[l])
            .try_into()
            .expect("one lane");
        let i = i_stim.map(|i| &i[l..]);
        fired |= O::step_group(one, p, &ex[l..], &inh[l..], i) << l;
    }
    fired
}

/// A model whose derivative takes six exponentials of its state (the
/// Hodgkin-Huxley rate functions) and whose update after the integration
/// reads the potential before it (NEST's spike detection at a peak): its
/// scalar step is [`rate_step`], its groups' [`rate_step_group`], which
/// takes the exponentials of a group's lanes together ([`exp_lanes`]).
/// The state's first component is the membrane potential.
pub trait RateModel<const N: usize>: OdeState<N> {
    /// The solver's control and the simulation step [ms].
    fn control(p: &Self::Props) -> (&Control, f64);

    /// The arguments of the exponentials at state `y`.
    fn rate_args(p: &Self::Props, y: &[f64; N]) -> [f64; 6];

    /// The derivative at `y`, with current input `i_stim` and `e` the
    /// exponentials of [`Self::rate_args`] at `y`.
    fn dynamics(p: &Self::Props, i_stim: f64, y: &[f64; N], e: [f64; 6]) -> [f64; N];

    /// The run's vector unit ([`Isa::detect`]) where the lanes' trial steps
    /// may take its explicit code ([`LaneDerivative::isa`]).
    #[inline(always)]
    fn isa(_p: &Self::Props) -> Isa {
        Isa::Portable
    }

    /// The derivative of `M` lanes (component-major, each with current
    /// input `i_stim`) by the model's own vector code, with the bits of
    /// [`Self::dynamics`] lane by lane; `None` where it has none for this
    /// run and lane count, or gives this one back: the lanes then take the
    /// generic path.
    #[inline(always)]
    fn dynamics_lanes<const M: usize>(
        _p: &Self::Props,
        _i_stim: &[f64; M],
        _y: &[[f64; M]; N],
    ) -> Option<[[f64; M]; N]> {
        None
    }

    /// NEST's update after the integration, `u_old` the potential before
    /// it: this step's spike input (`ex`, `inh` as in
    /// [`OdeNeuron::step`]), refractoriness, spike detection. Returns
    /// whether the neuron fired.
    fn after(&mut self, p: &Self::Props, u_old: f64, ex: f64, inh: f64) -> bool;
}

/// [`OdeNeuron::step`] of a [`RateModel`], the exponentials the library's.
#[inline(always)]
pub fn rate_step<O: RateModel<N>, const N: usize>(
    n: &mut O,
    p: &O::Props,
    ex: f64,
    inh: f64,
    i_stim: f64,
) -> bool {
    let f = |y: &[f64; N]| O::dynamics(p, i_stim, y, O::rate_args(p, y).map(f64::exp));
    let (control, h) = O::control(p);
    let (y, step) = n.ode();
    let u_old = y[0];
    // A step too small to advance (NEST: GSLSolverFailure) leaves the
    // state where the solver stopped.
    let _ = integrate_one(control, &f, h, step, y);
    n.after(p, u_old, ex, inh)
}

/// [`GroupStep::step_group`] of a [`RateModel`]: the lanes integrated
/// together ([`integrate_group`]), each with [`rate_step`]'s operations
/// and the library's `exp` bits.
#[inline(always)]
pub fn rate_step_group<O: RateModel<N>, const N: usize, const K: usize>(
    lanes: &mut [O; K],
    p: &O::Props,
    ex: &[f64],
    inh: &[f64],
    i_stim: Option<&[f64]>,
) -> u32 {
    let mut f = RateLanes::<O, K> {
        p,
        i_stim: [0.0; K],
        exp: ExpPath::detect(),
        isa: O::isa(p),
    };
    let mut u_old = [0.0; K];
    for (l, n) in lanes.iter_mut().enumerate() {
        u_old[l] = n.ode().0[0];
    }
    if let Some(i_stim) = i_stim {
        f.i_stim.copy_from_slice(&i_stim[..K]);
    }
    let (control, h) = O::control(p);
    integrate_group(lanes, control, &f, h);
    let mut fired = 0;
    for (l, n) in lanes.iter_mut().enumerate() {
        fired |= u32::from(n.after(p, u_old[l], ex[l], inh[l])) << l;
    }
    fired
}

/// [`OdeNeuron::step_pooled`] of a [`RateModel`]: every neuron's
/// integration in [`POOL`] lanes shared across the population
/// ([`integrate_pooled`]: a lane whose neuron is done takes up the next),
/// then its update after it, each neuron with [`rate_step`]'s operations
/// and the library's `exp` bits.
#[inline(always)]
pub fn rate_step_pooled<O: RateModel<N>, const N: usize>(
    neurons: &mut [O],
    v: &mut [f64],
    p: &O::Props,
    ex: &[f64],
    inh: &[f64],
    fired: &mut Vec<u32>,
) {
    /// The population as the pooled integration reads and writes it.
    struct Pool<'a, O: OdeNeuron> {
        neurons: &'a mut [O],
        v: &'a mut [f64],
        p: &'a O::Props,
        ex: &'a [f64],
        inh: &'a [f64],
        fired: &'a mut Vec<u32>,
    }
    impl<O: RateModel<N>, const N: usize> LanePool<N> for Pool<'_, O> {
        fn neurons(&self) -> usize {
            self.neurons.len()
        }

        #[inline(always)]
        fn start(&mut self, i: usize) -> ([f64; N], f64) {
            let n = &mut self.neurons[i];
            *n.v_m() = self.v[i];
            let (y, h) = n.ode();
            (*y, *h)
        }

        /// The update after the integration, `u_old` the potential
        /// before it (still in `v`).
        #[inline(always)]
        fn finish(&mut self, i: usize, y: &[f64; N], h: f64, _failed: bool) {
            let n = &mut self.neurons[i];
            let (yn, hn) = n.ode();
            (*yn, *hn) = (*y, h);
            if n.after(self.p, self.v[i], self.ex[i], self.inh[i]) {
                self.fired.push(i as u32);
            }
            self.v[i] = *n.v_m();
        }
    }
    let f = RateLanes::<O, POOL> {
        p,
        i_stim: [0.0; POOL],
        exp: ExpPath::detect(),
        isa: O::isa(p),
    };
    let (control, h) = O::control(p);
    let first = fired.len();
    let mut pool = Pool {
        neurons,
        v,
        p,
        ex,
        inh,
        fired,
    };
    integrate_pooled(control, &f, h, &mut pool);
    // Neurons finish in the order their integrations end.
    fired[first..].sort_unstable();
}

/// A [`RateModel`]'s derivative over `M` lanes, each with its own current
/// input; the exponentials of all lanes together ([`exp_lanes`]).
struct RateLanes<'a, O: OdeNeuron, const M: usize> {
    p: &'a O::Props,
    i_stim: [f64; M],
    exp: ExpPath,
    isa: Isa,
}

impl<O: RateModel<N>, const N: usize, const M: usize> LaneDerivative<N, M> for RateLanes<'_, O, M> {
    #[inline(always)]
    fn isa(&self) -> Isa {
        self.isa
    }

    // Lane loops index several arrays at the same lane.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn eval(&self, y: &[[f64; M]; N]) -> [[f64; M]; N] {
        if let Some(dy) = O::dynamics_lanes(self.p, &self.i_stim, y) {
            return dy;
        }
        let lane = |l: usize| {
            let mut yl = [0.0; N];
            for i in 0..N {
                yl[i] = y[i][l];
            }
            yl
        };
        let mut args = [[0.0; M]; 6];
        for l in 0..M {
            let a = O::rate_args(self.p, &lane(l));
            for k in 0..6 {
                args[k][l] = a[k];
            }
        }
        let mut e = [[0.0; M]; 6];
        for k in 0..6 {
            e[k] = exp_lanes(&args[k], self.exp);
        }
        let mut dy = [[0.0; M]; N];
        for l in 0..M {
            let el = [e[0][l], e[1][l], e[2][l], e[3][l], e[4][l], e[5][l]];
            let d = O::dynamics(self.p, self.i_stim[l], &lane(l), el);
            for i in 0..N {
                dy[i][l] = d[i];
            }
        }
        dy
    }
}

/// An [`OdeNeuron`] model behind the lane driver.
#[derive(Debug, Clone, Copy)]
pub struct Adaptive<O>(PhantomData<O>);

/// The neurons of a population, one value each.
#[derive(Debug, Clone)]
pub struct NeuronsState<O> {
    /// Membrane potentials [mV], absolute, kept in step with `neurons` at
    /// each chunk's load and store (the lane driver sets `V_m` here).
    v: Vec<f64>,
    neurons: Vec<O>,
}

impl<O: OdeNeuron> NeuronsState<O> {
    /// `len` neurons in the initial state of props `p`.
    pub fn new(p: &O::Props, len: usize) -> Self {
        let mut one = O::new(p);
        Self {
            v: vec![*one.v_m(); len],
            neurons: vec![one; len],
        }
    }
}

impl<O: OdeNeuron> LaneModel for Adaptive<O> {
    type Props = O::Props;
    type Tables = ();
    type State = NeuronsState<O>;
    type Chunk<const M: usize> = Chunk<O, M>;
    type Sample = O::Sample;

    const STATE_BYTES_PER_NEURON: usize = size_of::<O>() + size_of::<f64>();

    fn parts(values: &[f64], res: Resolution) -> (O::Props, ()) {
        (O::props(values, res), ())
    }

    fn split_state(state: &mut Self::State, at: usize) -> Self::State {
        NeuronsState {
            v: state.v.split_off(at),
            neurons: state.neurons.split_off(at),
        }
    }

    /// Absolute potentials: NEST's conductance-based and HH models hold
    /// `V_m` itself, not its distance from `E_L`.
    fn potentials(state: &mut Self::State) -> &mut [f64] {
        &mut state.v
    }

    fn e_l(_: &O::Props) -> f64 {
        0.0
    }

    fn set_v_m(state: &mut Self::State, _: &O::Props, i: usize, v_m: f64) {
        state.v[i] = v_m;
    }

    fn set_state(
        state: &mut Self::State,
        p: &O::Props,
        i: usize,
        name: &str,
        value: f64,
    ) -> Result<(), ParamError> {
        if name == "V_m" {
            Self::set_v_m(state, p, i, value);
            return Ok(());
        }
        let var = state.neurons[i]
            .state_mut(name)
            .ok_or_else(|| ParamError::Unknown(name.into()))?;
        *var = value;
        Ok(())
    }

    fn state_of(state: &Self::State, i: usize, name: &str) -> Option<f64> {
        // A copy: the neuron names its variables through `state_mut`.
        let mut neuron = *state.neurons.get(i)?;
        neuron.state_mut(name).map(|v| *v)
    }

    /// NEST keeps the absolute `V_m` of these models when `E_L` changes.
    fn rebase(_: &mut Self::State, _: &O::Props, _: &O::Props) {}

    const POOLED: bool = O::POOLED;

    #[inline(always)]
    fn step_pooled(
        state: &mut Self::State,
        p: &O::Props,
        _: &(),
        ex: &[f64],
        inh: &[f64],
        fired: &mut Vec<u32>,
    ) {
        O::step_pooled(&mut state.neurons, &mut state.v, p, ex, inh, fired);
    }
}

/// `M` neighbouring neurons through a slice.
pub struct Chunk<O, const M: usize> {
    n: [O; M],
}

impl<O: OdeNeuron, const M: usize> LaneChunk<Adaptive<O>, M> for Chunk<O, M> {
    /// A copy of the slice, not `array::from_fn` (which the compiler kept
    /// out of line, a call per chunk and step).
    #[inline(always)]
    fn load(state: &NeuronsState<O>, i: usize) -> Self {
        let mut n: [O; M] = state.neurons[i..i + M]
            .try_into()
            .expect("M neurons from i");
        for (n, &v) in n.iter_mut().zip(&state.v[i..i + M]) {
            *n.v_m() = v;
        }
        Self { n }
    }

    #[inline(always)]
    fn store(&self, state: &mut NeuronsState<O>, i: usize) {
        state.neurons[i..i + M].copy_from_slice(&self.n);
        for (n, v) in state.neurons[i..i + M]
            .iter_mut()
            .zip(&mut state.v[i..i + M])
        {
            *v = *n.v_m();
        }
    }

    #[inline(always)]
    fn step(&mut self, p: &O::Props, _: &(), ex: &[f64], inh: &[f64], i0: Option<&[f64]>) -> u32 {
        O::step_lanes(&mut self.n, p, ex, inh, i0)
    }

    #[inline(always)]
    fn sample(&self, p: &O::Props) -> O::Sample {
        self.n[0].sample(p)
    }
}

/// `len` neurons of `O` with parameters `values` (validated) at local
/// indices `offset..` of their shard, on grid `res`: every adaptive
/// model's [`crate::NeuronModel::population`].
pub(crate) fn population<O: OdeNeuron>(
    values: &[f64],
    res: Resolution,
    offset: u32,
    len: usize,
) -> Box<dyn Population> {
    let p = O::props(values, res);
    let state = NeuronsState::new(&p, len);
    Box::new(LanePopulation::<Adaptive<O>>::from_parts(
        p,
        (),
        state,
        len,
        offset,
    ))
}

/// [`crate::NeuronModel`] for an adaptive model `$model` named `$name`
/// with parameters `$params`, recordables `$recordables`, neurons of type
/// `$neuron` and the check `$validate` (a `fn(&[f64]) -> Result<(),
/// ParamError>` with NEST's messages): what every such model declares
/// alike.
macro_rules! adaptive_model {
    ($model:ty, $name:literal, $params:expr, $recordables:expr, $neuron:ty, $validate:expr) => {
        $crate::adaptive::adaptive_model!(
            $model, $name, $params, $recordables, $neuron, $validate, &["V_m"]
        );
    };
    // With the state variables `$state` that `set` reaches once simulated
    // (each one a parameter, its initial value, and named by the neuron's
    // `OdeNeuron::state_mut`).
    (
        $model:ty,
        $name:literal,
        $params:expr,
        $recordables:expr,
        $neuron:ty,
        $validate:expr,
        $state:expr
    ) => {
        $crate::adaptive::adaptive_model!(
            $model,
            $name,
            $params,
            $recordables,
            $validate,
            $state,
            population: $crate::adaptive::population::<$neuron>,
            bytes: <$crate::adaptive::Adaptive<$neuron> as $crate::lanes::LaneModel>::STATE_BYTES_PER_NEURON
        );
    };
    // With a population of the model's own (`$population`, a function
    // as [`population`]) of `$bytes` bytes of state per neuron.
    (
        $model:ty,
        $name:literal,
        $params:expr,
        $recordables:expr,
        $validate:expr,
        $state:expr,
        population: $population:path,
        bytes: $bytes:expr
    ) => {
        impl $crate::model::NeuronModel for $model {
            fn name(&self) -> &'static str {
                $name
            }

            fn params(&self) -> &'static [$crate::model::ParamSpec] {
                $params
            }

            fn recordables(&self) -> &'static [$crate::model::RecordableSpec] {
                $recordables
            }

            fn validate(&self, values: &[f64]) -> Result<(), $crate::model::ParamError> {
                let validate: fn(&[f64]) -> Result<(), $crate::model::ParamError> = $validate;
                validate(values)
            }

            fn population(
                &self,
                values: &[f64],
                res: spindle_core::Resolution,
                offset: u32,
                len: usize,
            ) -> Box<dyn $crate::model::Population> {
                $population(values, res, offset, len)
            }

            fn state_bytes_per_neuron(&self) -> usize {
                $bytes
            }

            fn state_params(&self) -> &'static [&'static str] {
                $state
            }
        }
    };
}
pub(crate) use adaptive_model;

/// A parameter declaration, briefly.
pub(crate) const fn param(name: &'static str, unit: &'static str, default: f64) -> ParamSpec {
    ParamSpec {
        name,
        unit,
        default,
    }
}

/// A recordable declaration, briefly.
pub(crate) const fn recordable(name: &'static str, unit: &'static str) -> RecordableSpec {
    RecordableSpec { name, unit }
}

/// Spindle's first check of every model here: each of `values` (in the
/// order of `params`) finite.
pub(crate) fn check_finite(params: &[ParamSpec], values: &[f64]) -> Result<(), ParamError> {
    match params.iter().zip(values).find(|(_, v)| !v.is_finite()) {
        Some((p, _)) => Err(ParamError::NotFinite(p.name)),
        None => Ok(()),
    }
}

/// NEST's `numerics::e`.
pub(crate) const E: f64 = std::f64::consts::E;

/// Checks shared by the models' tests.
#[cfg(test)]
pub(crate) mod checks {
    use super::OdeNeuron;

    /// [`OdeNeuron::step_lanes`] (`M` = 16, the driver's block, and 6: a
    /// group and two lanes left over) and [`OdeNeuron::step_pooled`] (16
    /// neurons, and 6: lanes left idle; `step_lanes` in the steps with
    /// currents, as the driver switches) give the scalar step's state bits
    /// (compared through `Debug`, which prints every bit of a finite
    /// value) and spikes, for 3000 steps of random input: excitatory
    /// weights up to `ex`, inhibitory down to `inh`, currents up to `i`
    /// plus `i_spread` per lane, the initial `V_m` `v_spread` apart per
    /// lane; at least `min_spikes` spikes in all.
    pub(crate) fn lanes_match_the_scalar_step<O: OdeNeuron>(
        p: &O::Props,
        [ex_max, inh_max, i_max, i_spread, v_spread]: [f64; 5],
        min_spikes: usize,
    ) {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut scalar: [O; 16] = std::array::from_fn(|l| {
            let mut n = O::new(p);
            *n.v_m() += v_spread * l as f64;
            n
        });
        let mut lanes16 = scalar;
        let mut lanes6: [O; 6] = scalar[..6].try_into().unwrap();
        let (mut pooled16, mut pooled6) = (lanes16, lanes6);
        let mut v16: [f64; 16] = std::array::from_fn(|l| *pooled16[l].v_m());
        let mut v6: [f64; 6] = v16[..6].try_into().unwrap();
        // The pooled neurons' steps: `step_pooled` without currents (bit
        // `l`: lane `l` fired, the list checked ascending), `step_lanes`
        // with them.
        fn pool_step<O: OdeNeuron>(
            p: &O::Props,
            n: &mut [O],
            v: &mut [f64],
            (ex, inh): (&[f64], &[f64]),
            i: Option<&[f64]>,
        ) -> u32 {
            if let Some(i) = i {
                let fired = match n.len() {
                    16 => O::step_lanes::<16>(n.try_into().unwrap(), p, ex, inh, Some(i)),
                    _ => O::step_lanes::<6>(n.try_into().unwrap(), p, ex, inh, Some(i)),
                };
                for (n, v) in n.iter_mut().zip(v) {
                    *v = *n.v_m();
                }
                return fired;
            }
            let mut list = Vec::new();
            O::step_pooled(n, v, p, &ex[..n.len()], &inh[..n.len()], &mut list);
            assert!(list.is_sorted(), "{list:?}");
            list.iter().map(|&l| 1 << l).sum::<u32>()
        }
        let mut fired_total = 0;
        for k in 0..3000 {
            let ex: [f64; 16] =
                std::array::from_fn(|_| if next() < 0.08 { ex_max * next() } else { 0.0 });
            let inh: [f64; 16] =
                std::array::from_fn(|_| if next() < 0.02 { inh_max * next() } else { 0.0 });
            let i_stim: [f64; 16] = std::array::from_fn(|l| i_spread * l as f64 + i_max * next());
            let currents = (k / 500) % 3 != 0;
            let i = currents.then_some(&i_stim[..]);
            let fired16 = O::step_lanes(&mut lanes16, p, &ex, &inh, i);
            let fired6 = O::step_lanes(&mut lanes6, p, &ex, &inh, i);
            let pooled_fired16 = pool_step(p, &mut pooled16, &mut v16, (&ex, &inh), i);
            let pooled_fired6 = pool_step(p, &mut pooled6, &mut v6, (&ex, &inh), i);
            for l in 0..16 {
                let i = if currents { i_stim[l] } else { 0.0 };
                let fired = scalar[l].step(p, ex[l], inh[l], i);
                fired_total += usize::from(fired);
                let want = format!("{:?}", scalar[l]);
                assert_eq!(fired16 >> l & 1 == 1, fired, "step {k}, lane {l}");
                assert_eq!(format!("{:?}", lanes16[l]), want, "step {k}, lane {l}");
                assert_eq!(pooled_fired16 >> l & 1 == 1, fired, "step {k}, pooled {l}");
                assert_eq!(format!("{:?}", pooled16[l]), want, "step {k}, pooled {l}");
                assert_eq!(v16[l], *scalar[l].v_m(), "step {k}, pooled {l}");
                if l < 6 {
                    assert_eq!(fired6 >> l & 1 == 1, fired, "step {k}, lane {l}");
                    assert_eq!(format!("{:?}", lanes6[l]), want, "step {k}, lane {l}");
                    assert_eq!(pooled_fired6 >> l & 1 == 1, fired, "step {k}, pooled {l}");
                    assert_eq!(format!("{:?}", pooled6[l]), want, "step {k}, pooled {l}");
                }
            }
        }
        assert!(fired_total >= min_spikes, "{fired_total} spikes");
    }
}
