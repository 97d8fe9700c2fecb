//! The derivative of eight neurons in AVX-512 registers: [`super::dynamics`]
//! with [`super::rate_args`]' exponentials, lane by lane the same
//! operations in the same order, so the same bits.
//!
//! The generic lanes divide eleven times per neuron and derivative, and
//! the integration of HH-COBA waited on the divider. Here the divisions by
//! values known in advance (the rate functions' constants, `C_m` and the
//! synaptic time constants) take [`Divisor`]'s three operations, which
//! give IEEE's quotient; the four by the exponentials stay divisions. The
//! exponentials are [`crate::libm_exp::exp8`]'s, eight per instruction.
//! Where a dividend lies outside [`Divisor`]'s range or an exponent outside
//! `exp`'s fast range (rare), the derivative is given back and the lanes
//! take the generic path for it.

use super::HhCondExpTraubParams;
use crate::simd::Divisor;

/// The derivative's divisors known in advance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Divisors {
    c_m: Divisor,
    tau_syn_ex: Divisor,
    tau_syn_in: Divisor,
    /// The rate functions' 5, 40, 4 and 18.
    five: Divisor,
    forty: Divisor,
    four: Divisor,
    eighteen: Divisor,
}

impl Divisors {
    /// Those of parameters `p`; `None` where one lies outside
    /// [`Divisor`]'s range.
    pub(super) fn new(p: &HhCondExpTraubParams) -> Option<Self> {
        Some(Self {
            c_m: Divisor::new(p.c_m)?,
            tau_syn_ex: Divisor::new(p.tau_syn_ex)?,
            tau_syn_in: Divisor::new(p.tau_syn_in)?,
            five: Divisor::new(5.0)?,
            forty: Divisor::new(40.0)?,
            four: Divisor::new(4.0)?,
            eighteen: Divisor::new(18.0)?,
        })
    }
}

/// Eight lanes per register (AVX-512F). The features are the lane
/// driver's AVX-512 copy's, so that the derivative is inlined there.
#[cfg(target_arch = "x86_64")]
pub(super) mod v8 {
    use super::{Divisors, HhCondExpTraubParams};
    use crate::libm_exp::exp8;
    use crate::simd::v8::*;

