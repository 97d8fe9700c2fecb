//! The common step of an adaptive model's lanes in vector registers: one
//! rkf45 trial over the whole simulation step that the control accepts on
//! every lane (each neuron carried at least the step's size, and nothing
//! changed fast): in the COBA benchmark, most steps. `iaf_cond_exp` uses
//! it (`crate::iaf_cond_exp::simd`); for `hh_cond_exp_traub` it took 74 %
//! of the steps but saved little, the time going to the steps around
//! spikes, and was left out.
//!
//! Written with the vector operations themselves ([`crate::simd`]): the
//! compiler's vectorisation of the generic lanes
//! ([`crate::odeint::integrate_lanes`]) split four-lane operations into
//! two-lane and scalar ones and waited on each stage's chain. Here `G`
//! registers of lanes go through each stage together, so their chains
//! overlap. The kernel is written once (`rkf45_kernel!`) and expanded for
//! AVX2 ([`v4`]) and AVX-512 ([`v8`]). A model gives its derivative as a
//! closure over registers, defined inside its own `#[target_feature]`
//! function (so that the closure is compiled for that unit too).
//!
//! [`v8::trial_lanes`] (and its AVX2 copy) is the general trial step of the
//! pooled lanes ([`crate::odeint::integrate_pooled`]), each lane with its
//! own step size, where the derivative allows it
//! ([`crate::odeint::LaneDerivative::isa`]).
//!
//! Each lane's operations are GSL's rkf45's ([`crate::odeint`]) and the
//! model's, in their order, with no fused multiply-add: the scalar step's
//! bits. Where a lane's trial is refused, nothing is kept and the caller
//! takes GSL's loop.

