//! The C library's `exp` on lanes: glibc's algorithm (2.28 and later, in
//! the build its x86-64 dispatch picks on CPUs with FMA), four arguments
//! per AVX2 instruction, with the library's bits.
//!
//! NEST's Hodgkin-Huxley models spend half their time in `exp` (six rate
//! functions per derivative, seven derivatives per trial step), one call
//! per value. A trace equals NEST's only where each `exp` gives the
//! library's bits, so a faster approximation will not do: this module
//! follows the library's steps. It reduces `x = k ln2/128 + r`, takes
//! 2^(k/128) from a 128-entry table, and evaluates a degree-5 polynomial
//! in `r`. The fused multiply-adds are where GCC put them in glibc 2.36's
//! `__exp_fma` (read off its disassembly). Arguments outside the fast
//! range (|x| < 2^-54, |x| >= 512, NaN) go to the library itself.
//!
//! Whether this gives the library's bits depends on the library: another
//! version, another C library or a CPU without FMA (where glibc picks its
//! other build) may differ. [`ExpPath::detect`] checks once per process,
//! on arguments across the whole range, and [`exp_lanes`] uses its own
//! steps only where they hold, the library's `exp` lane by lane where not.

use std::sync::OnceLock;

/// 128 / ln 2 (glibc's `invln2N`).
pub(crate) const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe);
/// -ln 2 / 128 in two parts (`negln2hiN`, `negln2loN`).
pub(crate) const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
pub(crate) const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
/// The polynomial's coefficients of r^2 .. r^5 (`poly`).
pub(crate) const C2: f64 = f64::from_bits(0x3fdf_ffff_ffff_fdbd);
pub(crate) const C3: f64 = f64::from_bits(0x3fc5_5555_5555_543c);
pub(crate) const C4: f64 = f64::from_bits(0x3fa5_5555_cf17_2b91);
pub(crate) const C5: f64 = f64::from_bits(0x3f81_1111_67a4_d017);
/// 1.5 * 2^52: adding it rounds to an integer in the low bits (`shift`).
pub(crate) const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);

include!("libm_exp_table.rs");

/// The table, for `pow`'s last step ([`crate::libm_pow`]).
pub(crate) const EXP_TAB: &[u64; 256] = &TAB;

/// How [`exp_lanes`] computes, chosen once per process
/// ([`ExpPath::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpPath {
    /// The C library's `exp`, lane by lane (where this module's steps
    /// would not give its bits).
    Library,
    /// This module's steps, lane by lane.
    Own,
    /// This module's steps, four lanes per AVX2 instruction (the compiler
    /// does not vectorise them by itself: the table lookups split them),
    /// and lane by lane for lane counts that are not multiples of four.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Eight lanes per AVX-512 instruction, the table read by gathers
    /// ([`exp8`]), and [`ExpPath::Avx2`]'s ways for lane counts that are
    /// not multiples of eight.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl ExpPath {
    /// The fastest path that gives the C library's bits here: checked once,
    /// on arguments spread over the whole fast range and dense where the
    /// models evaluate it.
    pub fn detect() -> ExpPath {
        static PATH: OnceLock<ExpPath> = OnceLock::new();
        *PATH.get_or_init(|| {
            let points: Vec<f64> = probe_points().collect();
            let agree = |path: ExpPath| {
                points.chunks_exact(4).all(|x| {
                    let x: &[f64; 4] = x.try_into().expect("four points");
                    let y = exp_lanes(x, path);
                    x.iter()
                        .zip(y)
                        .all(|(x, y)| x.exp().to_bits() == y.to_bits())
                })
            };
            // The AVX2 path takes the scalar steps for lane counts that
            // are not multiples of four: both must hold.
            if !agree(ExpPath::Own) {
                return ExpPath::Library;
            }
            #[cfg(target_arch = "x86_64")]
            if avx2_fma() && agree(ExpPath::Avx2) {
                // Eight lanes: the probes twice, the second time reversed
                // in each group of eight, so that every probe is tried in
                // every lane position it could take.
                let eight = |x: &[f64]| {
                    let x: [f64; 8] = x.try_into().expect("eight points");
                    let y = exp_lanes(&x, ExpPath::Avx512);
                    x.iter()
                        .zip(y)
                        .all(|(x, y)| x.exp().to_bits() == y.to_bits())
                };
                let reversed: Vec<f64> = points
                    .chunks_exact(8)
                    .flat_map(|c| c.iter().rev().copied())
                    .collect();
                if avx512f()
                    && points.chunks_exact(8).all(eight)
                    && reversed.chunks_exact(8).all(eight)
                {
                    return ExpPath::Avx512;
                }
                return ExpPath::Avx2;
            }
            ExpPath::Own
        })
    }
}

