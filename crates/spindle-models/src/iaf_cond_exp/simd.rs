//! `iaf_cond_exp`'s derivative in vector registers, for the common step
//! of its lanes ([`crate::rkf45_simd`]): [`super::Lanes`]' operations in
//! their order, on `G` registers of lanes; and NEST's update after such a
//! step on the same lanes (`after`). Written once (`kernels!`) and expanded
//! for AVX2 ([`v4`]) and AVX-512 ([`v8`]).
//!
//! In the AVX-512 copy the divisions by `C_m`, `tau_syn_ex` and
//! `tau_syn_in` go by their reciprocals ([`crate::simd::Divisor`]), IEEE's
//! quotients in three operations: with eight lanes a division takes as
//! long as with four, and they bounded the step. The AVX2 copy divides.

use super::IafCondExpParams;
use crate::simd::Divisor;

/// The model's divisors: `C_m`, `tau_syn_ex`, `tau_syn_in`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Divisors {
    c_m: Divisor,
    tau_ex: Divisor,
    tau_in: Divisor,
}

impl Divisors {
    /// `p`'s, or `None` where one lies outside [`Divisor`]'s range.
    pub(super) fn new(p: &IafCondExpParams) -> Option<Self> {
        Some(Self {
            c_m: Divisor::new(p.c_m)?,
            tau_ex: Divisor::new(p.tau_syn_ex)?,
            tau_in: Divisor::new(p.tau_syn_in)?,
        })
    }
}

