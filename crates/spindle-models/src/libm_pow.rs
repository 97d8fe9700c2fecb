//! The C library's `pow` over many arguments: glibc's algorithm (2.28 and
//! later, the build its x86-64 dispatch picks on CPUs with FMA), four
//! arguments per AVX2 instruction (eight per AVX-512 instruction where the
//! CPU has it), with the library's bits.
//!
//! NEST's power-law STDP (`stdp_pl_synapse_hom`, hpc_benchmark) calls
//! `pow(w, mu)` at every facilitation, one synapse at a time: a long chain
//! of dependent steps that left a third of the delivery waiting on it. A
//! weight equals NEST's only where each `pow` gives the library's bits, so
//! this module follows the library's steps: `log x` in double-double from
//! a 128-entry table (`scripts/tables/pow_table.py` reads it out of the
//! library) and a degree-7 polynomial, then `exp(y log x)` as glibc's
//! `exp` (the table and constants of [`crate::libm_exp`]) with the low
//! part added to the reduced argument. The fused multiply-adds are where
//! GCC put them in glibc 2.36's `__pow_fma` (read off its disassembly).
//! Arguments outside the fast range (`x` not positive and normal, `|y|`
//! below 2^-65 or from 2^63, `|y log x|` below 2^-54 or from 512) go to the
//! library itself.
//!
//! [`PowPath::detect`] checks once per process, on arguments across the
//! whole range, that these steps give the library's bits here (another
//! version, C library or a CPU without FMA may differ), and [`pow_each`]
//! uses its own steps only where they do.

use std::sync::OnceLock;

use crate::libm_exp::{
    C2, C3, C4, C5, EXP_TAB, INV_LN2_N, NEG_LN2_HI_N, NEG_LN2_LO_N, SHIFT, avx2_fma, uniforms,
};

/// ln 2 in two parts (`__pow_log_data.ln2hi`, `ln2lo`).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3800);
const LN2_LO: f64 = f64::from_bits(0x3d2e_f357_93c7_6730);
/// The subintervals of the log table start at this bit pattern
/// (0x1.69555p-1), so that `x / 2^k` falls in [OFF, 2 OFF).
const OFF: u64 = 0x3fe6_9555_0000_0000;

include!("libm_pow_table.rs");

/// How [`pow_each`] computes, chosen once per process
/// ([`PowPath::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowPath {
    /// The C library's `pow`, one argument at a time.
    Library,
    /// This module's steps, one argument at a time.
    Own,
    /// This module's steps, four arguments per AVX2 instruction, the
    /// last few one at a time.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// This module's steps, eight arguments per AVX-512 instruction, the
    /// rest as [`PowPath::Avx2`].
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl PowPath {
    /// The fastest path that gives the C library's bits here: checked
    /// once, on bases spread over the fast range's binades and dense
    /// where weights lie, with exponents of the STDP rules and others.
    pub fn detect() -> PowPath {
        static PATH: OnceLock<PowPath> = OnceLock::new();
        *PATH.get_or_init(|| {
            // Each probe's four bases twice, the second time reversed, so
            // that the eight-lane path takes them in every lane.
            let agree = |path: PowPath| {
                probe_points().all(|(x, y)| {
                    let mut x: [f64; 8] = std::array::from_fn(|l| x[if l < 4 { l } else { 7 - l }]);
                    let want = x.map(|x| x.powf(y));
                    pow_each(&mut x, y, path);
                    x.iter().zip(want).all(|(a, b)| a.to_bits() == b.to_bits())
                })
            };
            // The AVX2 path takes the scalar steps for the last arguments
            // of a slice: both must hold.
            if !agree(PowPath::Own) {
                return PowPath::Library;
            }
            #[cfg(target_arch = "x86_64")]
            if avx2_fma() && agree(PowPath::Avx2) {
                if avx512_dq() && agree(PowPath::Avx512) {
                    return PowPath::Avx512;
                }
                return PowPath::Avx2;
            }
            PowPath::Own
        })
    }
}