/// `exp` of each lane, by `path` (from [`ExpPath::detect`]: the C
/// library's bits).
// Lane loops index several arrays at the same lane.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn exp_lanes<const M: usize>(x: &[f64; M], path: ExpPath) -> [f64; M] {
    let mut out = [0.0; M];
    let mut outside = false;
    match path {
        ExpPath::Library => return x.map(f64::exp),
        #[cfg(target_arch = "x86_64")]
        ExpPath::Avx512 if M.is_multiple_of(8) => {
            for c in (0..M).step_by(8) {
                let xc: &[f64; 8] = x[c..c + 8].try_into().expect("eight lanes");
                // SAFETY: `ExpPath::Avx512` is only detected where the CPU
                // has AVX-512F, AVX2 and FMA.
                #[allow(unsafe_code)]
                let (y, o) = unsafe { exp8_avx512(xc) };
                out[c..c + 8].copy_from_slice(&y);
                outside |= o;
            }
        }
        #[cfg(target_arch = "x86_64")]
        ExpPath::Avx2 | ExpPath::Avx512 if M.is_multiple_of(4) => {
            for c in (0..M).step_by(4) {
                let xc: &[f64; 4] = x[c..c + 4].try_into().expect("four lanes");
                // SAFETY: `ExpPath::Avx2` and `Avx512` are only detected
                // where the CPU has AVX2 and FMA.
                #[allow(unsafe_code)]
                let (y, o) = unsafe { exp4_avx2(xc) };
                out[c..c + 4].copy_from_slice(&y);
                outside |= o;
            }
        }
        _ => {
            for l in 0..M {
                let (y, fast) = exp_fast(x[l]);
                out[l] = y;
                outside |= !fast;
            }
        }
    }
    if outside {
        for l in 0..M {
            if !exp_fast(x[l]).1 {
                out[l] = x[l].exp();
            }
        }
    }
    out
}

/// Replace each `x` by `exp(x)`, by `path` (from [`ExpPath::detect`]:
/// the C library's bits), eight or four at a time where `path` allows.
pub fn exp_each(x: &mut [f64], path: ExpPath) {
    #[cfg(target_arch = "x86_64")]
    let x = if path == ExpPath::Avx512 {
        let mut chunks = x.chunks_exact_mut(8);
        for c in &mut chunks {
            let c: &mut [f64; 8] = c.try_into().expect("eight lanes");
            *c = exp_lanes(c, path);
        }
        chunks.into_remainder()
    } else {
        x
    };
    #[cfg(target_arch = "x86_64")]
    if matches!(path, ExpPath::Avx2 | ExpPath::Avx512) {
        // SAFETY: `ExpPath::Avx2` and `Avx512` are only detected where the
        // CPU has AVX2 and FMA.
        #[allow(unsafe_code)]
        unsafe {
            exp_each_avx2(x)
        };
        return;
    }
    let mut chunks = x.chunks_exact_mut(4);
    for c in &mut chunks {
        let c: &mut [f64; 4] = c.try_into().expect("four lanes");
        *c = exp_lanes(c, path);
    }
    for x in chunks.into_remainder() {
        *x = exp_lanes(&[*x], path)[0];
    }
}

/// [`exp_each`]'s four-lane loop, compiled for the kernel's features so
/// that [`exp4_avx2`] is inlined into it (as `pow_each`'s); the last lanes
/// are padded to four (with 0, in the fast range).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn exp_each_avx2(x: &mut [f64]) {
    // `exp_lanes` inlined here, so its kernel is too.
    let lanes = |c: &[f64; 4]| exp_lanes(c, ExpPath::Avx2);
    let mut chunks = x.chunks_exact_mut(4);
    for c in &mut chunks {
        let c: &mut [f64; 4] = c.try_into().expect("four lanes");
        *c = lanes(c);
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut c = [0.0; 4];
        c[..rest.len()].copy_from_slice(rest);
        let y = lanes(&c);
        rest.copy_from_slice(&y[..rest.len()]);
    }
}

