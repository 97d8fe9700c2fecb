use super::population::{Chunk, State, whole_step};
use super::*;
use crate::adaptive::{OdeNeuron, OdeState};
use crate::lanes::LaneChunk;
use crate::model::{NeuronModel, NeuronParams};
use crate::odeint::integrate;

/// One neuron, NEST's update step by step as NEST writes it: the
/// reference the population's lanes ([`population`]) are tested on.
/// NEST's state vector `[V_M, G_EXC, G_INH]`, its refractory count and its
/// integration step (NEST's `B_.IntegrationStep_`).
#[derive(Debug, Clone, Copy)]
pub struct Neuron {
    y: [f64; 3],
    r: u32,
    step: f64,
}

impl OdeNeuron for Neuron {
    type Props = Props;
    type Sample = [f64; 3];

    fn props(values: &[f64], res: Resolution) -> Props {
        Props::new(values, res)
    }

    fn new(p: &Props) -> Self {
        Self {
            y: [p.p.v_m, 0.0, 0.0],
            r: 0,
            step: p.h,
        }
    }

    fn v_m(&mut self) -> &mut f64 {
        &mut self.y[0]
    }

    /// GSL's loop as NEST runs it ([`integrate`]).
    #[inline(always)]
    fn step(&mut self, props: &Props, ex: f64, inh: f64, i_stim: f64) -> bool {
        let refractory = self.r > 0;
        let f = |y: &[f64; 3]| dynamics(&props.p, refractory, i_stim, y);
        // A step too small to advance (NEST: GSLSolverFailure) leaves the
        // state where the solver stopped.
        let _ = integrate(&props.control, &f, props.h, &mut self.step, &mut self.y);
        self.after(props, ex, inh)
    }

    fn sample(&self, _: &Props) -> [f64; 3] {
        self.y
    }
}

impl OdeState<3> for Neuron {
    fn ode(&mut self) -> (&mut [f64; 3], &mut f64) {
        (&mut self.y, &mut self.step)
    }
}

/// NEST's `iaf_cond_exp_dynamics`, its expressions in its order and with
/// its branches.
#[inline(always)]
fn dynamics(p: &IafCondExpParams, refractory: bool, i_stim: f64, y: &[f64; 3]) -> [f64; 3] {
    // std::min(V_m, V_th): `V_th < V_m ? V_th : V_m`.
    let v_min = if p.v_th < y[0] { p.v_th } else { y[0] };
    let v = if refractory { p.v_reset } else { v_min };
    let i_syn_exc = y[1] * (v - p.e_ex);
    let i_syn_inh = y[2] * (v - p.e_in);
    let i_l = p.g_l * (v - p.e_l);
    let dv = (-i_l + i_stim + p.i_e - i_syn_exc - i_syn_inh) / p.c_m;
    let dv = if refractory { 0.0 } else { dv };
    [dv, -y[1] / p.tau_syn_ex, -y[2] / p.tau_syn_in]
}

impl Neuron {
    /// The rest of NEST's update after the integration: this step's
    /// spikes join the conductances, refractoriness, spike detection.
    #[inline(always)]
    fn after(&mut self, props: &Props, ex: f64, inh: f64) -> bool {
        let p = &props.p;
        // NEST's buffer holds -w for an inhibitory weight w.
        self.y[1] += ex;
        self.y[2] += -inh;
        if self.r > 0 {
            self.r -= 1;
            self.y[0] = p.v_reset;
            false
        } else if self.y[0] >= p.v_th {
            self.r = props.refractory_steps;
            self.y[0] = p.v_reset;
            true
        } else {
            false
        }
    }
}

fn defaults() -> Vec<f64> {
    NeuronParams::defaults(&IAF_COND_EXP).values().to_vec()
}

fn set(name: &str, value: f64) -> Vec<f64> {
    let mut p = NeuronParams::defaults(&IAF_COND_EXP);
    p.set(name, value).unwrap();
    p.values().to_vec()
}