/// Replace each `x` by `x^y`, by `path` (from [`PowPath::detect`]: the C
/// library's bits).
pub fn pow_each(x: &mut [f64], y: f64, path: PowPath) {
    if path == PowPath::Library || !y_fast(y) {
        x.iter_mut().for_each(|x| *x = x.powf(y));
        return;
    }
    #[cfg(target_arch = "x86_64")]
    let x = if path == PowPath::Avx512 {
        let mut chunks = x.chunks_exact_mut(8);
        for c in &mut chunks {
            let c: &mut [f64; 8] = c.try_into().expect("eight lanes");
            // SAFETY: `PowPath::Avx512` is only detected where the CPU has
            // AVX-512 F and DQ, AVX2 and FMA.
            #[allow(unsafe_code)]
            let (p, outside) = unsafe { pow8_avx512(c, y) };
            if outside {
                c.iter_mut().for_each(|x| *x = pow_one(*x, y));
            } else {
                *c = p;
            }
        }
        chunks.into_remainder()
    } else {
        x
    };
    #[cfg(target_arch = "x86_64")]
    if matches!(path, PowPath::Avx2 | PowPath::Avx512) {
        // SAFETY: `PowPath::Avx2` and `Avx512` are only detected where the
        // CPU has AVX2 and FMA.
        #[allow(unsafe_code)]
        unsafe {
            pow_each_avx2(x, y)
        };
        return;
    }
    x.iter_mut().for_each(|x| *x = pow_one(*x, y));
}

/// [`pow_each`]'s four-lane loop, compiled for the kernel's features so
/// that the kernel is inlined into it: called from code without them,
/// each call of [`pow4_avx2`] returned its lanes through memory, and the
/// loop around it took two fifths as long as the kernel. The last lanes
/// are padded to four (with 1, a base in the fast range).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pow_each_avx2(x: &mut [f64], y: f64) {
    let mut chunks = x.chunks_exact_mut(4);
    for c in &mut chunks {
        let c: &mut [f64; 4] = c.try_into().expect("four lanes");
        let (p, outside) = pow4_avx2(c, y);
        if outside {
            c.iter_mut().for_each(|x| *x = pow_one(*x, y));
        } else {
            *c = p;
        }
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut c = [1.0; 4];
        c[..rest.len()].copy_from_slice(rest);
        let (p, outside) = pow4_avx2(&c, y);
        if outside {
            rest.iter_mut().for_each(|x| *x = pow_one(*x, y));
        } else {
            rest.copy_from_slice(&p[..rest.len()]);
        }
    }
}

/// `x^y` by this module's steps where they apply, else the library's.
#[inline(always)]
fn pow_one(x: f64, y: f64) -> f64 {
    let (p, fast) = pow_fast(x, y);
    if fast { p } else { x.powf(y) }
}

/// glibc's test of `y`: the exponent field of |y| in [2^-65, 2^63).
#[inline(always)]
fn y_fast(y: f64) -> bool {
    ((y.to_bits() >> 52) & 0x7ff).wrapping_sub(0x3be) <= 0x7f
}