/// [`exp_fast`] of four lanes in AVX2 registers; and whether any lane is
/// outside the fast range.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
fn exp4_avx2(x: &[f64; 4]) -> ([f64; 4], bool) {
    use std::arch::x86_64::*;
    let pd = _mm256_set1_pd;
    let epi = _mm256_set1_epi64x;
    // SAFETY: four doubles in bounds, unaligned load.
    let xv = unsafe { _mm256_loadu_pd(x.as_ptr()) };
    let bits = _mm256_castpd_si256(xv);
    let abstop = _mm256_and_si256(_mm256_srli_epi64::<52>(bits), epi(0x7ff));
    // `abstop - 0x3c9 > 0x3e` unsigned: below 0 or above 0x3e signed.
    let d = _mm256_sub_epi64(abstop, epi(0x3c9));
    let out_of_range = _mm256_or_si256(
        _mm256_cmpgt_epi64(d, epi(0x3e)),
        _mm256_cmpgt_epi64(_mm256_setzero_si256(), d),
    );
    let outside = _mm256_movemask_pd(_mm256_castsi256_pd(out_of_range)) != 0;
    let k = _mm256_fmadd_pd(xv, pd(INV_LN2_N), pd(SHIFT));
    let ki = _mm256_castpd_si256(k);
    let kd = _mm256_sub_pd(k, pd(SHIFT));
    let r = _mm256_fmadd_pd(
        kd,
        pd(NEG_LN2_LO_N),
        _mm256_fmadd_pd(kd, pd(NEG_LN2_HI_N), xv),
    );
    // The table by lane, each entry's tail and scale in one 16-byte load
    // (fewer cycles than two gather instructions on Zen 3), lanes 0 and 2
    // in `a`, 1 and 3 in `b`, so that the unpacks give lane order.
    let j = _mm256_and_si256(ki, epi(127));
    let (lo, hi) = (_mm256_castsi256_si128(j), _mm256_extracti128_si256::<1>(j));
    let entry = |k: i64| {
        let k = (k & 127) as usize;
        // SAFETY: `k < 128`, so both doubles at `2k` are in the table.
        unsafe { _mm_loadu_pd(TAB.as_ptr().add(2 * k).cast::<f64>()) }
    };
    let a = _mm256_insertf128_pd::<1>(
        _mm256_castpd128_pd256(entry(_mm_cvtsi128_si64(lo))),
        entry(_mm_cvtsi128_si64(hi)),
    );
    let b = _mm256_insertf128_pd::<1>(
        _mm256_castpd128_pd256(entry(_mm_extract_epi64::<1>(lo))),
        entry(_mm_extract_epi64::<1>(hi)),
    );
    let tail = _mm256_unpacklo_pd(a, b);
    let scale_bits = _mm256_castpd_si256(_mm256_unpackhi_pd(a, b));
    let scale = _mm256_castsi256_pd(_mm256_add_epi64(scale_bits, _mm256_slli_epi64::<45>(ki)));
    let r2 = _mm256_mul_pd(r, r);
    let tmp = _mm256_fmadd_pd(
        _mm256_fmadd_pd(r, pd(C3), pd(C2)),
        r2,
        _mm256_add_pd(r, tail),
    );
    let tmp = _mm256_fmadd_pd(
        _mm256_mul_pd(r2, r2),
        _mm256_fmadd_pd(r, pd(C5), pd(C4)),
        tmp,
    );
    let y = _mm256_fmadd_pd(scale, tmp, scale);
    let mut out = [0.0; 4];
    // SAFETY: four doubles in bounds, unaligned store.
    unsafe { _mm256_storeu_pd(out.as_mut_ptr(), y) };
    (out, outside)
}

/// [`exp8`] of eight lanes in memory; and whether any lane is outside the
/// fast range.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[inline]
#[allow(unsafe_code)]
fn exp8_avx512(x: &[f64; 8]) -> ([f64; 8], bool) {
    use std::arch::x86_64::*;
    // SAFETY: eight doubles in bounds, unaligned load.
    let xv = unsafe { _mm512_loadu_pd(x.as_ptr()) };
    let (y, outside) = exp8(xv);
    let mut out = [0.0; 8];
    // SAFETY: eight doubles in bounds, unaligned store.
    unsafe { _mm512_storeu_pd(out.as_mut_ptr(), y) };
    (out, outside != 0)
}

