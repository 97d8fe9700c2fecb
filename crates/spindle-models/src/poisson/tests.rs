//! Unit tests of `poisson`.

use super::*;
use spindle_core::rng::{Purpose, stream_state};

/// A stream as one lane.
fn lane(seed: u64, a: u64, b: u64) -> [[u64; 1]; 4] {
    stream_state(seed, Purpose::Poisson, a, b).map(|w| [w])
}

fn moments(mean: f64, n: usize) -> (f64, f64) {
    let s = PoissonSampler::new(mean);
    let mut rng = lane(3, 1, 2);
    let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng) as f64).collect();
    let m = xs.iter().sum::<f64>() / n as f64;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    (m, v)
}

#[test]
fn seed_mean_has_poisson_moments() {
    // lambda = 17,789 Hz * 0.1 ms
    let lambda = 1.778_900_771_472_188_4;
    let (m, v) = moments(lambda, 400_000);
    // standard error of the mean ~0.002
    assert!((m - lambda).abs() < 0.01, "{m}");
    assert!((v - lambda).abs() < 0.03, "{v}");
}

#[test]
fn large_and_zero_means() {
    let (m, v) = moments(1234.5, 40_000);
    assert!((m - 1234.5).abs() < 1.0, "{m}");
    assert!((v / 1234.5 - 1.0).abs() < 0.05, "{v}");
    let s = PoissonSampler::new(0.0);
    let mut rng = lane(3, 1, 2);
    assert!((0..1000).all(|_| s.sample(&mut rng) == 0));
}

#[test]
fn probability_of_zero_is_exact() {
    let s = PoissonSampler::new(1.0);
    let p0 = s.thresholds[0] as f64 / 18_446_744_073_709_551_616.0;
    assert!((p0 - (-1.0f64).exp()).abs() < 1e-15);
}

#[test]
fn branchless_head_counts_like_a_scan() {
    let s = PoissonSampler::new(1.778_900_771_472_188_4);
    assert!(s.head().is_some());
    let mut rng = lane(5, 0, 0);
    for _ in 0..200_000 {
        let u = next_lanes(&mut rng)[0];
        let scan = s.thresholds.iter().take_while(|&&t| u >= t).count() as u64;
        assert_eq!(s.count(u), scan);
    }
    for u in [0, s.thresholds[7], s.thresholds[7] - 1, u64::MAX] {
        let scan = s.thresholds.iter().take_while(|&&t| u >= t).count() as u64;
        assert_eq!(s.count(u), scan);
    }
}

#[test]
fn a_slice_draws_what_steps_draw() {
    let drive = |delay| PoissonDrive {
        sampler: PoissonSampler::new(1.7),
        weight: -2.0,
        delay,
        t_min: 3,
        t_max: 40,
    };
    let make = || {
        PoissonInput::new(
            vec![drive(5), drive(2)],
            vec![vec![
                (0, stream_state(1, Purpose::Poisson, 0, 1)),
                (1, stream_state(1, Purpose::Poisson, 1, 1)),
            ]],
        )
    };
    let (mut by_step, mut by_slice) = (make(), make());
    for origin in (0..60).step_by(7) {
        let (mut ex, mut inh) = (vec![9.0; 7], vec![9.0; 7]);
        assert!(by_slice.fill_slice(0, origin, 0, 7, &mut ex, &mut inh, 1));
        for lag in 0..7 {
            let (mut e, mut i) = (0.0, 0.0);
            by_step.draw(0, origin + lag as u64, &mut e, &mut i);
            assert_eq!((ex[lag], inh[lag]), (e, i), "step {}", origin + lag as u64);
        }
    }
    assert_eq!(by_step.draws(), by_slice.draws());
}

#[test]
fn lanes_draw_what_neurons_draw_alone() {
    // 16 neurons sharing one drive, stepped lane-wise, against each
    // drawn on its own; a mean of 2.4 (the largest stepped lane-wise)
    // passes the first 8 thresholds in about one draw in 300, so the
    // lane-wise tail is exercised too.
    for mean in [1.778_900_771_472_188_4, 2.4] {
        let drive = PoissonDrive {
            sampler: PoissonSampler::new(mean),
            weight: 0.5,
            delay: 2,
            t_min: 0,
            t_max: 500,
        };
        let make = || {
            let per_neuron = (0..16)
                .map(|t| vec![(0, stream_state(4, Purpose::Poisson, 0, t))])
                .collect();
            PoissonInput::new(vec![drive.clone()], per_neuron)
        };
        let (mut lanes, mut alone) = (make(), make());
        let mut past_head = 0;
        for origin in (0..600).step_by(15) {
            let (mut ex, mut inh) = (vec![9.0; 16 * 15], vec![9.0; 16 * 15]);
            lanes.fill_block::<16>(0, origin, 0, 15, &mut ex, &mut inh);
            for l in 0..16 {
                let (mut e, mut i) = (vec![9.0; 15], vec![9.0; 15]);
                assert!(alone.fill_slice(l, origin, 0, 15, &mut e, &mut i, 1));
                for lag in 0..15 {
                    assert_eq!((ex[lag * 16 + l], inh[lag * 16 + l]), (e[lag], i[lag]));
                    past_head += usize::from(e[lag] >= 8.0 * 0.5);
                }
            }
        }
        assert_eq!(lanes.draws(), alone.draws());
        assert!(mean < 2.0 || past_head > 5, "{past_head}");
    }
}

