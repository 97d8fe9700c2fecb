use super::*;
use crate::model::{NeuronModel, NeuronParams};

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

/// The lanes integrated together give every lane the scalar step's bits,
/// for 8 lanes and for 1: through rejected trial steps, several steps per
/// interval (large conductance jumps, short synaptic time constants),
/// refractoriness and current input.
#[test]
fn lanes_match_the_scalar_step() {
    let res = Resolution::new(0.1).unwrap();
    let coba = [
        ("E_L", -60.0),
        ("V_th", -50.0),
        ("V_reset", -60.0),
        ("t_ref", 5.0),
        ("E_in", -80.0),
        ("C_m", 200.0),
        ("g_L", 10.0),
        ("tau_syn_ex", 5.0),
        ("tau_syn_in", 10.0),
    ];
    let mut coba_values = NeuronParams::defaults(&IAF_COND_EXP);
    for (name, value) in coba {
        coba_values.set(name, value).unwrap();
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for values in [coba_values.values().to_vec(), defaults()] {
        let p = Neuron::props(&values, res);
        let mut scalar: [Neuron; 8] = std::array::from_fn(|l| {
            let mut n = Neuron::new(&p);
            n.y[0] += l as f64;
            n
        });
        let mut lanes8 = scalar;
        let mut lanes1 = scalar;
        let mut fired_total = 0;
        for k in 0..4000 {
            let ex: [f64; 8] = std::array::from_fn(|_| {
                let u = next();
                if u < 0.05 { 60.0 * next() } else { 0.0 }
            });
            let inh: [f64; 8] = std::array::from_fn(|_| {
                let u = next();
                if u < 0.02 { -200.0 * next() } else { 0.0 }
            });
            let i_stim: [f64; 8] =
                std::array::from_fn(|l| 300.0 + 50.0 * l as f64 + 100.0 * next());
            let currents = (k / 500) % 4 != 0;
            let fired8 =
                Neuron::step_lanes(&mut lanes8, &p, &ex, &inh, currents.then_some(&i_stim[..]));
            for l in 0..8 {
                let i = currents.then_some(&i_stim[l..]);
                let one = std::slice::from_mut(&mut lanes1[l]).try_into().unwrap();
                let fired1 = Neuron::step_lanes::<1>(one, &p, &ex[l..], &inh[l..], i);
                let i = if currents { i_stim[l] } else { 0.0 };
                let fired = scalar[l].step(&p, ex[l], inh[l], i);
                assert_eq!(fired1 == 1, fired, "step {k}, lane {l}");
                assert_eq!(fired8 >> l & 1 == 1, fired, "step {k}, lane {l}");
                fired_total += usize::from(fired);
                let bits = |n: &Neuron| (n.y.map(f64::to_bits), n.r);
                assert_eq!(bits(&lanes8[l]), bits(&scalar[l]), "step {k}, lane {l}");
                assert_eq!(bits(&lanes1[l]), bits(&scalar[l]), "step {k}, lane {l}");
            }
        }
        assert!(fired_total > 100, "{fired_total} spikes");
    }
}

/// Timing of the step, scalar and in lanes, COBA-like input (run with
/// `--ignored --nocapture`).
#[test]
#[ignore]
fn lanes_speed() {
    let res = Resolution::new(0.1).unwrap();
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
    let p = Neuron::props(values.values(), res);
    let n = 4000;
    let steps = 2000;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
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
        let start = std::time::Instant::now();
        let mut fired = 0u32;
        for k in 0..steps {
            for (c, chunk) in neurons.chunks_exact_mut(8).enumerate() {
                let at = (k * 131 + c * 8) % (n * 16 - 8);
                let ex: [f64; 8] = std::array::from_fn(|l| input[at + l].0);
                let inh: [f64; 8] = std::array::from_fn(|l| input[at + l].1);
                let chunk: &mut [Neuron; 8] = chunk.try_into().unwrap();
                fired += match lanes {
                    1 => chunk
                        .iter_mut()
                        .enumerate()
                        .map(|(l, x)| u32::from(x.step(&p, ex[l], inh[l], 0.0)))
                        .sum::<u32>(),
                    4 => {
                        let (a, b) = chunk.split_at_mut(4);
                        let a: &mut [Neuron; 4] = a.try_into().unwrap();
                        let b: &mut [Neuron; 4] = b.try_into().unwrap();
                        (Neuron::step_lanes(a, &p, &ex, &inh, None)
                            | Neuron::step_lanes(b, &p, &ex[4..], &inh[4..], None) << 4)
                            .count_ones()
                    }
                    _ => Neuron::step_lanes(chunk, &p, &ex, &inh, None).count_ones(),
                };
            }
        }
        let ns = start.elapsed().as_secs_f64() * 1e9 / (n * steps) as f64;
        (
            ns,
            fired,
            neurons
                .iter()
                .map(|x| x.y[0].to_bits())
                .fold(0, |a, b| a ^ b),
        )
    };
    for _ in 0..3 {
        for lanes in [1, 4, 8] {
            let (ns, fired, digest) = run(lanes);
            println!("{lanes} lanes: {ns:.1} ns per neuron-step, {fired} spikes, {digest:x}");
        }
    }
}