#[test]
fn validation_gives_nests_messages() {
    let m = &IAF_COND_EXP;
    assert_eq!(m.validate(&defaults()), Ok(()));
    assert_eq!(m.validate(&set("V_reset", -50.0)), Err(ParamError::Reset));
    let msg = |v: Vec<f64>| m.validate(&v).unwrap_err().to_string();
    assert_eq!(
        msg(set("C_m", 0.0)),
        "Capacitance must be strictly positive."
    );
    assert_eq!(
        msg(set("t_ref", -1.0)),
        "Refractory time cannot be negative."
    );
    assert_eq!(
        msg(set("tau_syn_in", 0.0)),
        "All time constants must be strictly positive."
    );
    assert_eq!(
        m.validate(&set("g_L", f64::NAN)),
        Err(ParamError::NotFinite("g_L"))
    );
}

/// A strong constant current: the neuron fires regularly, is held at
/// `V_reset` for `t_ref`, and relaxes towards `E_L` without input.
#[test]
fn dc_drive_fires_and_refractoriness_holds() {
    let res = Resolution::new(0.1).unwrap();
    let p = Neuron::props(&set("I_e", 1000.0), res);
    let mut n = Neuron::new(&p);
    let mut spikes = vec![];
    for k in 0..1000 {
        if n.step(&p, 0.0, 0.0, 0.0) {
            spikes.push(k);
        }
        if let Some(&last) = spikes.last()
            && k > last
            && k <= last + 20
        {
            assert_eq!(n.y[0], -60.0, "held at V_reset while refractory");
        }
    }
    assert!(spikes.len() > 5, "{spikes:?}");
    let isi: Vec<_> = spikes.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(isi.windows(2).all(|w| w[0] == w[1]), "regular: {isi:?}");
    assert!(isi[0] > 20);

    let p = Neuron::props(&set("V_m", -60.0), res);
    let mut n = Neuron::new(&p);
    for _ in 0..2000 {
        assert!(!n.step(&p, 0.0, 0.0, 0.0));
    }
    assert!((n.y[0] + 70.0).abs() < 1e-3, "{}", n.y[0]);
}

/// Spikes join the conductances after the step; an inhibitory weight
/// (negative) raises `g_in`.
#[test]
fn spikes_join_conductances() {
    let res = Resolution::new(0.1).unwrap();
    let p = Neuron::props(&defaults(), res);
    let mut n = Neuron::new(&p);
    n.step(&p, 2.0, -3.0, 0.0);
    assert_eq!(n.sample(&p), [-70.0, 2.0, 3.0]);
    n.step(&p, 0.0, 0.0, 0.0);
    let [v, g_ex, g_in] = n.sample(&p);
    assert!(
        v > -70.0,
        "excitation wins first (tau_syn_ex 0.2 ms, E_ex 0)"
    );
    assert!((g_ex - 2.0 * (-0.5f64).exp()).abs() < 1e-3);
    assert!((g_in - 3.0 * (-0.05f64).exp()).abs() < 1e-4);
}

/// COBA's neuron parameters (Brette et al. 2007).
fn coba() -> Vec<f64> {
    let mut values = NeuronParams::defaults(&IAF_COND_EXP);
    for (name, value) in [
        ("E_L", -60.0),
        ("V_th", -50.0),
        ("V_reset", -60.0),
        ("t_ref", 5.0),
        ("E_in", -80.0),
        ("C_m", 200.0),
        ("g_L", 10.0),
        ("tau_syn_ex", 5.0),
        ("tau_syn_in", 10.0),
    ] {
        values.set(name, value).unwrap();
    }
    values.values().to_vec()
}

/// The population state of `neurons`, one neuron per index.
fn state_of(neurons: &[Neuron]) -> State {
    State {
        y: std::array::from_fn(|i| neurons.iter().map(|n| n.y[i]).collect()),
        r: neurons.iter().map(|n| n.r).collect(),
        h: neurons.iter().map(|n| n.step).collect(),
    }
}

/// One step of the `M`-lane chunks of `state`.
fn step_chunks<const M: usize>(
    state: &mut State,
    p: &Props,
    ex: &[f64],
    inh: &[f64],
    i_stim: Option<&[f64]>,
) -> u32 {
    let mut fired = 0;
    for at in (0..state.r.len()).step_by(M) {
        let mut c = Chunk::<M>::load(state, at);
        let fired_c = c.step(p, &(), &ex[at..], &inh[at..], i_stim.map(|i| &i[at..]));
        c.store(state, at);
        fired |= fired_c << at;
    }
    fired
}