/// The kernels over the vector operations in scope ([`crate::simd`]'s
/// `v4` or `v8`) and the rkf45 kernel `rk` of the same width.
macro_rules! kernels {
    ($(#[$attr:meta])*) => {
        /// The trial over step `h` of `W G` lanes from `y`
        /// (component-major), lane `l` refractory where `refractory[l]` is
        /// all ones and with current `i_stim[l]`: [`rk::whole_step`].
        $(#[$attr])*
        pub(in crate::iaf_cond_exp) fn whole_step<const G: usize>(
            p: &IafCondExpParams,
            divisors: &Divisors,
            control: &Control,
            h: f64,
            refractory: &[f64],
            i_stim: &[f64],
            y: &mut [&mut [f64]; 3],
        ) -> bool {
            // Once here, so that the loads' own checks fold away.
            assert!(refractory.len() >= W * G && i_stim.len() >= W * G);
            let pd = splat;
            let mut refr = [none(); G];
            let mut stim = [pd(0.0); G];
            for g in 0..G {
                refr[g] = load_mask(refractory, g);
                stim[g] = load(i_stim, g);
            }
            let (v_th, v_reset, e_ex, e_in, e_l) =
                (pd(p.v_th), pd(p.v_reset), pd(p.e_ex), pd(p.e_in), pd(p.e_l));
            let (g_l, i_e) = (pd(p.g_l), pd(p.i_e));
            let (c_m, tau_ex, tau_in) = (
                divisor(divisors.c_m),
                divisor(divisors.tau_ex),
                divisor(divisors.tau_in),
            );
            let eval = |y: &rk::Stage<3, G>| {
                let mut d = [[pd(0.0); G]; 3];
                let mut flag = none();
                for g in 0..G {
                    // `V_th < V_m ? V_th : V_m`, then `V_reset` while
                    // refractory.
                    let v = select(refr[g], min(v_th, y[0][g]), v_reset);
                    let i_syn_exc = mul(y[1][g], sub(v, e_ex));
                    let i_syn_inh = mul(y[2][g], sub(v, e_in));
                    let i_l = mul(g_l, sub(v, e_l));
                    let sum = add(neg(i_l), stim[g]);
                    let sum = sub(add(sum, i_e), i_syn_exc);
                    let dv = div_by(sub(sum, i_syn_inh), c_m, &mut flag);
                    d[0][g] = select(refr[g], dv, pd(0.0));
                    d[1][g] = neg_div_by(y[1][g], tau_ex, &mut flag);
                    d[2][g] = neg_div_by(y[2][g], tau_in, &mut flag);
                }
                (d, bits(flag) == 0)
            };
            rk::whole_step(control, h, y, eval)
        }

        /// NEST's update after the integration (`super::population`'s
        /// `after`) on `W G` lanes in registers: this step's spikes `ex`,
        /// `inh` join the conductances, then a refractory lane
        /// (`refractory[l]` all ones) is held at `V_reset`, or one at or
        /// above `V_th` fires and is reset. Returns the lanes that fired
        /// (bit `l` for lane `l`); the caller counts the refractory steps.
        $(#[$attr])*
        pub(in crate::iaf_cond_exp) fn after<const G: usize>(
            p: &IafCondExpParams,
            refractory: &[f64],
            ex: &[f64],
            inh: &[f64],
            y: &mut [&mut [f64]; 3],
        ) -> u32 {
            let n = W * G;
            assert!(refractory.len() >= n && ex.len() >= n && inh.len() >= n);
            assert!(y.iter().all(|c| c.len() >= n));
            let (v_th, v_reset) = (splat(p.v_th), splat(p.v_reset));
            let mut fired = 0;
            for g in 0..G {
                let refr = load_mask(refractory, g);
                // NEST's buffer holds -w for an inhibitory weight w.
                let g_ex = add(load(y[1], g), load(ex, g));
                let g_in = add(load(y[2], g), neg(load(inh, g)));
                let v = load(y[0], g);
                let fire = and_not(refr, ge(v, v_th));
                let v = select(or(refr, fire), v, v_reset);
                for (c, x) in y.iter_mut().zip([v, g_ex, g_in]) {
                    store(c, g, x);
                }
                fired |= bits(fire) << (W * g);
            }
            fired
        }
    };
}

/// Four lanes per register (AVX2 and FMA).
#[cfg(target_arch = "x86_64")]
pub(super) mod v4 {
    use super::Divisors;
    use crate::iaf_cond_exp::IafCondExpParams;
    use crate::odeint::Control;
    use crate::rkf45_simd::v4 as rk;
    use crate::simd::v4::*;

    kernels!(#[target_feature(enable = "avx2,fma")]);
}

/// Eight lanes per register (AVX-512F).
#[cfg(target_arch = "x86_64")]
pub(super) mod v8 {
    use super::Divisors;
    use crate::iaf_cond_exp::IafCondExpParams;
    use crate::odeint::Control;
    use crate::rkf45_simd::v8 as rk;
    use crate::simd::v8::*;

    kernels!(#[target_feature(enable = "avx512f,avx2,fma")]);
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::iaf_cond_exp::{IAF_COND_EXP, Lanes, Props};
    use crate::isa::Isa;
    use crate::model::NeuronParams;
    use crate::odeint::integrate_lanes;
    use spindle_core::Resolution;

    /// Where a kernel accepts, its state has the bits of GSL's loop
    /// ([`integrate_lanes`]); where it refuses, the state is untouched.
    /// Random states from rest to past threshold, conductances up to large
    /// jumps and down to where the divisions give the step back, some
    /// lanes refractory, with and without current: both cases occur
    /// (about half each), on each vector unit the CPU has.
    #[test]
    #[allow(clippy::needless_range_loop, unsafe_code)]
    fn accepted_steps_have_gsls_bits() {
        let res = Resolution::new(0.1).unwrap();
        let values = NeuronParams::defaults(&IAF_COND_EXP);
        let props = Props::new(values.values(), res);
        let (p, control, h) = (&props.p, &props.control, props.h);
        let d = Divisors::new(p).expect("in range");
        for isa in [Isa::Avx2, Isa::Avx512] {
            if !isa.available() {
                continue;
            }
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
                    y[2][l] = match next() {
                        u if u < 0.01 => 1e-300 * next(),
                        u if u < 0.02 => 0.0,
                        _ => 50.0 * next(),
                    };
                    refr[l] = next() < 0.1;
                    stim[l] = if round % 2 == 0 { 0.0 } else { 800.0 * next() };
                }
                let mask = refr.map(|r| f64::from_bits(if r { u64::MAX } else { 0 }));
                let mut fast = y;
                let [a, b, c] = &mut fast;
                let mut ys = [&mut a[..], &mut b[..], &mut c[..]];
                // SAFETY: the CPU has the unit (checked above).
                let ok = unsafe {
                    match isa {
                        Isa::Avx2 => v4::whole_step::<2>(p, &d, control, h, &mask, &stim, &mut ys),
                        _ => v8::whole_step::<1>(p, &d, control, h, &mask, &stim, &mut ys),
                    }
                };
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
                    assert_eq!(bits(&fast), bits(&gsl), "{isa:?}, round {round}");
                    assert_eq!(steps, [h; 8], "{isa:?}, round {round}");
                } else {
                    refused += 1;
                    let bits = |y: &[[f64; 8]; 3]| y.map(|c| c.map(f64::to_bits));
                    assert_eq!(bits(&fast), bits(&y), "{isa:?}, round {round}: untouched");
                }
            }
            assert!(
                accepted > 1000 && refused > 1000,
                "{isa:?}: {accepted} accepted, {refused} refused"
            );
        }
    }
}
