//! Random streams, keyed by what they serve.
//!
//! NEST gives each virtual process one stream, so its spikes change with the
//! thread count. Spindle derives every stream from the entity it serves
//! instead:
//!
//! ```text
//! stream(seed, purpose, a, b) = Xoshiro256++ seeded with the 256-bit state
//!     s[i] = splitmix64_mix(K(seed, purpose, a, b) + i * GOLDEN),  i = 0..4
//! K      = splitmix64_mix(splitmix64_mix(splitmix64_mix(seed ^ P) ^ a) ^ b)
//! ```
//!
//! where `P` is a fixed constant per [`Purpose`], `a` and `b` identify the
//! user of the stream (for example the projection and the target node for
//! connection drawing, or the generator and the target node for Poisson
//! input). A shard owns the streams of its own targets, so changing the
//! number of threads only moves streams between shards and never changes a
//! number drawn from them.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: small (32 bytes), fast and with a
/// period of 2^256 - 1.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is used for; part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Drawing the sources of one target under a connection rule;
    /// `a` = projection index, `b` = target node id.
    Connect = 0x636f_6e6e_6563_7431,
    /// The Poisson input of one target; `a` = generator node id,
    /// `b` = target node id.
    Poisson = 0x706f_6973_736f_6e31,
    /// A random parameter of one node (`nest.random` at `Create` or `set`);
    /// `a` = node id, `b` = the call and parameter (see `param`).
    NodeValue = 0x6e6f_6465_7661_6c31,
    /// The random weights and delays of the connections one node drew
    /// under a rule; `a` = projection index, `b` = that node's id.
    SynapseValue = 0x7379_6e76_616c_7531,
    /// Drawing the targets of one source under a source-driven rule
    /// (`fixed_outdegree`); `a` = projection index, `b` = source node id.
    ConnectOut = 0x636f_6e6e_6f75_7431,
    /// Splitting a projection's total number of connections over its
    /// targets (`fixed_total_number`); `a` = projection index, `b` = the
    /// range of target positions split (first << 32 | end).
    ConnectTotal = 0x636f_6e6e_746f_7431,
    /// A value drawn per target of a device's connection (a drawn
    /// `receptor_type`); `a` = the connection's index among the device
    /// connections, `b` = the target's node id.
    DeviceValue = 0x6465_7676_616c_7531,
    /// One value of a `noise_generator`'s current for one target; `a` =
    /// generator node id << 32 | target node id, `b` = the interval.
    NoiseGenerator = 0x6e6f_6973_6567_6e31,
    /// The sites one `quantal_stp_synapse` recovers and releases at one
    /// spike; `a` = projection index << 32 | source node id, `b` =
    /// `mix(target node id << 32 | the synapse's place among the pair's
    /// multapses)` ^ the spike's time [ms] as bits.
    QuantalRelease = 0x7175_616e_7461_6c31,
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Steele, Lea & Flood 2014): also how keys
/// made of several parts are folded into one.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for `(seed, purpose, a, b)`; see the module docs.
pub fn stream(seed: u64, purpose: Purpose, a: u64, b: u64) -> Stream {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes
        .chunks_exact_mut(8)
        .zip(stream_state(seed, purpose, a, b))
    {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    Stream::from_seed(bytes)
}

/// The four state words of `stream(seed, purpose, a, b)`, for code that
/// steps many streams side by side with [`next_lanes`].
pub fn stream_state(seed: u64, purpose: Purpose, a: u64, b: u64) -> [u64; 4] {
    let key = mix(mix(mix(seed ^ purpose as u64) ^ a) ^ b);
    let mut state = [0u64; 4];
    for (i, word) in state.iter_mut().enumerate() {
        *word = mix(key.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN)));
    }
    // An all-zero state is the one xoshiro cannot leave; the mix makes it
    // practically impossible, but keep the generator valid regardless.
    if state == [0; 4] {
        state[0] = 1;
    }
    state
}

/// One xoshiro256++ step of `N` independent streams held as state words
/// `s[word][lane]`: the numbers `Stream::next_u64` gives, lane by lane.
/// Written lane-wise so that the compiler keeps each word in one vector
/// register.
#[inline(always)]
pub fn next_lanes<const N: usize>(s: &mut [[u64; N]; 4]) -> [u64; N] {
    let mut out = [0u64; N];
    for l in 0..N {
        out[l] = s[0][l]
            .wrapping_add(s[3][l])
            .rotate_left(23)
            .wrapping_add(s[0][l]);
        let t = s[1][l] << 17;
        s[2][l] ^= s[0][l];
        s[3][l] ^= s[1][l];
        s[1][l] ^= s[2][l];
        s[0][l] ^= s[3][l];
        s[2][l] ^= t;
        s[3][l] = s[3][l].rotate_left(45);
    }
    out
}