/// One step of `state` in pairs of 8-lane chunks, as the lane driver
/// takes them ([`LaneChunk::step_pair_as`]).
fn step_pairs(
    state: &mut State,
    p: &Props,
    ex: &[f64],
    inh: &[f64],
    i_stim: Option<&[f64]>,
) -> u32 {
    let mut fired = 0;
    for at in (0..state.r.len()).step_by(16) {
        let mut a = Chunk::<8>::load(state, at);
        let mut b = Chunk::<8>::load(state, at + 8);
        let i = i_stim.map(|i| &i[at..]);
        let fired_ab = a.step_pair_as::<0>(&mut b, p, &(), &ex[at..], &inh[at..], i);
        a.store(state, at);
        b.store(state, at + 8);
        fired |= fired_ab << at;
    }
    fired
}

/// The population's chunks (16, 8 and 1 lanes, and pairs of 8 as the
/// driver takes them: the vector trial step of
/// each unit the CPU has, GSL's loop in lanes) give every lane the scalar
/// step's state bits and spikes, and its carried step size or an
/// equivalent one, for 4000 steps: through
/// rejected trial steps, several steps per interval (large conductance
/// jumps, short synaptic time constants), refractoriness and current
/// input.
#[test]
fn chunks_match_the_scalar_step() {
    let res = Resolution::new(0.1).unwrap();
    let mut next = crate::libm_exp::uniforms(0x9e37_79b9_7f4a_7c15);
    // Steps of the first 8 lanes in vector registers, spikes there, and
    // steps by GSL's loop.
    let (mut in_registers, mut fired_in_registers, mut in_loop) = (0, 0, 0);
    let isas = [Isa::Portable, Isa::Avx2, Isa::Avx512]
        .into_iter()
        .filter(|i| i.available());
    for (values, isa) in [coba(), defaults()]
        .into_iter()
        .flat_map(|v| isas.clone().map(move |i| (v.clone(), i)))
    {
        let mut p = Props::new(&values, res);
        p.kernel = Kernel::on(isa, &p.p);
        let mut scalar: [Neuron; 16] = std::array::from_fn(|l| {
            let mut n = Neuron::new(&p);
            n.y[0] += l as f64;
            n
        });
        let mut lanes: [State; 4] = std::array::from_fn(|_| state_of(&scalar));
        let mut fired_total = 0;
        for k in 0..4000 {
            let ex: [f64; 16] =
                std::array::from_fn(|_| if next() < 0.05 { 60.0 * next() } else { 0.0 });
            let inh: [f64; 16] =
                std::array::from_fn(|_| if next() < 0.02 { -200.0 * next() } else { 0.0 });
            let i_stim: [f64; 16] =
                std::array::from_fn(|l| 300.0 + 25.0 * l as f64 + 100.0 * next());
            let currents = (k / 500) % 4 != 0;
            let i = currents.then_some(&i_stim[..]);
            let mut trial = Chunk::<8>::load(&lanes[1], 0);
            let i8: [f64; 8] = std::array::from_fn(|l| if currents { i_stim[l] } else { 0.0 });
            match whole_step(&mut trial, &p, &i8, &ex, &inh) {
                Some(fired) => {
                    in_registers += 1;
                    fired_in_registers += fired.count_ones();
                }
                None => in_loop += 1,
            }
            let [s16, s8, s1, pairs] = &mut lanes;
            let fired = [
                step_chunks::<16>(s16, &p, &ex, &inh, i),
                step_chunks::<8>(s8, &p, &ex, &inh, i),
                step_chunks::<1>(s1, &p, &ex, &inh, i),
                step_pairs(pairs, &p, &ex, &inh, i),
            ];
            for l in 0..16 {
                let i = if currents { i_stim[l] } else { 0.0 };
                let want = scalar[l].step(&p, ex[l], inh[l], i);
                fired_total += usize::from(want);
                let bits = scalar[l].y.map(f64::to_bits);
                for (s, fired) in lanes.iter().zip(fired) {
                    assert_eq!(fired >> l & 1 == 1, want, "step {k}, lane {l}");
                    let got = [s.y[0][l], s.y[1][l], s.y[2][l]].map(f64::to_bits);
                    assert_eq!(got, bits, "step {k}, lane {l}");
                    assert_eq!(s.r[l], scalar[l].r, "step {k}, lane {l}");
                    // At least the step: an equivalent size (`integrate_lanes`).
                    let (h, want_h) = (s.h[l], scalar[l].step);
                    let same = h.to_bits() == want_h.to_bits() || (h >= p.h && want_h >= p.h);
                    assert!(same, "step {k}, lane {l}: carries {h}, not {want_h}");
                }
            }
        }
        assert!(fired_total > 200, "{fired_total} spikes");
    }
    assert!(in_loop > 500, "{in_loop} steps by GSL's loop");
    if Isa::Avx2.available() {
        assert!(in_registers > 1000, "{in_registers} steps in registers");
        assert!(fired_in_registers > 5, "{fired_in_registers} spikes there");
    }
}

