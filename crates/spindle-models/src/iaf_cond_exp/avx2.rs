//! The common step of `iaf_cond_exp` lanes in AVX2 registers: one rkf45
//! trial over the whole simulation step, which the control accepts on
//! every lane (the neuron carried the step's size and nothing changed
//! fast). Written with the vector instructions themselves because the
//! compiler's own vectorisation of the generic lanes ([`super::Lanes`],
//! [`crate::odeint::integrate_lanes`]) split the four-lane operations into
//! two-lane and scalar ones and waited on each stage's chain; here `G`
//! groups of four lanes go through each stage together, so their chains
//! overlap.
//!
//! Each lane's operations are [`super::dynamics`]' and GSL's rkf45's, in
//! their order, with no fused multiply-add: the same bits as the scalar
//! step. Where a lane's trial is refused, nothing is kept and the caller
//! takes GSL's loop ([`crate::adaptive::integrate_group`]).

use std::arch::x86_64::*;

use super::IafCondExpParams;
use crate::odeint::{AH, B3, B4, B5, B6, C1, C3, C4, C5, C6, Control, EC};

/// One stage's state or derivative: component, group.
type Stage<const G: usize> = [[__m256d; G]; 3];

/// The trial over step `h` of `4 G` lanes from `y` (component-major, lane
/// `l` of component `i` at `y[i][l]`), lane `l` refractory where
/// `refractory[l]` is all ones and with current `i_stim[l]`. Writes the
/// end state to `y` and returns true where the control accepts every
/// lane's trial; leaves `y` as it was and returns false where not.
/// `control` must not read the derivative at the end of the step (NEST's
/// `iaf_cond_exp` control does not).
#[target_feature(enable = "avx2,fma")]
#[allow(unsafe_code)]
pub(super) fn whole_step<const G: usize>(
    p: &IafCondExpParams,
    control: &Control,
    h: f64,
    refractory: &[f64],
    i_stim: &[f64],
    y: &mut [&mut [f64]; 3],
) -> bool {
    assert!(refractory.len() >= 4 * G && i_stim.len() >= 4 * G);
    assert!(y.iter().all(|c| c.len() >= 4 * G) && !control.reads_dydt());
    let pd = _mm256_set1_pd;
    // SAFETY: the asserts above: every load reads four doubles in bounds.
    let load = |s: &[f64], g: usize| unsafe { _mm256_loadu_pd(s[4 * g..].as_ptr()) };
    let mut y0: Stage<G> = [[pd(0.0); G]; 3];
    let mut refr = [pd(0.0); G];
    let mut stim = [pd(0.0); G];
    for g in 0..G {
        for i in 0..3 {
            y0[i][g] = load(y[i], g);
        }
        refr[g] = load(refractory, g);
        stim[g] = load(i_stim, g);
    }
    let (v_th, v_reset, e_ex, e_in, e_l) =
        (pd(p.v_th), pd(p.v_reset), pd(p.e_ex), pd(p.e_in), pd(p.e_l));
    let (g_l, i_e, c_m, tau_ex, tau_in) = (
        pd(p.g_l),
        pd(p.i_e),
        pd(p.c_m),
        pd(p.tau_syn_ex),
        pd(p.tau_syn_in),
    );
    let sign = pd(-0.0);
    // `super::dynamics` on every group.
    let eval = |y: &Stage<G>| {
        let mut d: Stage<G> = [[pd(0.0); G]; 3];
        for g in 0..G {
            // `V_th < V_m ? V_th : V_m`, then `V_reset` while refractory.
            let v = _mm256_blendv_pd(_mm256_min_pd(v_th, y[0][g]), v_reset, refr[g]);
            let i_syn_exc = _mm256_mul_pd(y[1][g], _mm256_sub_pd(v, e_ex));
            let i_syn_inh = _mm256_mul_pd(y[2][g], _mm256_sub_pd(v, e_in));
            let i_l = _mm256_mul_pd(g_l, _mm256_sub_pd(v, e_l));
            let sum = _mm256_add_pd(_mm256_xor_pd(i_l, sign), stim[g]);
            let sum = _mm256_sub_pd(_mm256_add_pd(sum, i_e), i_syn_exc);
            let dv = _mm256_div_pd(_mm256_sub_pd(sum, i_syn_inh), c_m);
            d[0][g] = _mm256_blendv_pd(dv, pd(0.0), refr[g]);
            d[1][g] = _mm256_div_pd(_mm256_xor_pd(y[1][g], sign), tau_ex);
            d[2][g] = _mm256_div_pd(_mm256_xor_pd(y[2][g], sign), tau_in);
        }
        d
    };
    let (mul, add) = (_mm256_mul_pd, _mm256_add_pd);
    let hv = pd(h);
    // `y0 + h * sum`, the stage's weighted sum of derivatives by `sum`.
    let stage = |sum: &dyn Fn(usize, usize) -> __m256d| {
        let mut s: Stage<G> = [[pd(0.0); G]; 3];
        for i in 0..3 {
            for g in 0..G {
                s[i][g] = add(y0[i][g], mul(hv, sum(i, g)));
            }
        }
        s
    };
    let k1 = eval(&y0);
    let mut t2: Stage<G> = [[pd(0.0); G]; 3];
    let ah0h = pd(AH[0] * h);
    for i in 0..3 {
        for g in 0..G {
            t2[i][g] = add(y0[i][g], mul(ah0h, k1[i][g]));
        }
    }
    let k2 = eval(&t2);
    let k3 = eval(&stage(&|i, g| {
        add(mul(pd(B3[0]), k1[i][g]), mul(pd(B3[1]), k2[i][g]))
    }));
    let k4 = eval(&stage(&|i, g| {
        let s = add(mul(pd(B4[0]), k1[i][g]), mul(pd(B4[1]), k2[i][g]));
        add(s, mul(pd(B4[2]), k3[i][g]))
    }));
    let k5 = eval(&stage(&|i, g| {
        let s = add(mul(pd(B5[0]), k1[i][g]), mul(pd(B5[1]), k2[i][g]));
        let s = add(s, mul(pd(B5[2]), k3[i][g]));
        add(s, mul(pd(B5[3]), k4[i][g]))
    }));
    let k6 = eval(&stage(&|i, g| {
        let s = add(mul(pd(B6[0]), k1[i][g]), mul(pd(B6[1]), k2[i][g]));
        let s = add(s, mul(pd(B6[2]), k3[i][g]));
        let s = add(s, mul(pd(B6[3]), k4[i][g]));
        add(s, mul(pd(B6[4]), k5[i][g]))
    }));
    let end = stage(&|i, g| {
        let s = add(mul(pd(C1), k1[i][g]), mul(pd(C3), k3[i][g]));
        let s = add(s, mul(pd(C4), k4[i][g]));
        let s = add(s, mul(pd(C5), k5[i][g]));
        add(s, mul(pd(C6), k6[i][g]))
    });
    // The control's ratio of error to tolerance (`Control::rmax`, the
    // derivative term `a_dydt * |h * 0|`, +0.0): refused where above 1.1
    // in any component (a NaN ratio refuses nothing, as in `rmax`).
    let (eps_abs, eps_rel, a_y, a_dydt) = control.terms();
    let dydt_term = pd(a_dydt * (h * 0.0).abs());
    let abs = |x: __m256d| _mm256_andnot_pd(sign, x);
    let mut refused = pd(0.0);
    for i in 0..3 {
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
    for i in 0..3 {
        for g in 0..G {
            // SAFETY: the asserts above: four doubles in bounds.
            unsafe { _mm256_storeu_pd(y[i][4 * g..].as_mut_ptr(), end[i][g]) };
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adaptive::OdeNeuron;
    use crate::iaf_cond_exp::{IAF_COND_EXP, Lanes, Neuron};
    use crate::model::NeuronParams;
    use crate::odeint::integrate_lanes;
    use spindle_core::Resolution;

    /// Where the kernel accepts, its state has the bits of GSL's loop
    /// ([`integrate_lanes`]); where it refuses, the state is untouched.
    /// Random states from rest to past threshold, conductances up to large
    /// jumps, some lanes refractory, with and without current: both cases
    /// occur (about half each).
    #[test]
    #[allow(clippy::needless_range_loop, unsafe_code)]
    fn accepted_steps_have_gsls_bits() {
        if !crate::libm_exp::avx2_fma() {
            return;
        }
        let res = Resolution::new(0.1).unwrap();
        let values = NeuronParams::defaults(&IAF_COND_EXP);
        let props = Neuron::props(values.values(), res);
        let (p, control, h) = (&props.p, &props.control, props.h);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..4000 {
            let mut y = [[0.0; 8]; 3];
            let mut refr = [false; 8];
            let mut stim = [0.0; 8];
            for l in 0..8 {
                y[0][l] = -75.0 + 25.0 * next();
                y[1][l] = if next() < 0.1 {
                    300.0 * next()
                } else {
                    10.0 * next()
                };
                y[2][l] = 50.0 * next();
                refr[l] = next() < 0.1;
                stim[l] = if round % 2 == 0 { 0.0 } else { 800.0 * next() };
            }
            let mask = refr.map(|r| f64::from_bits(if r { u64::MAX } else { 0 }));
            let mut fast = y;
            let [a, b, c] = &mut fast;
            let mut ys = [&mut a[..], &mut b[..], &mut c[..]];
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            let ok = unsafe { whole_step::<2>(p, control, h, &mask, &stim, &mut ys) };
            let f = Lanes {
                p,
                refractory: refr,
                i_stim: stim,
            };
            let mut gsl = y;
            let mut steps = [h; 8];
            integrate_lanes(control, &f, h, &mut steps, &mut gsl);
            if ok {
                accepted += 1;
                let bits = |y: &[[f64; 8]; 3]| y.map(|c| c.map(f64::to_bits));
                assert_eq!(bits(&fast), bits(&gsl), "round {round}");
                assert_eq!(steps, [h; 8], "round {round}");
            } else {
                refused += 1;
                assert_eq!(fast, y, "round {round}: untouched");
            }
        }
        assert!(
            accepted > 1000 && refused > 1000,
            "{accepted} accepted, {refused} refused"
        );
    }
}