/// glibc's fast path at (`x`, `y`), `y` in [`y_fast`]'s range, and
/// whether `x` and `y log x` are in its range (where not, the value is
/// meaningless and the library's own answer is needed).
#[inline(always)]
fn pow_fast(x: f64, y: f64) -> (f64, bool) {
    let ix = x.to_bits();
    // x positive and normal: the top 12 bits (sign and exponent) in
    // [1, 0x7fe].
    let x_fast = (ix >> 52).wrapping_sub(1) <= 0x7fd;
    // log x = k ln 2 + log c + log(z / c), z = x / 2^k in [OFF, 2 OFF).
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> 45) & 127) as usize;
    let kd = ((tmp as i64) >> 52) as f64;
    let z = f64::from_bits(ix.wrapping_sub(tmp & 0xfff << 52));
    let invc = f64::from_bits(LOG_TAB[3 * i]);
    let logc = f64::from_bits(LOG_TAB[3 * i + 1]);
    let logctail = f64::from_bits(LOG_TAB[3 * i + 2]);
    let a = A.map(f64::from_bits);
    let t1 = kd.mul_add(LN2_HI, logc);
    let lo1 = kd.mul_add(LN2_LO, logctail);
    let r = z.mul_add(invc, -1.0);
    let ar = r * a[0];
    let p12 = r.mul_add(a[2], a[1]);
    let p34 = r.mul_add(a[4], a[3]);
    let t2 = r + t1;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let lo3 = ar.mul_add(r, -ar2);
    let lo2 = (t1 - t2) + r;
    let p56 = r.mul_add(a[6], a[5]);
    let hi = t2 + ar2;
    let lo4 = (t2 - hi) + ar2;
    let p = ar2.mul_add(p56.mul_add(ar2, p34), p12);
    let lo = ar3.mul_add(p, ((lo1 + lo2) + lo3) + lo4);
    let log_hi = hi + lo;
    let log_lo = (hi - log_hi) + lo;
    // y log x = ehi + elo exactly enough, then exp as glibc's, with elo
    // added to the reduced argument.
    let ehi = y * log_hi;
    let elo = y.mul_add(log_lo, log_hi.mul_add(y, -ehi));
    let e_fast = ((ehi.to_bits() >> 52) & 0x7ff).wrapping_sub(0x3c9) <= 0x3e;
    let k = ehi.mul_add(INV_LN2_N, SHIFT);
    let ki = k.to_bits();
    let kd = k - SHIFT;
    let r = elo + kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, ehi));
    let idx = 2 * (ki & 127) as usize;
    let tail = f64::from_bits(EXP_TAB[idx]);
    let scale = f64::from_bits(EXP_TAB[idx + 1].wrapping_add(ki << 45));
    let r2 = r * r;
    let tmp = r.mul_add(C3, C2).mul_add(r2, r + tail);
    let tmp = r.mul_add(C5, C4).mul_add(r2 * r2, tmp);
    (tmp.mul_add(scale, scale), x_fast && e_fast)
}