/// Timing of the step, scalar, in pairs of the population's 8-lane chunks
/// and in chunks of 16 lanes, COBA-like input (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn lanes_speed() {
    let res = Resolution::new(0.1).unwrap();
    let p = Props::new(&coba(), res);
    let n = 4000;
    let steps = 2000;
    let mut next = crate::libm_exp::uniforms(0x9e37_79b9_7f4a_7c15);
    let input: Vec<(f64, f64)> = (0..n * 16)
        .map(|_| {
            let ex = if next() < 0.09 { 6.0 } else { 0.0 };
            let inh = if next() < 0.023 { -67.0 } else { 0.0 };
            (ex, inh)
        })
        .collect();
    let init: Vec<Neuron> = (0..n)
        .map(|i| {
            let mut x = Neuron::new(&p);
            x.y[0] = -60.0 + (i % 10) as f64;
            x
        })
        .collect();
    let run = |lanes: usize| {
        let mut neurons = init.clone();
        let mut state = state_of(&init);
        let start = std::time::Instant::now();
        let mut fired = 0u32;
        for k in 0..steps {
            for c in 0..n / 16 {
                let at = (k * 131 + c * 16) % (n * 16 - 16);
                let ex: [f64; 16] = std::array::from_fn(|l| input[at + l].0);
                let inh: [f64; 16] = std::array::from_fn(|l| input[at + l].1);
                let i = 16 * c;
                fired += match lanes {
                    1 => neurons[i..i + 16]
                        .iter_mut()
                        .enumerate()
                        .map(|(l, x)| u32::from(x.step(&p, ex[l], inh[l], 0.0)))
                        .sum::<u32>(),
                    8 => {
                        let mut a = Chunk::<8>::load(&state, i);
                        let mut b = Chunk::<8>::load(&state, i + 8);
                        // As the lane driver takes them.
                        let f = a.step_pair_as::<0>(&mut b, &p, &(), &ex, &inh, None);
                        a.store(&mut state, i);
                        b.store(&mut state, i + 8);
                        f.count_ones()
                    }
                    _ => {
                        let mut a = Chunk::<16>::load(&state, i);
                        let f = a.step(&p, &(), &ex, &inh, None);
                        a.store(&mut state, i);
                        f.count_ones()
                    }
                };
            }
        }
        let ns = start.elapsed().as_secs_f64() * 1e9 / (n * steps) as f64;
        let v: Vec<f64> = if lanes == 1 {
            neurons.iter().map(|x| x.y[0]).collect()
        } else {
            state.y[0].clone()
        };
        let digest = v.iter().map(|v| v.to_bits()).fold(0, |a, b| a ^ b);
        (ns, fired, digest)
    };
    for _ in 0..3 {
        for lanes in [1, 8, 16] {
            let (ns, fired, digest) = run(lanes);
            println!("{lanes} lanes: {ns:.1} ns per neuron-step, {fired} spikes, {digest:x}");
        }
    }
}
