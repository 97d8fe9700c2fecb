//! The vector operations of the kernels written once for two widths: [`v4`]
//! (AVX2 and FMA, four doubles per register) and [`v8`] (AVX-512F, eight).
//! Both modules have the same names (`V`, `Mask`, `W`, `add`, `select`,
//! ...), so a kernel's body, written as a macro over those names, is
//! expanded inside a `#[target_feature]` function of each width (see
//! [`crate::rkf45_simd`]). Every operation is IEEE's on each lane, so both
//! widths give the bits of the scalar code.
//!
//! [`Divisor`]: division by a value known in advance, in three operations
//! that give IEEE's quotient, for AVX-512 (`v8::div_by`), which divides
//! eight doubles in about the time AVX2 divides four, so that division
//! bounded its kernel; `v4::div_by` divides.

#![allow(unsafe_code)]

/// A divisor `b` known before its dividends, with `r = 1/b` rounded to
/// nearest. `x / b` is then `q = x r`, `e = q b - x` (exact, by FMA) and
/// `q - e r`: the correctly rounded quotient (Markstein's theorem, the
/// known result that Brisebarre, Muller and Raina, IEEE Trans. Comput.
/// 53(8), 2004, start from), as long as nothing underflows or overflows. That
/// holds for `b` in `[2^-60, 2^60]` and a dividend of zero or of magnitude
/// in `[2^-960, 2^960]`; `v8::div_by` flags every other dividend, and
/// a kernel that sees a flag gives the step back to the scalar path. A zero
/// dividend keeps its sign: `e` is `+0`, and `q - (+0) r` is `q`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Divisor {
    b: f64,
    r: f64,
}

impl Divisor {
    /// `b`'s divisor, or `None` outside `[2^-60, 2^60]` (divide there).
    pub(crate) fn new(b: f64) -> Option<Self> {
        let (lo, hi) = (2f64.powi(-60), 2f64.powi(60));
        (lo..=hi).contains(&b).then(|| Self { b, r: 1.0 / b })
    }
}

/// Smallest and largest dividend magnitudes `Divisor` takes (bit patterns).
const DIV_LO: u64 = ((1023 - 960) as u64) << 52;
const DIV_HI: u64 = ((1023 + 960) as u64) << 52;

/// Four doubles per register: AVX2 and FMA. Masks are vectors of all-ones
/// or all-zero lanes.
#[cfg(target_arch = "x86_64")]
pub(crate) mod v4 {
    use std::arch::x86_64::*;

    use super::Divisor;