/// [`pow_fast`] of four bases in AVX2 registers; and whether any lane is
/// outside the fast range.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
fn pow4_avx2(x: &[f64; 4], y: f64) -> ([f64; 4], bool) {
    use std::arch::x86_64::*;
    let pd = _mm256_set1_pd;
    let epi = _mm256_set1_epi64x;
    let a = A.map(f64::from_bits);
    // SAFETY: four doubles in bounds, unaligned load.
    let xv = unsafe { _mm256_loadu_pd(x.as_ptr()) };
    let ix = _mm256_castpd_si256(xv);
    // x positive and normal: (top 12 bits) - 1 in [0, 0x7fd].
    let top = _mm256_sub_epi64(_mm256_srli_epi64::<52>(ix), epi(1));
    let mut outside = _mm256_or_si256(
        _mm256_cmpgt_epi64(top, epi(0x7fd)),
        _mm256_cmpgt_epi64(_mm256_setzero_si256(), top),
    );
    let tmp = _mm256_sub_epi64(ix, epi(OFF as i64));
    let i = _mm256_and_si256(_mm256_srli_epi64::<45>(tmp), epi(127));
    // k = tmp >> 52 (arithmetic), converted through 32 bits as the
    // library does: the four k's are the high halves' top bits.
    let k32 = _mm256_srai_epi32::<20>(tmp);
    let k32 = _mm256_permutevar8x32_epi32(k32, _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7));
    let kd = _mm256_cvtepi32_pd(_mm256_castsi256_si128(k32));
    let z = _mm256_castsi256_pd(_mm256_sub_epi64(
        ix,
        _mm256_and_si256(tmp, epi(0xfff << 52)),
    ));
    // The table by lane: `1/c` alone, `log c` and its tail in one 16-byte
    // load, lanes 0 and 2 in `ca`, 1 and 3 in `cb`, unpacked to lane order.
    let (lo, hi) = (_mm256_castsi256_si128(i), _mm256_extracti128_si256::<1>(i));
    let lanes = [
        _mm_cvtsi128_si64(lo),
        _mm_extract_epi64::<1>(lo),
        _mm_cvtsi128_si64(hi),
        _mm_extract_epi64::<1>(hi),
    ]
    .map(|k| (k & 127) as usize);
    let invc = _mm256_setr_pd(
        f64::from_bits(LOG_TAB[3 * lanes[0]]),
        f64::from_bits(LOG_TAB[3 * lanes[1]]),
        f64::from_bits(LOG_TAB[3 * lanes[2]]),
        f64::from_bits(LOG_TAB[3 * lanes[3]]),
    );
    let pair = |k: usize| {
        // SAFETY: `k < 128`, so the two words after `3k` are in the table.
        unsafe { _mm_loadu_pd(LOG_TAB.as_ptr().add(3 * k + 1).cast::<f64>()) }
    };
    let ca = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(lanes[0])), pair(lanes[2]));
    let cb = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(lanes[1])), pair(lanes[3]));
    let logc = _mm256_unpacklo_pd(ca, cb);
    let logctail = _mm256_unpackhi_pd(ca, cb);
    let t1 = _mm256_fmadd_pd(kd, pd(LN2_HI), logc);
    let lo1 = _mm256_fmadd_pd(kd, pd(LN2_LO), logctail);
    let r = _mm256_fmadd_pd(z, invc, pd(-1.0));
    let ar = _mm256_mul_pd(r, pd(a[0]));
    let p12 = _mm256_fmadd_pd(r, pd(a[2]), pd(a[1]));
    let p34 = _mm256_fmadd_pd(r, pd(a[4]), pd(a[3]));
    let t2 = _mm256_add_pd(r, t1);
    let ar2 = _mm256_mul_pd(r, ar);
    let ar3 = _mm256_mul_pd(r, ar2);
    let lo3 = _mm256_fmsub_pd(ar, r, ar2);
    let lo2 = _mm256_add_pd(_mm256_sub_pd(t1, t2), r);
    let p56 = _mm256_fmadd_pd(r, pd(a[6]), pd(a[5]));
    let hi_ = _mm256_add_pd(t2, ar2);
    let lo4 = _mm256_add_pd(_mm256_sub_pd(t2, hi_), ar2);
    let p = _mm256_fmadd_pd(ar2, _mm256_fmadd_pd(p56, ar2, p34), p12);
    let sum = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(lo1, lo2), lo3), lo4);
    let lo_ = _mm256_fmadd_pd(ar3, p, sum);
    let log_hi = _mm256_add_pd(hi_, lo_);
    let log_lo = _mm256_add_pd(_mm256_sub_pd(hi_, log_hi), lo_);
    let yv = pd(y);
    let ehi = _mm256_mul_pd(yv, log_hi);
    let elo = _mm256_fmadd_pd(yv, log_lo, _mm256_fmsub_pd(log_hi, yv, ehi));
    let abstop = _mm256_and_si256(
        _mm256_srli_epi64::<52>(_mm256_castpd_si256(ehi)),
        epi(0x7ff),
    );
    let d = _mm256_sub_epi64(abstop, epi(0x3c9));
    outside = _mm256_or_si256(
        outside,
        _mm256_or_si256(
            _mm256_cmpgt_epi64(d, epi(0x3e)),
            _mm256_cmpgt_epi64(_mm256_setzero_si256(), d),
        ),
    );
    let k = _mm256_fmadd_pd(ehi, pd(INV_LN2_N), pd(SHIFT));
    let ki = _mm256_castpd_si256(k);
    let kd = _mm256_sub_pd(k, pd(SHIFT));
    let r = _mm256_add_pd(
        elo,
        _mm256_fmadd_pd(
            kd,
            pd(NEG_LN2_LO_N),
            _mm256_fmadd_pd(kd, pd(NEG_LN2_HI_N), ehi),
        ),
    );
    let j = _mm256_and_si256(ki, epi(127));
    let (lo, hi) = (_mm256_castsi256_si128(j), _mm256_extracti128_si256::<1>(j));
    let entry = |k: i64| {
        let k = (k & 127) as usize;
        // SAFETY: `k < 128`, so both words at `2k` are in the table.
        unsafe { _mm_loadu_pd(EXP_TAB.as_ptr().add(2 * k).cast::<f64>()) }
    };
    let ea = _mm256_insertf128_pd::<1>(
        _mm256_castpd128_pd256(entry(_mm_cvtsi128_si64(lo))),
        entry(_mm_cvtsi128_si64(hi)),
    );
    let eb = _mm256_insertf128_pd::<1>(
        _mm256_castpd128_pd256(entry(_mm_extract_epi64::<1>(lo))),
        entry(_mm_extract_epi64::<1>(hi)),
    );
    let tail = _mm256_unpacklo_pd(ea, eb);
    let scale_bits = _mm256_castpd_si256(_mm256_unpackhi_pd(ea, eb));
    let scale = _mm256_castsi256_pd(_mm256_add_epi64(scale_bits, _mm256_slli_epi64::<45>(ki)));
    let r2 = _mm256_mul_pd(r, r);
    let tmp = _mm256_fmadd_pd(
        _mm256_fmadd_pd(r, pd(C3), pd(C2)),
        r2,
        _mm256_add_pd(r, tail),
    );
    let tmp = _mm256_fmadd_pd(
        _mm256_fmadd_pd(r, pd(C5), pd(C4)),
        _mm256_mul_pd(r2, r2),
        tmp,
    );
    let out = _mm256_fmadd_pd(tmp, scale, scale);
    let mut y = [0.0; 4];
    // SAFETY: four doubles in bounds, unaligned store.
    unsafe { _mm256_storeu_pd(y.as_mut_ptr(), out) };
    let outside = _mm256_movemask_pd(_mm256_castsi256_pd(outside)) != 0;
    (y, outside)
}