/// [`exp_fast`] of eight lanes in an AVX-512 register, the table's tails
/// and scales read by two gathers; and the lanes outside the fast range
/// (their values meaningless: the caller must take the library's). Its
/// features are the lane driver's AVX-512 copy's, so that it is inlined
/// there.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[inline]
#[allow(unsafe_code)]
pub(crate) fn exp8(
    xv: std::arch::x86_64::__m512d,
) -> (std::arch::x86_64::__m512d, std::arch::x86_64::__mmask8) {
    use std::arch::x86_64::*;
    let pd = _mm512_set1_pd;
    let epi = _mm512_set1_epi64;
    let bits = _mm512_castpd_si512(xv);
    // `abstop - 0x3c9 > 0x3e`, unsigned, as glibc's test.
    let abstop = _mm512_and_si512(_mm512_srli_epi64::<52>(bits), epi(0x7ff));
    let outside = _mm512_cmpgt_epu64_mask(_mm512_sub_epi64(abstop, epi(0x3c9)), epi(0x3e));
    let k = _mm512_fmadd_pd(xv, pd(INV_LN2_N), pd(SHIFT));
    let ki = _mm512_castpd_si512(k);
    let kd = _mm512_sub_pd(k, pd(SHIFT));
    let r = _mm512_fmadd_pd(
        kd,
        pd(NEG_LN2_LO_N),
        _mm512_fmadd_pd(kd, pd(NEG_LN2_HI_N), xv),
    );
    // Entry `j` is the table's words `2j` (tail) and `2j + 1` (scale).
    let j2 = _mm512_slli_epi64::<1>(_mm512_and_si512(ki, epi(127)));
    let tab = TAB.as_ptr().cast::<f64>();
    // SAFETY: `j < 128`, so words `2j` and `2j + 1` are in the table.
    let (tail, scale_bits) = unsafe {
        (
            _mm512_i64gather_pd::<8>(j2, tab),
            _mm512_castpd_si512(_mm512_i64gather_pd::<8>(j2, tab.add(1))),
        )
    };
    let scale = _mm512_castsi512_pd(_mm512_add_epi64(scale_bits, _mm512_slli_epi64::<45>(ki)));
    let r2 = _mm512_mul_pd(r, r);
    let tmp = _mm512_fmadd_pd(
        _mm512_fmadd_pd(r, pd(C3), pd(C2)),
        r2,
        _mm512_add_pd(r, tail),
    );
    let tmp = _mm512_fmadd_pd(
        _mm512_mul_pd(r2, r2),
        _mm512_fmadd_pd(r, pd(C5), pd(C4)),
        tmp,
    );
    (_mm512_fmadd_pd(scale, tmp, scale), outside)
}

/// glibc's fast path at `x`, and whether `x` is in its range (where not,
/// the value is meaningless and the library's own answer is needed).
#[inline(always)]
fn exp_fast(x: f64) -> (f64, bool) {
    // glibc's test: the exponent field of |x| in [2^-54, 512).
    let abstop = (x.to_bits() >> 52) & 0x7ff;
    let fast = abstop.wrapping_sub(0x3c9) <= 0x3e;
    // x = k ln2/128 + r, with k rounded to nearest by the shift.
    let kd = x.mul_add(INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x));
    // 2^(k/128) = scale (1 + tail).
    let idx = 2 * (ki & 127) as usize;
    let tail = f64::from_bits(TAB[idx]);
    let scale = f64::from_bits(TAB[idx + 1].wrapping_add(ki << 45));
    let r2 = r * r;
    let tmp = r.mul_add(C3, C2).mul_add(r2, r + tail);
    let tmp = (r2 * r2).mul_add(r.mul_add(C5, C4), tmp);
    (scale.mul_add(tmp, scale), fast)
}