    pub(crate) type V = __m256d;
    pub(crate) type Mask = __m256d;
    /// Lanes per register.
    pub(crate) const W: usize = 4;

    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn splat(x: f64) -> V {
        _mm256_set1_pd(x)
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn add(a: V, b: V) -> V {
        _mm256_add_pd(a, b)
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn sub(a: V, b: V) -> V {
        _mm256_sub_pd(a, b)
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn mul(a: V, b: V) -> V {
        _mm256_mul_pd(a, b)
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn div(a: V, b: V) -> V {
        _mm256_div_pd(a, b)
    }
    /// `a < b ? a : b`, lane by lane.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn min(a: V, b: V) -> V {
        _mm256_min_pd(a, b)
    }
    /// `-x`: the sign flipped, as Rust's negation.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn neg(x: V) -> V {
        _mm256_xor_pd(x, _mm256_set1_pd(-0.0))
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn abs(x: V) -> V {
        _mm256_andnot_pd(_mm256_set1_pd(-0.0), x)
    }
    /// `b` where `m` is set, `a` elsewhere.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn select(m: Mask, a: V, b: V) -> V {
        _mm256_blendv_pd(a, b, m)
    }
    /// `a > b` (ordered).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn gt(a: V, b: V) -> Mask {
        _mm256_cmp_pd::<_CMP_GT_OQ>(a, b)
    }
    /// `a >= b` (ordered).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn ge(a: V, b: V) -> Mask {
        _mm256_cmp_pd::<_CMP_GE_OQ>(a, b)
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn none() -> Mask {
        _mm256_setzero_pd()
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn or(a: Mask, b: Mask) -> Mask {
        _mm256_or_pd(a, b)
    }
    /// `b` and not `a`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn and_not(a: Mask, b: Mask) -> Mask {
        _mm256_andnot_pd(a, b)
    }
    /// Bit `l`: lane `l` set.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn bits(m: Mask) -> u32 {
        _mm256_movemask_pd(m) as u32
    }
    /// Lanes `W g..W g + W` of `x`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn load(x: &[f64], g: usize) -> V {
        assert!(x.len() >= W * g + W);
        // SAFETY: the assert: `W` doubles in bounds.
        unsafe { _mm256_loadu_pd(x[W * g..].as_ptr()) }
    }
    /// `v` into lanes `W g..W g + W` of `x`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn store(x: &mut [f64], g: usize, v: V) {
        assert!(x.len() >= W * g + W);
        // SAFETY: the assert: `W` doubles in bounds.
        unsafe { _mm256_storeu_pd(x[W * g..].as_mut_ptr(), v) }
    }
    /// The mask of lanes `W g..` of `x`, each all ones or zero.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn load_mask(x: &[f64], g: usize) -> Mask {
        load(x, g)
    }

    /// A [`Divisor`] in every lane.
    #[derive(Clone, Copy)]
    pub(crate) struct Div {
        b: V,
    }
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn divisor(d: Divisor) -> Div {
        Div { b: splat(d.b) }
    }
    /// `x / d`: a division. A build that took [`Divisor`]'s three
    /// operations here too, with their range checks and constants, spilled
    /// more of AVX2's 16 registers (413 of the kernel's 1,380 instructions
    /// touched the stack), and COBA took 14 % longer in paired runs (with a
    /// bounds check per load as well, since removed).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn div_by(x: V, d: Div, _flag: &mut Mask) -> V {
        div(x, d.b)
    }
    /// `-x / d`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(crate) fn neg_div_by(x: V, d: Div, flag: &mut Mask) -> V {
        div_by(neg(x), d, flag)
    }
}

/// Eight doubles per register: AVX-512F. Masks are mask registers.
#[cfg(target_arch = "x86_64")]
pub(crate) mod v8 {
    use std::arch::x86_64::*;

    use super::{DIV_HI, DIV_LO, Divisor};