/// Whether the CPU has what [`pow8_avx512`] uses besides AVX2 and FMA.
fn avx512_dq() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// [`pow_fast`] of eight bases in AVX-512 registers, the tables read by
/// gathers; and whether any lane is outside the fast range.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,fma")]
#[inline]
#[allow(unsafe_code)]
fn pow8_avx512(x: &[f64; 8], y: f64) -> ([f64; 8], bool) {
    use std::arch::x86_64::*;
    let pd = _mm512_set1_pd;
    let epi = _mm512_set1_epi64;
    let a = A.map(f64::from_bits);
    // SAFETY: eight doubles in bounds, unaligned load.
    let xv = unsafe { _mm512_loadu_pd(x.as_ptr()) };
    let ix = _mm512_castpd_si512(xv);
    // x positive and normal: (top 12 bits) - 1 in [0, 0x7fd], unsigned.
    let top = _mm512_sub_epi64(_mm512_srli_epi64::<52>(ix), epi(1));
    let mut outside = _mm512_cmpgt_epu64_mask(top, epi(0x7fd));
    let tmp = _mm512_sub_epi64(ix, epi(OFF as i64));
    let i = _mm512_and_si512(_mm512_srli_epi64::<45>(tmp), epi(127));
    // k = tmp >> 52 (arithmetic): a small integer, exact as a double.
    let kd = _mm512_cvtepi64_pd(_mm512_srai_epi64::<52>(tmp));
    let z = _mm512_castsi512_pd(_mm512_sub_epi64(
        ix,
        _mm512_and_si512(tmp, epi(0xfff << 52)),
    ));
    // Entry `i` of the log table is its words `3i`, `3i + 1`, `3i + 2`.
    let i3 = _mm512_add_epi64(_mm512_slli_epi64::<1>(i), i);
    let tab = LOG_TAB.as_ptr().cast::<f64>();
    // SAFETY: `i < 128`, so words `3i` to `3i + 2` are in the table.
    let (invc, logc, logctail) = unsafe {
        (
            _mm512_i64gather_pd::<8>(i3, tab),
            _mm512_i64gather_pd::<8>(i3, tab.add(1)),
            _mm512_i64gather_pd::<8>(i3, tab.add(2)),
        )
    };
    let t1 = _mm512_fmadd_pd(kd, pd(LN2_HI), logc);
    let lo1 = _mm512_fmadd_pd(kd, pd(LN2_LO), logctail);
    let r = _mm512_fmadd_pd(z, invc, pd(-1.0));
    let ar = _mm512_mul_pd(r, pd(a[0]));
    let p12 = _mm512_fmadd_pd(r, pd(a[2]), pd(a[1]));
    let p34 = _mm512_fmadd_pd(r, pd(a[4]), pd(a[3]));
    let t2 = _mm512_add_pd(r, t1);
    let ar2 = _mm512_mul_pd(r, ar);
    let ar3 = _mm512_mul_pd(r, ar2);
    let lo3 = _mm512_fmsub_pd(ar, r, ar2);
    let lo2 = _mm512_add_pd(_mm512_sub_pd(t1, t2), r);
    let p56 = _mm512_fmadd_pd(r, pd(a[6]), pd(a[5]));
    let hi_ = _mm512_add_pd(t2, ar2);
    let lo4 = _mm512_add_pd(_mm512_sub_pd(t2, hi_), ar2);
    let p = _mm512_fmadd_pd(ar2, _mm512_fmadd_pd(p56, ar2, p34), p12);
    let sum = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(lo1, lo2), lo3), lo4);
    let lo_ = _mm512_fmadd_pd(ar3, p, sum);
    let log_hi = _mm512_add_pd(hi_, lo_);
    let log_lo = _mm512_add_pd(_mm512_sub_pd(hi_, log_hi), lo_);
    let yv = pd(y);
    let ehi = _mm512_mul_pd(yv, log_hi);
    let elo = _mm512_fmadd_pd(yv, log_lo, _mm512_fmsub_pd(log_hi, yv, ehi));
    let abstop = _mm512_and_si512(
        _mm512_srli_epi64::<52>(_mm512_castpd_si512(ehi)),
        epi(0x7ff),
    );
    let d = _mm512_sub_epi64(abstop, epi(0x3c9));
    outside |= _mm512_cmpgt_epu64_mask(d, epi(0x3e));
    let k = _mm512_fmadd_pd(ehi, pd(INV_LN2_N), pd(SHIFT));
    let ki = _mm512_castpd_si512(k);
    let kd = _mm512_sub_pd(k, pd(SHIFT));
    let r = _mm512_add_pd(
        elo,
        _mm512_fmadd_pd(
            kd,
            pd(NEG_LN2_LO_N),
            _mm512_fmadd_pd(kd, pd(NEG_LN2_HI_N), ehi),
        ),
    );
    // Entry `j` of the exp table is its words `2j` (tail) and `2j + 1`.
    let j2 = _mm512_slli_epi64::<1>(_mm512_and_si512(ki, epi(127)));
    let tab = EXP_TAB.as_ptr();
    // SAFETY: `j < 128`, so words `2j` and `2j + 1` are in the table.
    let (tail, scale_bits) = unsafe {
        (
            _mm512_i64gather_pd::<8>(j2, tab.cast::<f64>()),
            _mm512_i64gather_epi64::<8>(j2, tab.add(1).cast::<i64>()),
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
        _mm512_fmadd_pd(r, pd(C5), pd(C4)),
        _mm512_mul_pd(r2, r2),
        tmp,
    );
    let out = _mm512_fmadd_pd(tmp, scale, scale);
    let mut y = [0.0; 8];
    // SAFETY: eight doubles in bounds, unaligned store.
    unsafe { _mm512_storeu_pd(y.as_mut_ptr(), out) };
    (y, outside != 0)
}