/// Fixed pseudo-random numbers in [0, 1) from `seed` (SplitMix64): the
/// probes of the checks here and in [`crate::libm_pow`].
pub(crate) fn uniforms(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Whether the CPU has what the AVX2 paths here and in
/// [`crate::libm_pow`] use.
pub(crate) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Whether the CPU has what the AVX-512 path here uses (and AVX2, FMA).
pub(crate) fn avx512f() -> bool {
    #[cfg(target_arch = "x86_64")]
    return avx2_fma() && std::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The arguments [`ExpPath::detect`] tries: fixed pseudo-random points,
/// half uniform in [-60, 60] (where the rate functions' arguments lie),
/// half spread over the fast range's binades, both signs.
fn probe_points() -> impl Iterator<Item = f64> {
    let mut next = uniforms(0x9e37_79b9_7f4a_7c15);
    (0..1 << 15).map(move |i| {
        let u = next();
        if i % 2 == 0 {
            120.0 * u - 60.0
        } else {
            // |x| = 2^e (1 + u), e in [-54, 8], either sign.
            let e = -54 + i / 2 % 63;
            let x = 2f64.powi(e) * (1.0 + u);
            let x = if x >= 512.0 { 511.0 * u } else { x };
            if i % 4 == 1 { -x } else { x }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path this CPU can take.
    fn paths() -> Vec<ExpPath> {
        let mut p = vec![ExpPath::Library, ExpPath::Own];
        #[cfg(target_arch = "x86_64")]
        if avx2_fma() {
            p.push(ExpPath::Avx2);
        }
        #[cfg(target_arch = "x86_64")]
        if avx512f() {
            p.push(ExpPath::Avx512);
        }
        p
    }

    /// On the machines Spindle is built and tested on (glibc 2.28 or
    /// later, x86-64 with AVX2 and FMA) the steps are the library's.
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    #[test]
    fn the_library_bits_here() {
        if avx512f() {
            assert_eq!(ExpPath::detect(), ExpPath::Avx512);
        } else if avx2_fma() {
            assert_eq!(ExpPath::detect(), ExpPath::Avx2);
        }
    }

    /// Lanes outside the fast range, and special values, get the library's
    /// answer, whatever the other lanes hold.
    #[test]
    fn special_arguments_take_the_library() {
        let x = [
            0.0,
            -0.0,
            1e-300,
            -1e-17,
            600.0,
            -800.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            3.0,
            -2.5,
            709.7,
            1.5,
            -700.0,
            1e-20,
            100.0,
        ];
        for path in paths() {
            let y = exp_lanes(&x, path);
            for (a, b) in x.iter().zip(y) {
                let want = a.exp();
                assert!(
                    want.to_bits() == b.to_bits() || (want.is_nan() && b.is_nan()),
                    "{path:?} {a}"
                );
            }
        }
    }

    /// `exp_each` over lengths that leave each remainder (eight, four,
    /// single lanes), special values among them, gives the library's bits
    /// on every path.
    #[test]
    fn each_takes_every_remainder() {
        let mut next = uniforms(0x2545_f491_4f6c_dd1d);
        for path in paths() {
            for len in 0..=27 {
                let x: Vec<f64> = (0..len)
                    .map(|i| match i % 7 {
                        3 => f64::NAN,
                        5 => 800.0 * next(),
                        _ => 80.0 * next() - 40.0,
                    })
                    .collect();
                let mut y = x.clone();
                exp_each(&mut y, path);
                for (a, b) in x.iter().zip(&y) {
                    let want = a.exp();
                    assert!(
                        want.to_bits() == b.to_bits() || (want.is_nan() && b.is_nan()),
                        "{path:?}, length {len}: exp({a})"
                    );
                }
            }
        }
    }

    /// Where the check holds, many more arguments than it tries agree,
    /// on every path.
    #[test]
    fn own_steps_agree_beyond_the_probe() {
        if ExpPath::detect() == ExpPath::Library {
            return;
        }
        for path in paths() {
            let mut differ = 0;
            for i in 0..250_000u64 {
                let x = std::array::from_fn::<_, 8, _>(|j| {
                    -80.0 + 160.0 * ((8 * i + j as u64) as f64) * 0.618_033_988_749_894_9 % 1.0
                });
                let y = exp_lanes(&x, path);
                for (x, y) in x.iter().zip(y) {
                    differ += usize::from(y.to_bits() != x.exp().to_bits());
                }
            }
            assert_eq!(differ, 0, "{path:?}");
        }
    }
}