    pub(crate) type V = __m512d;
    pub(crate) type Mask = __mmask8;
    /// Lanes per register.
    pub(crate) const W: usize = 8;

    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn splat(x: f64) -> V {
        _mm512_set1_pd(x)
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn add(a: V, b: V) -> V {
        _mm512_add_pd(a, b)
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn sub(a: V, b: V) -> V {
        _mm512_sub_pd(a, b)
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn mul(a: V, b: V) -> V {
        _mm512_mul_pd(a, b)
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn div(a: V, b: V) -> V {
        _mm512_div_pd(a, b)
    }
    /// `a < b ? a : b`, lane by lane.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn min(a: V, b: V) -> V {
        _mm512_min_pd(a, b)
    }
    /// `-x`: the sign flipped, as Rust's negation.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn neg(x: V) -> V {
        let sign = _mm512_set1_epi64(i64::MIN);
        _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), sign))
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn abs(x: V) -> V {
        _mm512_abs_pd(x)
    }
    /// `b` where `m` is set, `a` elsewhere.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn select(m: Mask, a: V, b: V) -> V {
        _mm512_mask_blend_pd(m, a, b)
    }
    /// `a > b` (ordered).
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn gt(a: V, b: V) -> Mask {
        _mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, b)
    }
    /// `a >= b` (ordered).
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn ge(a: V, b: V) -> Mask {
        _mm512_cmp_pd_mask::<_CMP_GE_OQ>(a, b)
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn none() -> Mask {
        0
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn or(a: Mask, b: Mask) -> Mask {
        a | b
    }
    /// `b` and not `a`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn and_not(a: Mask, b: Mask) -> Mask {
        !a & b
    }
    /// Bit `l`: lane `l` set.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn bits(m: Mask) -> u32 {
        u32::from(m)
    }
    /// Lanes `W g..W g + W` of `x`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn load(x: &[f64], g: usize) -> V {
        assert!(x.len() >= W * g + W);
        // SAFETY: the assert: `W` doubles in bounds.
        unsafe { _mm512_loadu_pd(x[W * g..].as_ptr()) }
    }
    /// `v` into lanes `W g..W g + W` of `x`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn store(x: &mut [f64], g: usize, v: V) {
        assert!(x.len() >= W * g + W);
        // SAFETY: the assert: `W` doubles in bounds.
        unsafe { _mm512_storeu_pd(x[W * g..].as_mut_ptr(), v) }
    }
    /// The mask of lanes `W g..` of `x`, each all ones or zero.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn load_mask(x: &[f64], g: usize) -> Mask {
        let v = _mm512_castpd_si512(load(x, g));
        _mm512_test_epi64_mask(v, v)
    }

    /// A [`Divisor`] in every lane, with its reciprocal's negation.
    #[derive(Clone, Copy)]
    pub(crate) struct Div {
        b: V,
        r: V,
        neg_r: V,
    }
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn divisor(d: Divisor) -> Div {
        Div {
            b: splat(d.b),
            r: splat(d.r),
            neg_r: splat(-d.r),
        }
    }
    /// `x / d` ([`Divisor`]); lanes whose dividend it does not take are
    /// set in `flag`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn div_by(x: V, d: Div, flag: &mut Mask) -> V {
        let q = mul(x, d.r);
        let e = _mm512_fmsub_pd(q, d.b, x);
        *flag |= outside(x);
        _mm512_fnmadd_pd(e, d.r, q)
    }
    /// `-x / d` ([`Divisor`]) with no negation: the same operations on
    /// `-x`, whose signs RN keeps (`q = x (-r)`, `e = q b + x`).
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn neg_div_by(x: V, d: Div, flag: &mut Mask) -> V {
        let q = mul(x, d.neg_r);
        let e = _mm512_fmadd_pd(q, d.b, x);
        *flag |= outside(x);
        _mm512_fnmadd_pd(e, d.r, q)
    }
    /// Lanes of `x` neither zero nor of magnitude within the range
    /// (NaN's bits lie above it).
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn outside(x: V) -> Mask {
        let ax = _mm512_castpd_si512(abs(x));
        let nonzero = _mm512_test_epi64_mask(ax, ax);
        let from_lo = _mm512_sub_epi64(ax, _mm512_set1_epi64(DIV_LO as i64));
        let span = _mm512_set1_epi64((DIV_HI - DIV_LO) as i64);
        _mm512_mask_cmpgt_epu64_mask(nonzero, from_lo, span)
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::isa::Isa;

    /// Dividends of every kind: wide exponents, the model's magnitudes,
    /// products of the divisor (exact quotients), halfway cases' neighbours,
    /// zeros of both signs, the range's edges and what lies beyond.
    fn dividends(b: f64, next: &mut impl FnMut() -> f64) -> Vec<f64> {
        let mut x = Vec::new();
        for _ in 0..20_000 {
            let u = next();
            let m = 1.0 + next();
            let e = (next() * 1900.0) as i32 - 950;
            let wide = m * 2f64.powi(e);
            let exact = (next() * 1e6).round() * b;
            let model = (next() - 0.5) * 1e4;
            for v in [wide, exact, model, model * 1e-12] {
                let v = if u < 0.5 { v } else { -v };
                let bits = v.to_bits();
                x.extend([
                    v,
                    f64::from_bits(bits.wrapping_add(1)),
                    f64::from_bits(bits.wrapping_sub(1)),
                ]);
            }
        }
        let (lo, hi) = (f64::from_bits(DIV_LO), f64::from_bits(DIV_HI));
        x.extend([0.0, -0.0, lo, -lo, hi, -hi]);
        x.extend([lo / 2.0, hi * 2.0, f64::INFINITY, f64::NAN, 1e-310, -5e-324]);
        x
    }

    fn divisors(next: &mut impl FnMut() -> f64) -> Vec<f64> {
        let mut b = vec![
            1.0,
            3.0,
            5.0,
            10.0,
            7.0,
            200.0,
            250.0,
            0.1,
            1e-3,
            2f64.powi(60),
        ];
        b.extend((0..40).map(|_| (1.0 + next()) * 2f64.powi((next() * 100.0) as i32 - 50)));
        b
    }

    /// `Divisor`'s three operations, one lane: `None` where the dividend
    /// lies outside the range.
    fn quotient(d: Divisor, x: f64) -> Option<f64> {
        let (lo, hi) = (f64::from_bits(DIV_LO), f64::from_bits(DIV_HI));
        let taken = x == 0.0 || (lo..=hi).contains(&x.abs());
        let q = x * d.r;
        let e = q.mul_add(d.b, -x);
        taken.then(|| (-e).mul_add(d.r, q))
    }

    /// Every dividend in the range gives the bits of `/`, on every CPU (the
    /// theorem checked), and AVX-512's lanes give those bits too and flag
    /// exactly the dividends outside the range.
    #[test]
    #[allow(unsafe_code)]
    fn known_divisors_divide_as_ieee() {
        let mut next = crate::libm_exp::uniforms(0x6a09_e667_f3bc_c908);
        let (mut checked, mut flagged) = (0, 0);
        for b in divisors(&mut next) {
            let d = Divisor::new(b).expect("in range");
            let x = dividends(b, &mut next);
            for &x in &x {
                match quotient(d, x) {
                    Some(q) => {
                        assert_eq!(q.to_bits(), (x / b).to_bits(), "{x:e} / {b:e}");
                        checked += 1;
                    }
                    None => flagged += 1,
                }
            }
            if Isa::Avx512.available() {
                for c in x.chunks_exact(8) {
                    // SAFETY: the CPU has AVX-512F.
                    let (got, flags) = unsafe { avx512(c, d) };
                    for (l, &x) in c.iter().enumerate() {
                        let want = quotient(d, x);
                        assert_eq!(flags[l], want.is_none(), "{x:e} / {b:e}");
                        if let Some(q) = want {
                            assert_eq!(got[l], q.to_bits(), "{x:e} / {b:e}");
                        }
                    }
                }
            }
        }
        assert!(Divisor::new(2f64.powi(61)).is_none() && Divisor::new(0.0).is_none());
        assert!(checked > 1_000_000 && flagged > 300, "{checked}, {flagged}");
    }

    #[target_feature(enable = "avx512f")]
    fn avx512(x: &[f64], d: Divisor) -> (Vec<u64>, Vec<bool>) {
        let (mut q, mut nq) = (vec![0.0; 8], vec![0.0; 8]);
        let (mut flag, mut neg_flag) = (v8::none(), v8::none());
        let v = v8::div_by(v8::load(x, 0), v8::divisor(d), &mut flag);
        v8::store(&mut q, 0, v);
        // `-x / b` without the negation: the bits of the negated
        // dividend's wherever the dividend is taken.
        let minus: Vec<f64> = x.iter().map(|x| -x).collect();
        let v = v8::neg_div_by(v8::load(x, 0), v8::divisor(d), &mut neg_flag);
        v8::store(&mut nq, 0, v);
        let mut minus_q = vec![0.0; 8];
        let mut minus_flag = v8::none();
        let v = v8::div_by(v8::load(&minus, 0), v8::divisor(d), &mut minus_flag);
        v8::store(&mut minus_q, 0, v);
        assert_eq!(neg_flag, minus_flag);
        for l in 0..8 {
            let ok = nq[l].to_bits() == minus_q[l].to_bits() || neg_flag >> l & 1 == 1;
            assert!(ok, "-{:e} / {:e}", x[l], d.b);
        }
        let flagged = (0..8).map(|l| v8::bits(flag) >> l & 1 == 1).collect();
        (q.iter().map(|x| x.to_bits()).collect(), flagged)
    }
}