    /// The derivative of `M` lanes (a multiple of eight) at `y`
    /// (component-major, as [`crate::odeint::LaneDerivative`]) with current
    /// input `i_stim`; `None` where some lane needs the generic path.
    // Lane loops index several arrays at the same lane.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    #[inline]
    pub(in crate::hh_cond_exp_traub) fn derivative<const M: usize>(
        p: &HhCondExpTraubParams,
        d: &Divisors,
        i_stim: &[f64; M],
        y: &[[f64; M]; 6],
    ) -> Option<[[f64; M]; 6]> {
        assert!(M.is_multiple_of(W));
        let pd = splat;
        let (five, forty, four, eighteen) = (
            divisor(d.five),
            divisor(d.forty),
            divisor(d.four),
            divisor(d.eighteen),
        );
        let (c_m, tau_ex, tau_in) = (divisor(d.c_m), divisor(d.tau_syn_ex), divisor(d.tau_syn_in));
        let mut dy = [[0.0; M]; 6];
        let mut flag = none();
        for g in 0..M / W {
            let [v_m, m, h, n, g_ex, g_in] = std::array::from_fn(|i| load(&y[i], g));
            // `rate_args` at `v`, then their exponentials.
            let v = sub(v_m, pd(p.v_t));
            let (a15, a13) = (sub(pd(15.0), v), sub(pd(13.0), v));
            let v40 = sub(v, pd(40.0));
            let args = [
                div_by(a15, five, &mut flag),
                div_by(sub(pd(10.0), v), forty, &mut flag),
                div_by(a13, four, &mut flag),
                div_by(v40, five, &mut flag),
                div_by(sub(pd(17.0), v), eighteen, &mut flag),
                div_by(sub(pd(40.0), v), five, &mut flag),
            ];
            let mut e = [pd(0.0); 6];
            for k in 0..6 {
                let outside;
                (e[k], outside) = exp8(args[k]);
                flag = or(flag, outside);
            }
            // `dynamics`: the currents, then `rates_of` at `v`.
            let i_na = mul(
                mul(mul(mul(mul(pd(p.g_na), m), m), m), h),
                sub(v_m, pd(p.e_na)),
            );
            let i_k = mul(
                mul(mul(mul(mul(pd(p.g_k), n), n), n), n),
                sub(v_m, pd(p.e_k)),
            );
            let i_l = mul(pd(p.g_l), sub(v_m, pd(p.e_l)));
            let i_syn_exc = mul(g_ex, sub(v_m, pd(p.e_ex)));
            let i_syn_inh = mul(g_in, sub(v_m, pd(p.e_in)));
            let s = sub(sub(neg(i_na), i_k), i_l);
            let s = sub(sub(s, i_syn_exc), i_syn_inh);
            let s = add(add(s, load(i_stim, g)), pd(p.i_e));
            let dv = div_by(s, c_m, &mut flag);
            let one = pd(1.0);
            let alpha_n = div(mul(pd(0.032), a15), sub(e[0], one));
            let beta_n = mul(pd(0.5), e[1]);
            let alpha_m = div(mul(pd(0.32), a13), sub(e[2], one));
            let beta_m = div(mul(pd(0.28), v40), sub(e[3], one));
            let alpha_h = mul(pd(0.128), e[4]);
            let beta_h = div(pd(4.0), add(one, e[5]));
            let out = [
                dv,
                sub(alpha_m, mul(add(alpha_m, beta_m), m)),
                sub(alpha_h, mul(add(alpha_h, beta_h), h)),
                sub(alpha_n, mul(add(alpha_n, beta_n), n)),
                neg_div_by(g_ex, tau_ex, &mut flag),
                neg_div_by(g_in, tau_in, &mut flag),
            ];
            for (i, v) in out.into_iter().enumerate() {
                store(&mut dy[i], g, v);
            }
        }
        (bits(flag) == 0).then_some(dy)
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::hh_cond_exp_traub::{dynamics, rate_args};
    use crate::isa::Isa;
    use crate::libm_exp::{ExpPath, uniforms};

    /// Where the derivative is taken, every lane has the bits of the
    /// scalar dynamics with the library's `exp`, over states across the
    /// range the integration visits (spikes included) and beyond it.
    // Lane loops index several arrays at the same lane.
    #[allow(clippy::needless_range_loop)]
    #[test]
    fn eight_lanes_give_the_scalar_bits() {
        if !Isa::Avx512.available() || ExpPath::detect() != ExpPath::Avx512 {
            return;
        }
        let mut next = uniforms(7);
        let defaults = super::super::HhCondExpTraubParams::from_values(
            &super::super::PARAMS
                .iter()
                .map(|p| p.default)
                .collect::<Vec<_>>(),
        );
        let mut p = defaults;
        let (mut taken, mut given_back) = (0, 0);
        for round in 0..20_000 {
            if round % 1000 == 0 {
                // Other parameters now and then (divisors in range).
                p.c_m = 50.0 + 400.0 * next();
                p.tau_syn_ex = 0.5 + 20.0 * next();
                p.tau_syn_in = 0.5 + 20.0 * next();
                p.i_e = 500.0 * (next() - 0.5);
            }
            let d = Divisors::new(&p).expect("in range");
            let mut y = [[0.0; 16]; 6];
            let mut i_stim = [0.0; 16];
            for l in 0..16 {
                y[0][l] = -100.0 + 160.0 * next();
                for c in 1..4 {
                    y[c][l] = next();
                }
                y[4][l] = 100.0 * next();
                y[5][l] = 100.0 * next();
                i_stim[l] = 100.0 * (next() - 0.5);
            }
            if round % 7 == 0 {
                // Zero dividends and a conductance that decayed away.
                y[4][3] = 0.0;
                y[5][9] = 1e-300;
                y[0][5] = p.v_t + 15.0;
            }
            // SAFETY: the CPU has AVX-512F, AVX2 and FMA (checked above).
            #[allow(unsafe_code)]
            let got = unsafe { v8::derivative(&p, &d, &i_stim, &y) };
            let Some(got) = got else {
                given_back += 1;
                continue;
            };
            taken += 1;
            for l in 0..16 {
                let yl = std::array::from_fn(|i| y[i][l]);
                let e = rate_args(yl[0] - p.v_t).map(f64::exp);
                let want = dynamics(&p, i_stim[l], &yl, e);
                for i in 0..6 {
                    assert_eq!(
                        got[i][l].to_bits(),
                        want[i].to_bits(),
                        "component {i}, lane {l}"
                    );
                }
            }
        }
        assert!(
            taken > 15_000 && given_back > 0,
            "{taken} taken, {given_back} given back"
        );
    }
}