/// A uniform integer in `0..n` (n > 0), unbiased, by Lemire's multiply and
/// reject. Written here rather than taken from `rand` so the sequence never
/// changes with a crate's version.
#[inline]
pub fn below(rng: &mut Stream, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    (m >> 64) as u64
}

/// A uniform number in `[0, 1)` from 53 random bits.
#[inline]
pub fn unit(rng: &mut Stream) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A binomial count: successes in `n` trials of probability `p` (clamped
/// to `[0, 1]`). Inversion where `n * min(p, 1 - p) < 10`, else Hörmann's
/// BTRD (transformed rejection with decomposition, 1993), which is exact
/// and takes O(1) expected draws for any `n`.
pub fn binomial(rng: &mut Stream, n: u64, p: f64) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(rng, n, 1.0 - p);
    }
    if n as f64 * p < 10.0 {
        binomial_inversion(rng, n, p)
    } else {
        binomial_btrd(rng, n, p)
    }
}

/// Inversion by sequential search from 0, restarted in the (rounding)
/// case that the probabilities summed run out before the uniform does.
fn binomial_inversion(rng: &mut Stream, n: u64, p: f64) -> u64 {
    let s = p / (1.0 - p);
    let f0 = (n as f64 * (-p).ln_1p()).exp();
    'draw: loop {
        let mut u = unit(rng);
        let mut f = f0;
        let mut k = 0u64;
        while u >= f {
            u -= f;
            k += 1;
            if k > n {
                continue 'draw;
            }
            f *= s * (n - k + 1) as f64 / k as f64;
            if f == 0.0 {
                continue 'draw;
            }
        }
        return k;
    }
}

/// `ln k! - ((k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi) / 2)`: the error of
/// Stirling's formula (BTRD's `f_c`).
fn stirling_tail(k: u64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_33,
        0.041_340_695_955_409_46,
        0.027_677_925_684_997_72,
        0.020_790_672_103_765_84,
        0.016_644_691_189_820_815,
        0.013_876_128_823_072_431,
        0.011_896_709_945_892_87,
        0.010_411_265_261_973_224,
        0.009_255_462_182_709_007,
        0.008_330_563_433_359_028,
    ];
    if k < 10 {
        return TABLE[k as usize];
    }
    let r = 1.0 / (k as f64 + 1.0);
    let rr = r * r;
    (1.0 / 12.0 - (1.0 / 360.0 - rr / 1260.0) * rr) * r
}

