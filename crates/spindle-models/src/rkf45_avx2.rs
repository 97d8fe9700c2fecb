//! The common step of an adaptive model's lanes in AVX2 registers: one
//! rkf45 trial over the whole simulation step that the control accepts on
//! every lane (each neuron carried at least the step's size, and nothing
//! changed fast): in the COBA benchmark, most steps. `iaf_cond_exp` uses
//! it (`crate::iaf_cond_exp::avx2`); for `hh_cond_exp_traub` it took 74 %
//! of the steps but saved little, the time going to the steps around
//! spikes, and was left out.
//!
//! Written with the vector instructions themselves: the compiler's
//! vectorisation of the generic lanes ([`crate::odeint::integrate_lanes`])
//! split four-lane operations into two-lane and scalar ones and waited on
//! each stage's chain. Here `G` groups of four lanes go through each stage
//! together, so their chains overlap. A model gives its derivative as a
//! closure over registers, defined inside its own `#[target_feature]`
//! function (so that the closure is compiled for AVX2 too).
//!
//! Each lane's operations are GSL's rkf45's ([`crate::odeint`]) and the
//! model's, in their order, with no fused multiply-add: the scalar step's
//! bits. Where a lane's trial is refused, nothing is kept and the caller
//! takes GSL's loop.

use std::arch::x86_64::*;

use crate::odeint::{AH, B3, B4, B5, B6, C1, C3, C4, C5, C6, Control, EC};

/// A state or derivative of `4 G` lanes: component, group of four lanes.
pub(crate) type Stage<const N: usize, const G: usize> = [[__m256d; G]; N];

/// `G` groups of four lanes of each component of `y` (component-major:
/// lane `l` of component `i` at `y[i][l]`).
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
pub(crate) fn load<const N: usize, const G: usize>(y: &[&mut [f64]; N]) -> Stage<N, G> {
    assert!(y.iter().all(|c| c.len() >= 4 * G));
    let mut s = [[_mm256_setzero_pd(); G]; N];
    for i in 0..N {
        for g in 0..G {
            // SAFETY: the assert: four doubles in bounds.
            s[i][g] = unsafe { _mm256_loadu_pd(y[i][4 * g..].as_ptr()) };
        }
    }
    s
}

/// Four lanes of `x` from lane `4 g`.
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
pub(crate) fn lanes(x: &[f64], g: usize) -> __m256d {
    assert!(x.len() >= 4 * g + 4);
    // SAFETY: the assert: four doubles in bounds.
    unsafe { _mm256_loadu_pd(x[4 * g..].as_ptr()) }
}

/// `-x`: the sign flipped, as Rust's negation.
#[target_feature(enable = "avx2,fma")]
#[inline]
pub(crate) fn neg(x: __m256d) -> __m256d {
    _mm256_xor_pd(x, _mm256_set1_pd(-0.0))
}

