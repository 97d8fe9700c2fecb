//! `iaf_cond_exp`'s derivative in AVX2 registers, for the common step
//! of its lanes ([`crate::rkf45_avx2::whole_step`]): [`super::Lanes`]'
//! operations in their order, on `G` groups of four lanes; and NEST's
//! update after such a step on the same lanes ([`after`]).

use std::arch::x86_64::*;

use super::IafCondExpParams;
use crate::odeint::Control;
use crate::rkf45_avx2::{Stage, lanes, neg};

/// The trial over step `h` of `4 G` lanes from `y` (component-major),
/// lane `l` refractory where `refractory[l]` is all ones and with current
/// `i_stim[l]`: [`crate::rkf45_avx2::whole_step`].
#[target_feature(enable = "avx2,fma")]
pub(super) fn whole_step<const G: usize>(
    p: &IafCondExpParams,
    control: &Control,
    h: f64,
    refractory: &[f64],
    i_stim: &[f64],
    y: &mut [&mut [f64]; 3],
) -> bool {
    let pd = _mm256_set1_pd;
    let mut refr = [pd(0.0); G];
    let mut stim = [pd(0.0); G];
    for g in 0..G {
        refr[g] = lanes(refractory, g);
        stim[g] = lanes(i_stim, g);
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
    let eval = |y: &Stage<3, G>| {
        let mut d = [[pd(0.0); G]; 3];
        for g in 0..G {
            // `V_th < V_m ? V_th : V_m`, then `V_reset` while refractory.
            let v = _mm256_blendv_pd(_mm256_min_pd(v_th, y[0][g]), v_reset, refr[g]);
            let i_syn_exc = _mm256_mul_pd(y[1][g], _mm256_sub_pd(v, e_ex));
            let i_syn_inh = _mm256_mul_pd(y[2][g], _mm256_sub_pd(v, e_in));
            let i_l = _mm256_mul_pd(g_l, _mm256_sub_pd(v, e_l));
            let sum = _mm256_add_pd(neg(i_l), stim[g]);
            let sum = _mm256_sub_pd(_mm256_add_pd(sum, i_e), i_syn_exc);
            let dv = _mm256_div_pd(_mm256_sub_pd(sum, i_syn_inh), c_m);
            d[0][g] = _mm256_blendv_pd(dv, pd(0.0), refr[g]);
            d[1][g] = _mm256_div_pd(neg(y[1][g]), tau_ex);
            d[2][g] = _mm256_div_pd(neg(y[2][g]), tau_in);
        }
        (d, true)
    };
    crate::rkf45_avx2::whole_step(control, h, y, eval)
}

/// NEST's update after the integration (`super::population`'s
/// `after`) on `4 G` lanes in registers: this step's spikes `ex`, `inh`
/// join the conductances, then a refractory lane (`refractory[l]` all
/// ones) is held at `V_reset`, or one at or above `V_th` fires and is
/// reset. Returns the lanes that fired (bit `l` for lane `l`); the caller
/// counts the refractory steps.
#[target_feature(enable = "avx2,fma")]
#[allow(unsafe_code)]
pub(super) fn after<const G: usize>(
    p: &IafCondExpParams,
    refractory: &[f64],
    ex: &[f64],
    inh: &[f64],
    y: &mut [&mut [f64]; 3],
) -> u32 {
    assert!(y.iter().all(|c| c.len() >= 4 * G));
    let (v_th, v_reset) = (_mm256_set1_pd(p.v_th), _mm256_set1_pd(p.v_reset));
    let mut fired = 0;
    for g in 0..G {
        let refr = lanes(refractory, g);
        // NEST's buffer holds -w for an inhibitory weight w.
        let g_ex = _mm256_add_pd(lanes(y[1], g), lanes(ex, g));
        let g_in = _mm256_add_pd(lanes(y[2], g), neg(lanes(inh, g)));
        let v = lanes(y[0], g);
        let fire = _mm256_andnot_pd(refr, _mm256_cmp_pd::<_CMP_GE_OQ>(v, v_th));
        let v = _mm256_blendv_pd(v, v_reset, _mm256_or_pd(refr, fire));
        for (c, x) in y.iter_mut().zip([v, g_ex, g_in]) {
            // SAFETY: the assert: four doubles from `4 g` in bounds.
            unsafe { _mm256_storeu_pd(c[4 * g..].as_mut_ptr(), x) };
        }
        fired |= (_mm256_movemask_pd(fire) as u32) << (4 * g);
    }
    fired
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iaf_cond_exp::{IAF_COND_EXP, Lanes, Props};
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
        let props = Props::new(values.values(), res);
        let (p, control, h) = (&props.p, &props.control, props.h);
        let mut next = crate::libm_exp::uniforms(0x2545_f491_4f6c_dd1d);
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