/// BTRD for `n * p >= 10`, `p <= 1/2` (Hörmann 1993, algorithm BTRD).
fn binomial_btrd(rng: &mut Stream, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let q = 1.0 - p;
    let m = ((nf + 1.0) * p).floor();
    let r = p / q;
    let nr = (nf + 1.0) * r;
    let npq = nf * p * q;
    let spq = npq.sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let alpha = (2.83 + 5.1 / b) * spq;
    let vr = 0.92 - 4.2 / b;
    let urvr = 0.86 * vr;
    loop {
        let mut v = unit(rng);
        let u;
        if v <= urvr {
            let u = v / vr - 0.43;
            let k = ((2.0 * a / (0.5 - u.abs()) + b) * u + c).floor();
            return (k.max(0.0) as u64).min(n);
        }
        if v >= vr {
            u = unit(rng) - 0.5;
        } else {
            let w = v / vr - 0.93;
            u = 0.5f64.copysign(w) - w;
            v = unit(rng) * vr;
        }
        let us = 0.5 - u.abs();
        let kf = ((2.0 * a / us + b) * u + c).floor();
        if kf < 0.0 || kf > nf {
            continue;
        }
        let k = kf as u64;
        v *= alpha / (a / (us * us) + b);
        let km = (kf - m).abs();
        if km <= 15.0 {
            // The ratio of probabilities, multiplied out from the mode.
            let mi = m as u64;
            let mut f = 1.0;
            if mi < k {
                for i in mi + 1..=k {
                    f *= nr / i as f64 - r;
                }
            } else {
                for i in k + 1..=mi {
                    v *= nr / i as f64 - r;
                }
            }
            if v <= f {
                return k;
            }
            continue;
        }
        // Squeeze with the normal approximation, then the exact bound.
        let v = v.ln();
        let rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
        let t = -km * km / (2.0 * npq);
        if v < t - rho {
            return k;
        }
        if v > t + rho {
            continue;
        }
        let nm = nf - m + 1.0;
        let h = (m + 0.5) * ((m + 1.0) / (r * nm)).ln()
            + stirling_tail(m as u64)
            + stirling_tail(n - m as u64);
        let nk = nf - kf + 1.0;
        if v <= h + (nf + 1.0) * (nm / nk).ln() + (kf + 0.5) * (nk * r / (kf + 1.0)).ln()
            - stirling_tail(k)
            - stirling_tail(n - k)
        {
            return k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_every_key_part() {
        let first = |s: &mut Stream| s.next_u64();
        let base = first(&mut stream(1, Purpose::Poisson, 2, 3));
        assert_eq!(base, first(&mut stream(1, Purpose::Poisson, 2, 3)));
        assert_ne!(base, first(&mut stream(2, Purpose::Poisson, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Connect, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 3, 3)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 2, 4)));
        assert_ne!(base, first(&mut stream(1, Purpose::Poisson, 3, 2)));
    }

    #[test]
    fn lanes_step_like_the_stream() {
        let mut streams: Vec<Stream> = (0..3).map(|b| stream(9, Purpose::Poisson, 4, b)).collect();
        let states: Vec<[u64; 4]> = (0..3)
            .map(|b| stream_state(9, Purpose::Poisson, 4, b))
            .collect();
        let mut lanes: [[u64; 3]; 4] =
            std::array::from_fn(|w| std::array::from_fn(|b| states[b][w]));
        for _ in 0..1000 {
            let got = next_lanes(&mut lanes);
            for (b, s) in streams.iter_mut().enumerate() {
                assert_eq!(got[b], s.next_u64());
            }
        }
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = stream(7, Purpose::Connect, 0, 0);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[below(&mut rng, 10) as usize] += 1;
        }
        for c in counts {
            // 10,000 expected, sd ~95
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
        assert_eq!(below(&mut rng, 1), 0);
    }

    /// Binomial(n, p)'s probabilities, from a table of ln k!.
    fn binomial_pmf(n: u64, p: f64) -> Vec<f64> {
        let mut ln_fact = vec![0.0f64; n as usize + 1];
        for i in 1..=n as usize {
            ln_fact[i] = ln_fact[i - 1] + (i as f64).ln();
        }
        let n = n as usize;
        (0..=n)
            .map(|k| {
                (ln_fact[n] - ln_fact[k] - ln_fact[n - k]
                    + k as f64 * p.ln()
                    + (n - k) as f64 * (-p).ln_1p())
                .exp()
            })
            .collect()
    }

    /// Pearson's chi-square of `draws` binomial draws against the exact
    /// probabilities, cells pooled until each expects at least 5; returns
    /// (statistic, degrees of freedom).
    fn chi_square(n: u64, p: f64, draws: u32, seed: u64) -> (f64, usize) {
        let mut rng = stream(seed, Purpose::ConnectTotal, n, p.to_bits());
        let mut counts = vec![0u32; n as usize + 1];
        for _ in 0..draws {
            let k = binomial(&mut rng, n, p);
            assert!(k <= n);
            counts[k as usize] += 1;
        }
        let pmf = binomial_pmf(n, p);
        let mut cells: Vec<(f64, f64)> = Vec::new();
        let (mut obs, mut exp) = (0.0, 0.0);
        for (c, q) in counts.iter().zip(&pmf) {
            obs += *c as f64;
            exp += draws as f64 * q;
            if exp >= 5.0 {
                cells.push((obs, exp));
                (obs, exp) = (0.0, 0.0);
            }
        }
        // The tail that expects fewer than 5 joins the last cell.
        let last = cells.last_mut().expect("some cell");
        last.0 += obs;
        last.1 += exp;
        let stat = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        (stat, cells.len() - 1)
    }

    #[test]
    fn binomial_matches_its_distribution() {
        // Inversion (n p < 10), BTRD near and far from the mode, p > 1/2.
        for (n, p) in [
            (10, 0.3),
            (1000, 0.004),
            (40, 0.5),
            (200, 0.1),
            (2000, 0.37),
            (5000, 0.9),
            (3, 0.999),
        ] {
            let (stat, df) = chi_square(n, p, 200_000, 1);
            // mean df, sd sqrt(2 df): 5 sd above the mean fails
            let limit = df as f64 + 5.0 * (2.0 * df as f64).sqrt();
            assert!(stat < limit, "n {n} p {p}: chi2 {stat:.1} df {df}");
        }
    }

    #[test]
    fn binomial_moments_for_large_n() {
        let mut rng = stream(3, Purpose::ConnectTotal, 0, 0);
        let (n, p) = (1u64 << 40, 1e-3);
        let draws = 20_000;
        let xs: Vec<f64> = (0..draws)
            .map(|_| binomial(&mut rng, n, p) as f64)
            .collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (draws - 1) as f64;
        let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
        assert!(
            (mean - m).abs() < 5.0 * (v / draws as f64).sqrt(),
            "{mean} vs {m}"
        );
        assert!((var / v - 1.0).abs() < 0.05, "{var} vs {v}");
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 7, 0.0), 0);
        assert_eq!(binomial(&mut rng, 7, 1.0), 7);
    }
}