/// The trial over step `h` of `4 G` lanes from `y` (component-major),
/// with derivative `eval`. `eval` returns the derivative and whether it
/// holds on every lane (false: the caller must take its own path, e.g.
/// an `exp` argument outside the range of this crate's `exp`). Writes the
/// end state to `y` and returns true where the control accepts every
/// lane's trial and every evaluation held; leaves `y` as it was and
/// returns false where not. `control` must not read the derivative at the
/// end of the step (the `y` controls of NEST's models do not).
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(unsafe_code)]
pub(crate) fn whole_step<const N: usize, const G: usize>(
    control: &Control,
    h: f64,
    y: &mut [&mut [f64]; N],
    eval: impl Fn(&Stage<N, G>) -> (Stage<N, G>, bool),
) -> bool {
    assert!(!control.reads_dydt());
    let pd = _mm256_set1_pd;
    let (mul, add) = (_mm256_mul_pd, _mm256_add_pd);
    let y0: Stage<N, G> = load(y);
    let hv = pd(h);
    // `y0 + h * sum(i, g)`: the next stage's state.
    let stage = |sum: &dyn Fn(usize, usize) -> __m256d| {
        let mut s = [[pd(0.0); G]; N];
        for i in 0..N {
            for g in 0..G {
                s[i][g] = add(y0[i][g], mul(hv, sum(i, g)));
            }
        }
        s
    };
    let (k1, ok1) = eval(&y0);
    let mut t2 = [[pd(0.0); G]; N];
    let ah0h = pd(AH[0] * h);
    for i in 0..N {
        for g in 0..G {
            t2[i][g] = add(y0[i][g], mul(ah0h, k1[i][g]));
        }
    }
    let (k2, ok2) = eval(&t2);
    let (k3, ok3) = eval(&stage(&|i, g| {
        add(mul(pd(B3[0]), k1[i][g]), mul(pd(B3[1]), k2[i][g]))
    }));
    let (k4, ok4) = eval(&stage(&|i, g| {
        let s = add(mul(pd(B4[0]), k1[i][g]), mul(pd(B4[1]), k2[i][g]));
        add(s, mul(pd(B4[2]), k3[i][g]))
    }));
    let (k5, ok5) = eval(&stage(&|i, g| {
        let s = add(mul(pd(B5[0]), k1[i][g]), mul(pd(B5[1]), k2[i][g]));
        let s = add(s, mul(pd(B5[2]), k3[i][g]));
        add(s, mul(pd(B5[3]), k4[i][g]))
    }));
    let (k6, ok6) = eval(&stage(&|i, g| {
        let s = add(mul(pd(B6[0]), k1[i][g]), mul(pd(B6[1]), k2[i][g]));
        let s = add(s, mul(pd(B6[2]), k3[i][g]));
        let s = add(s, mul(pd(B6[3]), k4[i][g]));
        add(s, mul(pd(B6[4]), k5[i][g]))
    }));
    if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
        return false;
    }
    let end = stage(&|i, g| {
        let s = add(mul(pd(C1), k1[i][g]), mul(pd(C3), k3[i][g]));
        let s = add(s, mul(pd(C4), k4[i][g]));
        let s = add(s, mul(pd(C5), k5[i][g]));
        add(s, mul(pd(C6), k6[i][g]))
    });
    // The control's ratio of error to tolerance (`Control::rmax`; the
    // derivative's term `a_dydt * |h * 0|`): refused where above 1.1 in
    // any component (a NaN ratio refuses nothing, as in `rmax`).
    let (eps_abs, eps_rel, a_y, a_dydt) = control.terms();
    let dydt_term = pd(a_dydt * (h * 0.0).abs());
    let sign = pd(-0.0);
    let abs = |x: __m256d| _mm256_andnot_pd(sign, x);
    let mut refused = pd(0.0);
    for i in 0..N {
        for g in 0..G {
            let s = add(mul(pd(EC[1]), k1[i][g]), mul(pd(EC[3]), k3[i][g]));
            let s = add(s, mul(pd(EC[4]), k4[i][g]));
            let s = add(s, mul(pd(EC[5]), k5[i][g]));
            let yerr = mul(hv, add(s, mul(pd(EC[6]), k6[i][g])));
            let d0 = add(
                mul(pd(eps_rel), add(mul(pd(a_y), abs(end[i][g])), dydt_term)),
                pd(eps_abs),
            );
            let r = _mm256_div_pd(abs(yerr), abs(d0));
            refused = _mm256_or_pd(refused, _mm256_cmp_pd::<_CMP_GT_OQ>(r, pd(1.1)));
        }
    }
    if _mm256_movemask_pd(refused) != 0 {
        return false;
    }
    for i in 0..N {
        for g in 0..G {
            // SAFETY: `load` checked that four doubles from `4 g` are in
            // bounds.
            unsafe { _mm256_storeu_pd(y[i][4 * g..].as_mut_ptr(), end[i][g]) };
        }
    }
    true
}