/// The kernel over the vector operations in scope (`V`, `add`, `mul`,
/// ...: one of [`crate::simd`]'s modules), its functions carrying the
/// attributes given (the unit's `#[target_feature]`).
macro_rules! rkf45_kernel {
    ($(#[$attr:meta])*) => {
        /// A state or derivative of `W G` lanes: component, register.
        pub(crate) type Stage<const N: usize, const G: usize> = [[V; G]; N];

        /// The trial over step `h` of `W G` lanes from `y` (component-major:
        /// lane `l` of component `i` at `y[i][l]`), with derivative `eval`.
        /// `eval` returns the derivative and whether it holds on every lane
        /// (false: the caller must take its own path, e.g. a dividend
        /// outside [`crate::simd::Divisor`]'s range). Writes the end state
        /// to `y` and returns true where the control accepts every lane's
        /// trial and every evaluation held; leaves `y` as it was and returns
        /// false where not. `control` must not read the derivative at the
        /// end of the step (the `y` controls of NEST's models do not).
        $(#[$attr])*
        #[inline]
        pub(crate) fn whole_step<const N: usize, const G: usize>(
            control: &Control,
            h: f64,
            y: &mut [&mut [f64]; N],
            eval: impl Fn(&Stage<N, G>) -> (Stage<N, G>, bool),
        ) -> bool {
            assert!(!control.reads_dydt());
            // Once here, so that the loads' and stores' own checks fold away.
            assert!(y.iter().all(|c| c.len() >= W * G));
            let pd = splat;
            let mut y0: Stage<N, G> = [[pd(0.0); G]; N];
            for i in 0..N {
                for g in 0..G {
                    y0[i][g] = load(y[i], g);
                }
            }
            let hv = pd(h);
            // `y0 + h * sum(i, g)`: the next stage's state.
            let stage = |sum: &dyn Fn(usize, usize) -> V| {
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
            // The control's ratio of error to tolerance (`Control::rmax`;
            // the derivative's term `a_dydt * |h * 0|`): refused where above
            // 1.1 in any component (a NaN ratio refuses nothing, as in
            // `rmax`).
            let (eps_abs, eps_rel, a_y, a_dydt) = control.terms();
            let dydt_term = pd(a_dydt * (h * 0.0).abs());
            let (mut err, mut tol) = ([[pd(0.0); G]; N], [[pd(0.0); G]; N]);
            let mut near = none();
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
                    (err[i][g], tol[i][g]) = (abs(yerr), abs(d0));
                    near = or(near, ge(err[i][g], tol[i][g]));
                }
            }
            // A ratio below 1 rounds to at most 1: no division unless some
            // lane's error reaches its tolerance (rare).
            if bits(near) != 0 {
                let mut refused = none();
                for i in 0..N {
                    for g in 0..G {
                        refused = or(refused, gt(div(err[i][g], tol[i][g]), pd(1.1)));
                    }
                }
                if bits(refused) != 0 {
                    return false;
                }
            }
            for i in 0..N {
                for g in 0..G {
                    store(y[i], g, end[i][g]);
                }
            }
            true
        }

        /// [`crate::odeint`]'s trial step of `M` lanes (a multiple of `W`),
        /// each with its own size `h[l]`, from `y0` with start derivative
        /// `k1`: the end state and the error estimate, each lane with the
        /// scalar step's operations. The stages go through memory (`f`
        /// reads and writes arrays); the compiler's own vectorisation of
        /// the generic loops here used gathers and scatters.
        // Lane loops index several arrays at the same lane.
        #[allow(clippy::needless_range_loop)]
        $(#[$attr])*
        #[inline]
        pub(crate) fn trial_lanes<const N: usize, const M: usize, F>(
            f: &F,
            h: &[f64; M],
            y0: &[[f64; M]; N],
            k1: &[[f64; M]; N],
        ) -> ([[f64; M]; N], [[f64; M]; N])
        where
            F: LaneDerivative<N, M>,
        {
            assert!(M.is_multiple_of(W));
            let pd = splat;
            // `y0 + h * sum(i, g)`, the sum over the stages so far.
            let stage = |sum: &dyn Fn(usize, usize) -> V| {
                let mut s = [[0.0; M]; N];
                for g in 0..M / W {
                    let hv = load(h, g);
                    for i in 0..N {
                        store(&mut s[i], g, add(load(&y0[i], g), mul(hv, sum(i, g))));
                    }
                }
                s
            };
            let k = |k: &[[f64; M]; N], i: usize, g: usize| load(&k[i], g);
            let mut t2 = [[0.0; M]; N];
            for g in 0..M / W {
                let ah0h = mul(pd(AH[0]), load(h, g));
                for i in 0..N {
                    store(&mut t2[i], g, add(load(&y0[i], g), mul(ah0h, k(k1, i, g))));
                }
            }
            let k2 = f.eval(&t2);
            let k3 = f.eval(&stage(&|i, g| {
                add(mul(pd(B3[0]), k(k1, i, g)), mul(pd(B3[1]), k(&k2, i, g)))
            }));
            let k4 = f.eval(&stage(&|i, g| {
                let s = add(mul(pd(B4[0]), k(k1, i, g)), mul(pd(B4[1]), k(&k2, i, g)));
                add(s, mul(pd(B4[2]), k(&k3, i, g)))
            }));
            let k5 = f.eval(&stage(&|i, g| {
                let s = add(mul(pd(B5[0]), k(k1, i, g)), mul(pd(B5[1]), k(&k2, i, g)));
                let s = add(s, mul(pd(B5[2]), k(&k3, i, g)));
                add(s, mul(pd(B5[3]), k(&k4, i, g)))
            }));
            let k6 = f.eval(&stage(&|i, g| {
                let s = add(mul(pd(B6[0]), k(k1, i, g)), mul(pd(B6[1]), k(&k2, i, g)));
                let s = add(s, mul(pd(B6[2]), k(&k3, i, g)));
                let s = add(s, mul(pd(B6[3]), k(&k4, i, g)));
                add(s, mul(pd(B6[4]), k(&k5, i, g)))
            }));
            let mut yerr = [[0.0; M]; N];
            let y = stage(&|i, g| {
                let s = add(mul(pd(C1), k(k1, i, g)), mul(pd(C3), k(&k3, i, g)));
                let s = add(s, mul(pd(C4), k(&k4, i, g)));
                let s = add(s, mul(pd(C5), k(&k5, i, g)));
                add(s, mul(pd(C6), k(&k6, i, g)))
            });
            for g in 0..M / W {
                let hv = load(h, g);
                for i in 0..N {
                    let s = add(mul(pd(EC[1]), k(k1, i, g)), mul(pd(EC[3]), k(&k3, i, g)));
                    let s = add(s, mul(pd(EC[4]), k(&k4, i, g)));
                    let s = add(s, mul(pd(EC[5]), k(&k5, i, g)));
                    store(&mut yerr[i], g, mul(hv, add(s, mul(pd(EC[6]), k(&k6, i, g)))));
                }
            }
            (y, yerr)
        }
    };
}

/// Four lanes per register (AVX2 and FMA).
pub(crate) mod v4 {
    use crate::odeint::{AH, B3, B4, B5, B6, C1, C3, C4, C5, C6, Control, EC, LaneDerivative};
    use crate::simd::v4::*;

    rkf45_kernel!(#[target_feature(enable = "avx2,fma")]);
}

/// Eight lanes per register (AVX-512F).
pub(crate) mod v8 {
    use crate::odeint::{AH, B3, B4, B5, B6, C1, C3, C4, C5, C6, Control, EC, LaneDerivative};
    use crate::simd::v8::*;

    rkf45_kernel!(#[target_feature(enable = "avx512f,avx2,fma")]);
}