/// Lanes step together only where each of the block's neurons has one
/// pair, all of one drive (or none has any): found from a run length per
/// neuron, for blocks at any offset.
#[test]
fn lanes_only_where_every_neuron_has_the_same_single_drive() {
    let drive = || PoissonDrive {
        sampler: PoissonSampler::new(0.8),
        weight: 1.0,
        delay: 1,
        t_min: 0,
        t_max: Step::MAX,
    };
    let per_neuron: Vec<Vec<(u32, [u64; 4])>> = (0..64)
        .map(|i| match i {
            20 => vec![(1, [1, 2, 3, 4])],
            40 => vec![(0, [1, 2, 3, 4]), (1, [5, 6, 7, 8])],
            48.. => Vec::new(),
            _ => vec![(0, [1, 2, 3, 4])],
        })
        .collect();
    let input = PoissonInput::new(vec![drive(), drive()], per_neuron);
    let lanes = |base| input.lane_draws::<16>(base, 0, 0, 1).is_some();
    let want = |base: usize| {
        let block = base..base + 16;
        !block.contains(&20) && !block.contains(&40) && (block.end <= 48 || base >= 48)
    };
    for base in 0..=48 {
        assert_eq!(lanes(base), want(base), "block at {base}");
    }
    assert!(lanes(0) && lanes(4) && !lanes(5) && lanes(21) && !lanes(33) && lanes(48));
}

#[test]
fn drive_respects_delay_and_window() {
    let drive = PoissonDrive {
        sampler: PoissonSampler::new(50.0),
        weight: 2.0,
        delay: 15,
        t_min: 0,
        t_max: 100,
    };
    let mut input = PoissonInput::new(
        vec![drive],
        vec![vec![(0, stream_state(1, Purpose::Poisson, 0, 1))]],
    );
    let got = |input: &mut PoissonInput, step| {
        let (mut ex, mut inh) = (0.0, 0.0);
        input.draw(0, step, &mut ex, &mut inh);
        (ex, inh)
    };
    // emission step 0 is not active (start excluded), 1 is.
    assert_eq!(got(&mut input, 15), (0.0, 0.0));
    assert!(got(&mut input, 16).0 > 0.0);
    assert!(got(&mut input, 115).0 > 0.0);
    assert_eq!(got(&mut input, 116), (0.0, 0.0));
}

#[test]
fn estimate_is_what_the_input_holds() {
    let drive = || PoissonDrive {
        sampler: PoissonSampler::new(0.5),
        weight: 1.0,
        delay: 1,
        t_min: 0,
        t_max: Step::MAX,
    };
    // Two drives: the first reaches every neuron, the second every third.
    let per_neuron: Vec<Vec<(u32, [u64; 4])>> = (0..100)
        .map(|i| {
            let mut list = vec![(0, [1, 2, 3, 4])];
            if i % 3 == 0 {
                list.push((1, [5, 6, 7, 8]));
            }
            list
        })
        .collect();
    let pairs = per_neuron.iter().map(Vec::len).sum::<usize>() as u64;
    let input = PoissonInput::new(vec![drive(), drive()], per_neuron);
    assert_eq!(
        PoissonInput::estimate_bytes(100, pairs),
        input.bytes() as u64
    );
    assert_eq!(PoissonInput::estimate_bytes(u64::MAX, 7), u64::MAX);
    // One pair per neuron: a `Vec` each and room for four pairs.
    assert_eq!(
        PoissonInput::estimate_build_bytes(10, 10),
        10 * (24 + 4 * 40)
    );
    assert_eq!(PoissonInput::estimate_build_bytes(10, 0), 10 * 24);
    assert_eq!(
        PoissonInput::estimate_build_bytes(u64::MAX, u64::MAX),
        u64::MAX
    );
}

#[test]
fn fill_ports_draws_what_fill_slice_draws() {
    let drives = vec![
        PoissonDrive {
            sampler: PoissonSampler::new(0.8),
            weight: 2.0,
            delay: 2,
            t_min: 3,
            t_max: 40,
        },
        PoissonDrive {
            sampler: PoissonSampler::new(1.5),
            weight: -3.0,
            delay: 1,
            t_min: 0,
            t_max: 100,
        },
    ];
    let per_neuron = |_| {
        vec![
            vec![(0, stream_state(4, Purpose::Poisson, 0, 0))],
            vec![
                (0, stream_state(4, Purpose::Poisson, 0, 1)),
                (1, stream_state(4, Purpose::Poisson, 1, 1)),
            ],
        ]
    };
    let mut plain = PoissonInput::new(drives.clone(), per_neuron(()));
    let mut ported =
        PoissonInput::new(drives, per_neuron(())).with_ports(vec![vec![2], vec![0, 1]]);
    for origin in (0..60).step_by(10) {
        for local in 0..2 {
            let (mut ex, mut inh) = ([0.0; 10], [0.0; 10]);
            plain.fill_slice(local, origin, 0, 10, &mut ex, &mut inh, 1);
            let mut ports = [[0.0; 10]; 3];
            ported.fill_ports(local, origin, 0, 10, |port, lag, x| ports[port][lag] += x);
            match local {
                0 => assert_eq!((ports[2], ports[0]), (ex, [0.0; 10])),
                _ => assert_eq!((ports[0], ports[1]), (ex, inh)),
            }
        }
    }
    assert_eq!(plain.draws(), ported.draws());
}