/// The arguments [`PowPath::detect`] tries, four bases at a time with one
/// exponent: fixed pseudo-random points, bases half in [0, 200] (where
/// weights in pA lie) and half over every binade of the normal range, and
/// exponents the STDP rules use (0.4, 1, and others in (0, 2]) and
/// others of either sign; a few bases outside the fast range.
fn probe_points() -> impl Iterator<Item = ([f64; 4], f64)> {
    let mut next = uniforms(0x2545_f491_4f6c_dd1d);
    (0..1 << 13).map(move |i| {
        let y = match i % 4 {
            0 => 0.4,
            1 => 1.0,
            2 => 2.0 * next(),
            _ => 20.0 * next() - 10.0,
        };
        let x = [(); 4].map(|_| {
            let u = next();
            if i % 2 == 0 {
                200.0 * u
            } else {
                2f64.powi((2044.0 * next()) as i32 - 1022) * (1.0 + u)
            }
        });
        let x = if i % 64 == 3 {
            [0.0, -1.0, 1.0, f64::MIN_POSITIVE / 4.0]
        } else {
            x
        };
        (x, y)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path this CPU can take.
    fn paths() -> Vec<PowPath> {
        let mut p = vec![PowPath::Library, PowPath::Own];
        #[cfg(target_arch = "x86_64")]
        if avx2_fma() {
            p.push(PowPath::Avx2);
            if avx512_dq() {
                p.push(PowPath::Avx512);
            }
        }
        p
    }

    /// On the machines Spindle is built and tested on (glibc 2.28 or
    /// later, x86-64 with AVX2 and FMA) the steps are the library's.
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    #[test]
    fn the_library_bits_here() {
        if avx2_fma() {
            let widest = if avx512_dq() {
                PowPath::Avx512
            } else {
                PowPath::Avx2
            };
            assert_eq!(PowPath::detect(), widest);
        }
    }

    /// Bases and exponents outside the fast range, and special values,
    /// get the library's answer, whatever the other lanes hold.
    #[test]
    fn special_arguments_take_the_library() {
        let x = [
            0.0,
            -0.0,
            -2.0,
            1e-310,
            1.0,
            1.0 + 1e-15,
            f64::INFINITY,
            f64::NAN,
            3.0,
            1e300,
            1e-300,
            45.0,
            f64::MAX,
        ];
        for y in [
            0.4,
            1.0,
            -1.0,
            0.5,
            3.0,
            1e-30,
            1e30,
            2000.0,
            -2000.0,
            0.0,
            f64::NAN,
        ] {
            for path in paths() {
                let mut p = x;
                pow_each(&mut p, y, path);
                for (a, b) in x.iter().zip(p) {
                    let want = a.powf(y);
                    assert!(
                        want.to_bits() == b.to_bits() || (want.is_nan() && b.is_nan()),
                        "{path:?} {a}^{y}"
                    );
                }
            }
        }
    }

    /// `pow_each` over every length up to 11, with a base outside the
    /// fast range at each place in turn (in a padded remainder too):
    /// the library's bits on every path.
    #[test]
    fn each_takes_every_remainder() {
        for path in paths() {
            for len in 0..=11 {
                for special in 0..=len {
                    let x: Vec<f64> = (0..len)
                        .map(|i| {
                            if i == special {
                                -2.0
                            } else {
                                0.5 + i as f64 * 7.25
                            }
                        })
                        .collect();
                    let mut p = x.clone();
                    pow_each(&mut p, 0.4, path);
                    for (a, b) in x.iter().zip(&p) {
                        let want = a.powf(0.4);
                        assert!(
                            want.to_bits() == b.to_bits() || (want.is_nan() && b.is_nan()),
                            "{path:?}, length {len}: {a}^0.4"
                        );
                    }
                }
            }
        }
    }

    /// Where the check holds, many more arguments than it tries agree,
    /// on every path, with any count of bases (the AVX2 path's remainder).
    #[test]
    fn own_steps_agree_beyond_the_probe() {
        if PowPath::detect() == PowPath::Library {
            return;
        }
        for path in paths() {
            let mut differ = 0;
            for (i, y) in [0.4, 1.0, 0.7, 0.05, 1.9, -0.4].into_iter().enumerate() {
                let x: Vec<f64> = (0..100_003u64 + i as u64)
                    .map(|j| 1e-3 + 300.0 * (j as f64 * 0.618_033_988_749_894_9 % 1.0))
                    .collect();
                let mut p = x.clone();
                pow_each(&mut p, y, path);
                for (x, p) in x.iter().zip(p) {
                    differ += usize::from(p.to_bits() != x.powf(y).to_bits());
                }
            }
            assert_eq!(differ, 0, "{path:?}");
        }
    }
}
