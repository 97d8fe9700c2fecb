//! The adaptive ODE stepper NEST's conductance-based and Hodgkin-Huxley
//! models integrate with: GSL's embedded Runge-Kutta-Fehlberg (4, 5)
//! method (`gsl_odeiv_step_rkf45`), its standard step-size control on the
//! state or its derivative (`gsl_odeiv_control_y_new`,
//! `gsl_odeiv_control_yp_new`) and its evolution driver
//! (`gsl_odeiv_evolve_apply`), with the step size carried from one call to
//! the next as NEST carries it in `B_.IntegrationStep_`.
//!
//! Written in the project rather than taken from a crate: a model's trace
//! matches NEST's only where every stage, every error estimate and every
//! step-size decision is GSL's, operation for operation (a step accepted
//! one ulp differently moves every later step). No Rust ODE crate follows
//! GSL's tableau evaluation order, its `hadjust` rule (the 1.1 and 0.5
//! thresholds, the 0.2 and 5 bounds) and `evolve_apply`'s clamping and
//! retry logic; this module reproduces GSL 2.x's `ode-initval/rkf45.c`,
//! `cstd.c` and `evolve.c` (unchanged since GSL 1.x) in their order.
//!
//! The system is autonomous (`f(y)`): none of NEST's models reads the time
//! argument. GSL evaluates `f` at the end of each trial step for
//! `dydt_out`; this module does so only where the control reads it (with
//! `a_dydt = 0` it adds `0 * |h y'|`, which is `+0.0` for any finite
//! derivative and so changes no bit).

use thiserror::Error;

use crate::isa::Isa;

/// Why an integration step failed.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum OdeError {
    /// A negative tolerance (GSL's `std_control_init` refusals).
    #[error("eps_abs and eps_rel must not be negative")]
    NegativeTolerance,
    /// The step size and the interval point in opposite directions
    /// (GSL's `GSL_EINVAL` from `gsl_odeiv_evolve_apply`).
    #[error("step direction must match interval direction")]
    Direction,
    /// The step size no longer moves the time (GSL would loop for ever
    /// in NEST's `while ( t < step )`; NEST's models report a failure).
    #[error("integration step too small to advance the time")]
    StepTooSmall,
}

// Runge-Kutta-Fehlberg coefficients, as GSL's `rkf45.c` spells them
// (each a quotient the compiler rounds once, as C's constant folding does).
pub(crate) const AH: [f64; 5] = [1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0];
pub(crate) const B3: [f64; 2] = [3.0 / 32.0, 9.0 / 32.0];
pub(crate) const B4: [f64; 3] = [1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0];
pub(crate) const B5: [f64; 4] = [
    8341.0 / 4104.0,
    -32832.0 / 4104.0,
    29440.0 / 4104.0,
    -845.0 / 4104.0,
];
pub(crate) const B6: [f64; 5] = [
    -6080.0 / 20520.0,
    41040.0 / 20520.0,
    -28352.0 / 20520.0,
    9295.0 / 20520.0,
    -5643.0 / 20520.0,
];
pub(crate) const C1: f64 = 902880.0 / 7618050.0;
pub(crate) const C3: f64 = 3953664.0 / 7618050.0;
pub(crate) const C4: f64 = 3855735.0 / 7618050.0;
pub(crate) const C5: f64 = -1371249.0 / 7618050.0;
pub(crate) const C6: f64 = 277020.0 / 7618050.0;
/// Differences of the fifth- and fourth-order weights (GSL's `ec`).
pub(crate) const EC: [f64; 7] = [
    0.0,
    1.0 / 360.0,
    0.0,
    -128.0 / 4275.0,
    -2197.0 / 75240.0,
    1.0 / 50.0,
    2.0 / 55.0,
];

/// The order GSL's rkf45 reports to the control (`rkf45_order`).
const ORDER: f64 = 5.0;

/// One rkf45 step of size `h` from `y` (advanced in place), with the
/// derivative at the start `k1` given (GSL's `dydt_in`); the local error
/// estimate goes to `yerr`. GSL's `rkf45_apply`, its sums in its order.
#[inline(always)]
pub fn rkf45_step<const N: usize, F>(
    f: &F,
    h: f64,
    y: &mut [f64; N],
    k1: &[f64; N],
    yerr: &mut [f64; N],
) where
    F: Fn(&[f64; N]) -> [f64; N],
{
    let y0 = *y;
    let mut ytmp = [0.0; N];
    for i in 0..N {
        ytmp[i] = y0[i] + AH[0] * h * k1[i];
    }
    let k2 = f(&ytmp);
    for i in 0..N {
        ytmp[i] = y0[i] + h * (B3[0] * k1[i] + B3[1] * k2[i]);
    }
    let k3 = f(&ytmp);
    for i in 0..N {
        ytmp[i] = y0[i] + h * (B4[0] * k1[i] + B4[1] * k2[i] + B4[2] * k3[i]);
    }
    let k4 = f(&ytmp);
    for i in 0..N {
        ytmp[i] = y0[i] + h * (B5[0] * k1[i] + B5[1] * k2[i] + B5[2] * k3[i] + B5[3] * k4[i]);
    }
    let k5 = f(&ytmp);
    for i in 0..N {
        ytmp[i] = y0[i]
            + h * (B6[0] * k1[i] + B6[1] * k2[i] + B6[2] * k3[i] + B6[3] * k4[i] + B6[4] * k5[i]);
    }
    let k6 = f(&ytmp);
    for i in 0..N {
        let d_i = C1 * k1[i] + C3 * k3[i] + C4 * k4[i] + C5 * k5[i] + C6 * k6[i];
        y[i] += h * d_i;
    }
    for i in 0..N {
        yerr[i] =
            h * (EC[1] * k1[i] + EC[3] * k3[i] + EC[4] * k4[i] + EC[5] * k5[i] + EC[6] * k6[i]);
    }
}

/// The derivative of `M` lanes' states at once (component-major,
/// `y[i][l]`), each lane's operations those of the model's scalar
/// dynamics. A trait rather than a closure: its method is inlined into the
/// caller's vector-unit copy (a closure the compiler kept out of line was
/// compiled for the baseline target, one lane at a time).
pub trait LaneDerivative<const N: usize, const M: usize> {
    /// `dy/dt` of every lane at `y`.
    fn eval(&self, y: &[[f64; M]; N]) -> [[f64; M]; N];

    /// The run's vector unit ([`Isa::detect`]) where the trial steps may
    /// take its explicit code ([`crate::rkf45_simd`]; where the CPU lacks
    /// it, they do not), [`Isa::Portable`] for the generic loops.
    #[inline(always)]
    fn isa(&self) -> Isa {
        Isa::Portable
    }
}

/// [`rkf45_step`] of `M` lanes at once, each with its own size `h[l]`:
/// from `y0` (component-major, `y0[i][l]`) with start derivative `k1` to
/// the end state returned with the error estimate. Each lane's operations
/// are the scalar step's, in its order (no fused multiply-add: Rust never
/// contracts), so every lane gets the scalar step's bits; the loops over
/// lanes are what the compiler turns into vector instructions.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn rkf45_lanes<const N: usize, const M: usize, F>(
    f: &F,
    h: &[f64; M],
    y0: &[[f64; M]; N],
    k1: &[[f64; M]; N],
) -> ([[f64; M]; N], [[f64; M]; N])
where
    F: LaneDerivative<N, M>,
{
    let mut ytmp = [[0.0; M]; N];
    for i in 0..N {
        for l in 0..M {
            ytmp[i][l] = y0[i][l] + AH[0] * h[l] * k1[i][l];
        }
    }
    let k2 = f.eval(&ytmp);
    for i in 0..N {
        for l in 0..M {
            ytmp[i][l] = y0[i][l] + h[l] * (B3[0] * k1[i][l] + B3[1] * k2[i][l]);
        }
    }
    let k3 = f.eval(&ytmp);
    for i in 0..N {
        for l in 0..M {
            ytmp[i][l] = y0[i][l] + h[l] * (B4[0] * k1[i][l] + B4[1] * k2[i][l] + B4[2] * k3[i][l]);
        }
    }
    let k4 = f.eval(&ytmp);
    for i in 0..N {
        for l in 0..M {
            ytmp[i][l] = y0[i][l]
                + h[l]
                    * (B5[0] * k1[i][l] + B5[1] * k2[i][l] + B5[2] * k3[i][l] + B5[3] * k4[i][l]);
        }
    }
    let k5 = f.eval(&ytmp);
    for i in 0..N {
        for l in 0..M {
            ytmp[i][l] = y0[i][l]
                + h[l]
                    * (B6[0] * k1[i][l]
                        + B6[1] * k2[i][l]
                        + B6[2] * k3[i][l]
                        + B6[3] * k4[i][l]
                        + B6[4] * k5[i][l]);
        }
    }
    let k6 = f.eval(&ytmp);
    let mut y = *y0;
    let mut yerr = [[0.0; M]; N];
    for i in 0..N {
        for l in 0..M {
            let d_i = C1 * k1[i][l] + C3 * k3[i][l] + C4 * k4[i][l] + C5 * k5[i][l] + C6 * k6[i][l];
            y[i][l] += h[l] * d_i;
            yerr[i][l] = h[l]
                * (EC[1] * k1[i][l]
                    + EC[3] * k3[i][l]
                    + EC[4] * k4[i][l]
                    + EC[5] * k5[i][l]
                    + EC[6] * k6[i][l]);
        }
    }
    (y, yerr)
}

/// What the control made of a step (GSL's `GSL_ODEIV_HADJ_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjust {
    /// The error was too large: the step size was decreased.
    Decrease,
    /// The error was small: the step size was increased.
    Increase,
    /// The step size stays.
    Nil,
}

/// GSL's standard step-size control (`gsl_odeiv_control_standard_new`):
/// the error of component `i` is measured against
/// `eps_rel * (a_y |y_i| + a_dydt |h y'_i|) + eps_abs`. NEST's models use
/// it on the state ([`Control::y`], `gsl_odeiv_control_y_new`) or, the
/// `aeif` models, on the derivative ([`Control::yp`],
/// `gsl_odeiv_control_yp_new`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Control {
    eps_abs: f64,
    eps_rel: f64,
    a_y: f64,
    a_dydt: f64,
}

impl Control {
    /// The control with tolerances `eps_abs`, `eps_rel` and weights `a_y`
    /// on the state, `a_dydt` on the derivative (GSL refuses negative
    /// ones).
    pub fn new(eps_abs: f64, eps_rel: f64, a_y: f64, a_dydt: f64) -> Result<Self, OdeError> {
        if eps_abs < 0.0 || eps_rel < 0.0 || a_y < 0.0 || a_dydt < 0.0 {
            return Err(OdeError::NegativeTolerance);
        }
        Ok(Self {
            eps_abs,
            eps_rel,
            a_y,
            a_dydt,
        })
    }

    /// `gsl_odeiv_control_y_new(eps_abs, eps_rel)`: `a_y = 1`, `a_dydt = 0`.
    pub fn y(eps_abs: f64, eps_rel: f64) -> Result<Self, OdeError> {
        Self::new(eps_abs, eps_rel, 1.0, 0.0)
    }

    /// `gsl_odeiv_control_yp_new(eps_abs, eps_rel)`: `a_y = 0`, `a_dydt = 1`.
    pub fn yp(eps_abs: f64, eps_rel: f64) -> Result<Self, OdeError> {
        Self::new(eps_abs, eps_rel, 0.0, 1.0)
    }

    /// `(eps_abs, eps_rel, a_y, a_dydt)`, for vector copies of [`Self::rmax`].
    pub(crate) fn terms(&self) -> (f64, f64, f64, f64) {
        (self.eps_abs, self.eps_rel, self.a_y, self.a_dydt)
    }

    /// Whether the control reads the derivative at the end of a step (GSL
    /// always evaluates it; where its weight is 0 it adds `0 * |h y'|`,
    /// +0.0 for any finite derivative, so the evaluation is skipped).
    pub(crate) fn reads_dydt(&self) -> bool {
        self.a_dydt != 0.0
    }

    /// GSL's `std_control_hadjust` for a method of order 5, with `yp` the
    /// derivative at the end of the step: the largest ratio of error to
    /// tolerance decides. Above 1.1 the step shrinks by `0.9 r^(-1/5)`, at
    /// most fivefold; below 0.5 it grows by `0.9 r^(-1/6)`, between 1 and
    /// 5 times.
    #[inline(always)]
    pub fn hadjust<const N: usize>(
        &self,
        y: &[f64; N],
        yerr: &[f64; N],
        yp: &[f64; N],
        h: &mut f64,
    ) -> Adjust {
        let rmax = self.rmax(y, yerr, yp, *h);
        let (adjust, h_new) = Self::adjust(rmax, *h);
        *h = h_new;
        adjust
    }

    /// The first half of `std_control_hadjust`: the largest ratio of error
    /// to tolerance over the components, for a step of size `h_old`.
    #[inline(always)]
    fn rmax<const N: usize>(
        &self,
        y: &[f64; N],
        yerr: &[f64; N],
        yp: &[f64; N],
        h_old: f64,
    ) -> f64 {
        let mut rmax = f64::MIN_POSITIVE;
        for i in 0..N {
            let d0 = self.eps_rel * (self.a_y * y[i].abs() + self.a_dydt * (h_old * yp[i]).abs())
                + self.eps_abs;
            let r = yerr[i].abs() / d0.abs();
            // GSL_MAX_DBL(r, rmax): `r > rmax ? r : rmax` (a NaN loses).
            rmax = if r > rmax { r } else { rmax };
        }
        rmax
    }

    /// [`Self::rmax`] of `M` lanes at once (component-major arrays), each
    /// lane's operations those of the scalar one, in its order.
    #[inline(always)]
    fn rmax_lanes<const N: usize, const M: usize>(
        &self,
        y: &[[f64; M]; N],
        yerr: &[[f64; M]; N],
        yp: &[[f64; M]; N],
        h_old: &[f64; M],
    ) -> [f64; M] {
        let mut rmax = [f64::MIN_POSITIVE; M];
        for i in 0..N {
            for l in 0..M {
                let d0 = self.eps_rel
                    * (self.a_y * y[i][l].abs() + self.a_dydt * (h_old[l] * yp[i][l]).abs())
                    + self.eps_abs;
                let r = yerr[i][l].abs() / d0.abs();
                rmax[l] = if r > rmax[l] { r } else { rmax[l] };
            }
        }
        rmax
    }

    /// The second half of `std_control_hadjust`: what the control makes of
    /// the largest ratio `rmax`, and the step size it suggests after a
    /// step of size `h_old`.
    #[inline(always)]
    fn adjust(rmax: f64, h_old: f64) -> (Adjust, f64) {
        const S: f64 = 0.9;
        if rmax > 1.1 {
            let mut r = S / rmax.powf(1.0 / ORDER);
            if r < 0.2 {
                r = 0.2;
            }
            (Adjust::Decrease, r * h_old)
        } else if rmax < 0.5 {
            // GSL bounds it by 5, then by 1 from below (r is never NaN:
            // rmax is a positive number or infinity).
            let r = (S / rmax.powf(1.0 / (ORDER + 1.0))).clamp(1.0, 5.0);
            (Adjust::Increase, r * h_old)
        } else {
            (Adjust::Nil, h_old)
        }
    }
}

/// One step of GSL's `gsl_odeiv_evolve_apply` with the rkf45 stepper and
/// control `control`: from `*t` towards `t1` with the suggested step `*h`,
/// clamped to end at `t1`; a step whose error is too large is undone and
/// tried again with the smaller size the control gives (unless that size
/// would not move the time by an ulp). Afterwards `*t` is the time reached
/// and `*h` the size suggested for the next step (the clamped size where
/// the last step was clamped and the control kept it). Returns the number
/// of trial steps made.
#[inline(always)]
pub fn evolve_apply<const N: usize, F>(
    control: &Control,
    f: &F,
    t: &mut f64,
    t1: f64,
    h: &mut f64,
    y: &mut [f64; N],
) -> Result<u32, OdeError>
where
    F: Fn(&[f64; N]) -> [f64; N],
{
    let t0 = *t;
    let mut h0 = *h;
    let dt = t1 - t0;
    if (dt < 0.0 && h0 > 0.0) || (dt > 0.0 && h0 < 0.0) {
        return Err(OdeError::Direction);
    }
    let y0 = *y;
    // rkf45 can use the derivative at the start: evaluated once, kept for
    // every retry.
    let dydt_in = f(y);
    let mut yerr = [0.0; N];
    let mut trials = 0;
    loop {
        let final_step = (dt >= 0.0 && h0 > dt) || (dt < 0.0 && h0 < dt);
        if final_step {
            h0 = dt;
        }
        rkf45_step(f, h0, y, &dydt_in, &mut yerr);
        trials += 1;
        // GSL's `dydt_out`: the derivative at the end of the step.
        let dydt_out = if control.reads_dydt() { f(y) } else { [0.0; N] };
        *t = if final_step { t1 } else { t0 + h0 };
        let h_old = h0;
        if control.hadjust(y, &yerr, &dydt_out, &mut h0) == Adjust::Decrease {
            let t_curr = *t;
            let t_next = *t + h0;
            if h0.abs() < h_old.abs() && t_next != t_curr {
                // Undo the step and try again with the smaller one.
                *y = y0;
                continue;
            }
            h0 = h_old;
        }
        *h = h0;
        return Ok(trials);
    }
}

/// Scratch memory of [`evolve_apply_slice`] for systems of `n`
/// components: GSL's stepper and evolution buffers (`y0`, the stages,
/// `ytmp`, `yerr`, both derivatives), held by the caller so that a step
/// allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct SliceWork {
    buf: Vec<f64>,
}

impl SliceWork {
    /// Buffers for `n` components.
    pub fn new(n: usize) -> Self {
        Self {
            buf: vec![0.0; 11 * n],
        }
    }
}

/// [`evolve_apply`] for a system whose size is known only at run time
/// (NEST's multisynapse models: two state variables per receptor port):
/// the state a slice, `f(y, dydt)` writing the derivative in place. Every
/// component's operations are [`rkf45_step`]'s and the control's, in
/// their order, so the bits are those of [`evolve_apply`] on an array of
/// the same size.
#[inline(always)]
pub fn evolve_apply_slice<F>(
    control: &Control,
    f: &F,
    t: &mut f64,
    t1: f64,
    h: &mut f64,
    y: &mut [f64],
    work: &mut SliceWork,
) -> Result<u32, OdeError>
where
    F: Fn(&[f64], &mut [f64]),
{
    let n = y.len();
    if work.buf.len() < 11 * n {
        work.buf.resize(11 * n, 0.0);
    }
    let (y0, rest) = work.buf.split_at_mut(n);
    let (k1, rest) = rest.split_at_mut(n);
    let (k2, rest) = rest.split_at_mut(n);
    let (k3, rest) = rest.split_at_mut(n);
    let (k4, rest) = rest.split_at_mut(n);
    let (k5, rest) = rest.split_at_mut(n);
    let (k6, rest) = rest.split_at_mut(n);
    let (ytmp, rest) = rest.split_at_mut(n);
    let (yerr, rest) = rest.split_at_mut(n);
    let dydt_out = &mut rest[..n];
    let t0 = *t;
    let mut h0 = *h;
    let dt = t1 - t0;
    if (dt < 0.0 && h0 > 0.0) || (dt > 0.0 && h0 < 0.0) {
        return Err(OdeError::Direction);
    }
    y0.copy_from_slice(y);
    f(y, k1);
    dydt_out.fill(0.0);
    let mut trials = 0;
    loop {
        let final_step = (dt >= 0.0 && h0 > dt) || (dt < 0.0 && h0 < dt);
        if final_step {
            h0 = dt;
        }
        // GSL's `rkf45_apply`, as `rkf45_step` spells it.
        let hs = h0;
        for i in 0..n {
            ytmp[i] = y0[i] + AH[0] * hs * k1[i];
        }
        f(ytmp, k2);
        for i in 0..n {
            ytmp[i] = y0[i] + hs * (B3[0] * k1[i] + B3[1] * k2[i]);
        }
        f(ytmp, k3);
        for i in 0..n {
            ytmp[i] = y0[i] + hs * (B4[0] * k1[i] + B4[1] * k2[i] + B4[2] * k3[i]);
        }
        f(ytmp, k4);
        for i in 0..n {
            ytmp[i] = y0[i] + hs * (B5[0] * k1[i] + B5[1] * k2[i] + B5[2] * k3[i] + B5[3] * k4[i]);
        }
        f(ytmp, k5);
        for i in 0..n {
            ytmp[i] = y0[i]
                + hs * (B6[0] * k1[i]
                    + B6[1] * k2[i]
                    + B6[2] * k3[i]
                    + B6[3] * k4[i]
                    + B6[4] * k5[i]);
        }
        f(ytmp, k6);
        for i in 0..n {
            let d_i = C1 * k1[i] + C3 * k3[i] + C4 * k4[i] + C5 * k5[i] + C6 * k6[i];
            y[i] += hs * d_i;
        }
        for i in 0..n {
            yerr[i] = hs
                * (EC[1] * k1[i] + EC[3] * k3[i] + EC[4] * k4[i] + EC[5] * k5[i] + EC[6] * k6[i]);
        }
        trials += 1;
        if control.reads_dydt() {
            f(y, dydt_out);
        }
        *t = if final_step { t1 } else { t0 + h0 };
        let h_old = h0;
        let mut rmax = f64::MIN_POSITIVE;
        for i in 0..n {
            let d0 = control.eps_rel
                * (control.a_y * y[i].abs() + control.a_dydt * (h_old * dydt_out[i]).abs())
                + control.eps_abs;
            let r = yerr[i].abs() / d0.abs();
            rmax = if r > rmax { r } else { rmax };
        }
        let (adjust, h_new) = Control::adjust(rmax, h_old);
        h0 = h_new;
        if adjust == Adjust::Decrease {
            let t_curr = *t;
            let t_next = *t + h0;
            if h0.abs() < h_old.abs() && t_next != t_curr {
                y.copy_from_slice(y0);
                continue;
            }
            h0 = h_old;
        }
        *h = h0;
        return Ok(trials);
    }
}

/// NEST's integration over one simulation step of length `step` (the
/// models' `while ( t < B_.step_ ) gsl_odeiv_evolve_apply(...)`), the step
/// size carried in `h` (NEST's `B_.IntegrationStep_`). Fails where a step
/// no longer advances the time (where GSL would spin).
#[inline(always)]
pub fn integrate<const N: usize, F>(
    control: &Control,
    f: &F,
    step: f64,
    h: &mut f64,
    y: &mut [f64; N],
) -> Result<(), OdeError>
where
    F: Fn(&[f64; N]) -> [f64; N],
{
    let mut t = 0.0;
    while t < step {
        let before = t;
        evolve_apply(control, f, &mut t, step, h, y)?;
        if t <= before {
            return Err(OdeError::StepTooSmall);
        }
    }
    Ok(())
}

/// [`integrate`] for `M` neurons at once, the lanes of `y` (component
/// major, `y[i][l]`) and `h`, with `f` the derivative of all lanes:
/// every lane runs GSL's `evolve_apply` loop as [`integrate`] does, the
/// trial steps of all lanes that still integrate computed together
/// ([`rkf45_lanes`]) and each lane's control decisions taken on its own.
/// A lane that is done, or failed, computes along and keeps nothing. Each
/// lane gets [`integrate`]'s state bits for any `M`; its carried step size
/// is [`integrate`]'s, or an equivalent one (see `covered`). Returns the
/// lanes that failed (where [`integrate`] returns an error), a bit each.
// Lane loops index several arrays at the same lane: the form the
// compiler vectorises.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn integrate_lanes<const N: usize, const M: usize, F>(
    control: &Control,
    f: &F,
    step: f64,
    h: &mut [f64; M],
    y: &mut [[f64; M]; N],
) -> u32
where
    F: LaneDerivative<N, M>,
{
    // `integrate`'s `while t < step` at t = 0.
    let nonempty = 0.0 < step;
    if !nonempty {
        return 0;
    }
    // Each lane's `evolve_apply` call in progress. All lanes start at 0
    // (the interval positive): the clamp, and GSL's direction check, lane
    // by lane without branches (the trial step reads them as vectors).
    let dt = step - 0.0;
    let mut calls = Calls::<N, M>::new();
    let mut backwards = false;
    for l in 0..M {
        calls.fin[l] = h[l] > dt;
        calls.h0[l] = if calls.fin[l] { dt } else { h[l] };
        backwards |= h[l] < 0.0;
    }
    let (mut active, mut failed) = ((1u32 << M) - 1, 0u32);
    if backwards {
        for l in 0..M {
            if h[l] < 0.0 {
                failed |= 1 << l;
            }
        }
        active &= !failed;
    }
    calls.y0 = *y;
    calls.k1 = f.eval(&calls.y0);
    let mut first = true;
    while active != 0 {
        let (yt, rmax) = calls.trial(control, f);
        if first && failed == 0 {
            // The common case, on all lanes at once: a step over the whole
            // interval from 0 that the control does not reject ends the
            // interval, the size carried the interval's (see `covered` in
            // `judge`: the control keeps it or grows it).
            let mut done = true;
            for l in 0..M {
                let refused = rmax[l] > 1.1;
                done &= calls.h0[l] == step && !refused;
            }
            if done {
                *y = yt;
                *h = calls.h0;
                return 0;
            }
        }
        first = false;
        let (fresh, ended, failing) = calls.judge(step, active, (&yt, &rmax), y, h);
        failed |= failing;
        active &= !ended;
        calls.restart(f, fresh);
    }
    failed
}

/// Each lane's GSL `evolve_apply` call in progress over the interval
/// `(0, step)`: it started at `t0` from `y0` (derivative `k1`), its trial
/// size is `h0` (`fin`: clamped to end the interval).
struct Calls<const N: usize, const M: usize> {
    t0: [f64; M],
    h0: [f64; M],
    fin: [bool; M],
    y0: [[f64; M]; N],
    k1: [[f64; M]; N],
}

impl<const N: usize, const M: usize> Calls<N, M> {
    #[inline(always)]
    fn new() -> Self {
        Self {
            t0: [0.0; M],
            h0: [0.0; M],
            fin: [false; M],
            y0: [[0.0; M]; N],
            k1: [[0.0; M]; N],
        }
    }

    /// Every lane's trial step: its end state and largest error ratio.
    #[inline(always)]
    fn trial<F: LaneDerivative<N, M>>(
        &self,
        control: &Control,
        f: &F,
    ) -> ([[f64; M]; N], [f64; M]) {
        let (h0, y0, k1) = (&self.h0, &self.y0, &self.k1);
        let (yt, yerr) = match f.isa() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 if M.is_multiple_of(8) && Isa::Avx512.available() => {
                // SAFETY: the CPU has AVX-512F, AVX2 and FMA (`available`).
                #[allow(unsafe_code)]
                unsafe {
                    crate::rkf45_simd::v8::trial_lanes(f, h0, y0, k1)
                }
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 if M.is_multiple_of(4) && Isa::Avx2.available() => {
                // SAFETY: the CPU has AVX2 and FMA (`available`).
                #[allow(unsafe_code)]
                unsafe {
                    crate::rkf45_simd::v4::trial_lanes(f, h0, y0, k1)
                }
            }
            _ => rkf45_lanes(f, h0, y0, k1),
        };
        let yp = if control.reads_dydt() {
            f.eval(&yt)
        } else {
            [[0.0; M]; N]
        };
        let rmax = control.rmax_lanes(&yt, &yerr, &yp, &self.h0);
        (yt, rmax)
    }

    /// The control's verdict ([`judge`]) on the trial `(yt, rmax)` of the
    /// lanes in `active`: an accepted lane's state goes to `y` and its
    /// carried size to `h`. Returns the lanes whose next call starts from
    /// the step made, those whose integration ended, and those of them
    /// that failed (where [`integrate`] returns an error), a bit each.
    // Lane loops index several arrays at the same lane.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn judge(
        &mut self,
        step: f64,
        active: u32,
        (yt, rmax): (&[[f64; M]; N], &[f64; M]),
        y: &mut [[f64; M]; N],
        h: &mut [f64; M],
    ) -> (u32, u32, u32) {
        let (mut fresh, mut ended, mut failed) = (0u32, 0u32, 0u32);
        for l in 0..M {
            if active & (1 << l) == 0 {
                continue;
            }
            let (t0, h0, fin) = (&mut self.t0[l], &mut self.h0[l], &mut self.fin[l]);
            let verdict = judge(rmax[l], step, t0, h0, fin, &mut h[l]);
            if verdict == Verdict::Retry {
                continue;
            }
            for i in 0..N {
                y[i][l] = yt[i][l];
            }
            match verdict {
                Verdict::Continue => {
                    for i in 0..N {
                        self.y0[i][l] = y[i][l];
                    }
                    fresh |= 1 << l;
                }
                Verdict::Failed => {
                    failed |= 1 << l;
                    ended |= 1 << l;
                }
                _ => ended |= 1 << l,
            }
        }
        (fresh, ended, failed)
    }

    /// The derivative at the new start of the lanes in `fresh`.
    // Lane loops index several arrays at the same lane.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn restart<F: LaneDerivative<N, M>>(&mut self, f: &F, fresh: u32) {
        if fresh == 0 {
            return;
        }
        let k = f.eval(&self.y0);
        for l in 0..M {
            if fresh & (1 << l) != 0 {
                for i in 0..N {
                    self.k1[i][l] = k[i][l];
                }
            }
        }
    }
}

/// What the control made of one lane's trial step ([`judge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Refused: tried again from the same start with a smaller size.
    Retry,
    /// Accepted, and the interval is not done: the next `evolve_apply`
    /// call starts from the step made.
    Continue,
    /// Accepted, and the interval is done.
    Done,
    /// Accepted, but the time no longer moves, or GSL's direction check
    /// fails: [`integrate`]'s error.
    Failed,
}

/// One lane's part of GSL's `evolve_apply` after a trial step over
/// `(t0, t0 + h0)` of the interval `(0, step)` (`fin`: clamped to end it)
/// whose largest error ratio is `rmax`: the control's decision, the
/// retry's size, or (accepted) the carried size `h` and the next call's
/// start, clamp and trial size. [`integrate`]'s operations, in its order.
#[inline(always)]
fn judge(rmax: f64, step: f64, t0: &mut f64, h0: &mut f64, fin: &mut bool, h: &mut f64) -> Verdict {
    let t = if *fin { step } else { *t0 + *h0 };
    let h_old = *h0;
    // `covered`: the step just made went from 0 over the whole interval.
    // Growing it needs no `pow`: GSL would carry r * h_old with r in
    // [1, 5], at least the interval, and the next call (the next
    // simulation step, same interval from 0) clamps any size at least the
    // interval to the interval itself (or, equal to it, keeps it: the same
    // trial size, and `t0 + h0` is the interval's end exactly, as the
    // clamp's `t1`). Nothing else reads the carried size, so carrying
    // h_old changes no bit.
    let covered = *t0 == 0.0 && h_old == step;
    let (adjust, mut h_new) = if rmax < 0.5 && covered {
        (Adjust::Increase, h_old)
    } else {
        Control::adjust(rmax, h_old)
    };
    if adjust == Adjust::Decrease {
        if h_new.abs() < h_old.abs() && t + h_new != t {
            // Undone: tried again from `y0` with the smaller size.
            let dt = step - *t0;
            let clamp = (dt >= 0.0 && h_new > dt) || (dt < 0.0 && h_new < dt);
            *h0 = if clamp { dt } else { h_new };
            *fin = clamp;
            return Verdict::Retry;
        }
        h_new = h_old;
    }
    *h = h_new;
    if t <= *t0 {
        // The time no longer moves: `integrate`'s failure.
        return Verdict::Failed;
    }
    if t < step {
        // The next call: GSL's direction check and clamp.
        *t0 = t;
        let dt = step - t;
        if (dt < 0.0 && h_new > 0.0) || (dt > 0.0 && h_new < 0.0) {
            return Verdict::Failed;
        }
        let clamp = (dt >= 0.0 && h_new > dt) || (dt < 0.0 && h_new < dt);
        *h0 = if clamp { dt } else { h_new };
        *fin = clamp;
        Verdict::Continue
    } else {
        Verdict::Done
    }
}

/// Neurons integrated over one simulation step by [`integrate_pooled`]:
/// each one's state is read when a lane takes it up and written back when
/// its integration ends.
pub trait LanePool<const N: usize> {
    /// How many neurons.
    fn neurons(&self) -> usize;

    /// Neuron `i`'s state and carried step size, as the integration starts.
    fn start(&mut self, i: usize) -> ([f64; N], f64);

    /// Neuron `i`'s integration ended at state `y` with carried size `h`
    /// (`failed`: where [`integrate`] returns an error, the state where the
    /// solver stopped).
    fn finish(&mut self, i: usize, y: &[f64; N], h: f64, failed: bool);
}

/// [`integrate`] for every neuron of `pool` over one interval `step`, `M`
/// at a time: [`integrate_lanes`]' operations lane by lane, but a lane
/// whose neuron is done takes up the next one at once rather than
/// computing along until the slowest lane of its group is done. Where a
/// few neurons need many trial steps (around a spike) and most need one,
/// the lanes stay full. Each neuron gets [`integrate_lanes`]' bits (every
/// lane's operations are its own), whatever its lane and neighbours.
// Lane loops index several arrays at the same lane.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn integrate_pooled<const N: usize, const M: usize, F, P>(
    control: &Control,
    f: &F,
    step: f64,
    pool: &mut P,
) where
    F: LaneDerivative<N, M>,
    P: LanePool<N>,
{
    let len = pool.neurons();
    let nonempty = 0.0 < step;
    // Each lane's neuron and its `evolve_apply` call in progress, as in
    // `integrate_lanes`; `y` the state accepted so far, `h` the size
    // carried.
    let mut neuron = [0usize; M];
    let mut calls = Calls::<N, M>::new();
    let (mut y, mut h) = ([[0.0; M]; N], [0.0; M]);
    let (mut next, mut active, mut fresh) = (0, 0u32, 0u32);
    loop {
        // Idle lanes take up the next neurons: `integrate`'s `while t <
        // step` at t = 0 and GSL's direction check and clamp.
        for l in 0..M {
            while active & (1 << l) == 0 && next < len {
                let (yn, hn) = pool.start(next);
                if !nonempty {
                    pool.finish(next, &yn, hn, false);
                } else if hn < 0.0 {
                    pool.finish(next, &yn, hn, true);
                } else {
                    neuron[l] = next;
                    for i in 0..N {
                        (y[i][l], calls.y0[i][l]) = (yn[i], yn[i]);
                    }
                    (h[l], calls.t0[l], calls.fin[l]) = (hn, 0.0, hn > step);
                    calls.h0[l] = if calls.fin[l] { step } else { hn };
                    active |= 1 << l;
                    fresh |= 1 << l;
                }
                next += 1;
            }
        }
        if active == 0 {
            return;
        }
        calls.restart(f, fresh);
        let (yt, rmax) = calls.trial(control, f);
        let (again, ended, failed) = calls.judge(step, active, (&yt, &rmax), &mut y, &mut h);
        fresh = again;
        active &= !ended;
        let mut bits = ended;
        while bits != 0 {
            let l = bits.trailing_zeros() as usize;
            let yl = std::array::from_fn(|i| y[i][l]);
            pool.finish(neuron[l], &yl, h[l], failed & (1 << l) != 0);
            bits &= bits - 1;
        }
    }
}

/// One neuron's derivative as a lane derivative of one lane.
struct OneLane<'a, F>(&'a F);

impl<const N: usize, F> LaneDerivative<N, 1> for OneLane<'_, F>
where
    F: Fn(&[f64; N]) -> [f64; N],
{
    #[inline(always)]
    fn eval(&self, y: &[[f64; 1]; N]) -> [[f64; 1]; N] {
        let d = (self.0)(&y.map(|c| c[0]));
        d.map(|c| [c])
    }
}

/// [`integrate`] as the models step one neuron: [`integrate_lanes`] with
/// one lane, the same state bits, without `integrate`'s `pow` where a
/// step covered the whole interval and the control grew it (the carried
/// size equivalent, see `covered` there).
#[inline(always)]
pub fn integrate_one<const N: usize, F>(
    control: &Control,
    f: &F,
    step: f64,
    h: &mut f64,
    y: &mut [f64; N],
) -> Result<(), OdeError>
where
    F: Fn(&[f64; N]) -> [f64; N],
{
    let mut lanes = y.map(|c| [c]);
    let mut hl = [*h];
    let failed = integrate_lanes(control, &OneLane(f), step, &mut hl, &mut lanes);
    *y = lanes.map(|c| c[0]);
    *h = hl[0];
    if failed != 0 {
        Err(OdeError::StepTooSmall)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y' = -y: one rkf45 step is exact to fifth order, and its error
    /// estimate is the difference of the two embedded solutions.
    #[test]
    fn one_step_of_exponential_decay() {
        let f = |y: &[f64; 1]| [-y[0]];
        let h = 0.1;
        let mut y = [1.0];
        let mut yerr = [0.0];
        rkf45_step(&f, h, &mut y, &f(&[1.0]), &mut yerr);
        let exact = (-h).exp();
        assert!((y[0] - exact).abs() < 1e-9, "{} vs {exact}", y[0]);
        // The fourth-order error of this step is of order h^5 / 120.
        assert!(yerr[0].abs() < 1e-6 && yerr[0] != 0.0);
    }

    /// The Butcher tableau's rows sum to the nodes, and both weight sets
    /// to one, as rounded.
    #[test]
    fn tableau_is_consistent() {
        assert!((B3.iter().sum::<f64>() - AH[1]).abs() < 1e-15);
        assert!((B4.iter().sum::<f64>() - AH[2]).abs() < 1e-15);
        assert!((B5.iter().sum::<f64>() - AH[3]).abs() < 1e-15);
        assert!((B6.iter().sum::<f64>() - AH[4]).abs() < 1e-15);
        assert!((C1 + C3 + C4 + C5 + C6 - 1.0).abs() < 1e-15);
        assert!(EC.iter().sum::<f64>().abs() < 1e-15);
    }

    /// The lanes' ratio has the scalar one's bits for every control:
    /// errors and states of every size, zeros, infinities and NaNs.
    #[test]
    fn lane_ratios_equal_the_scalar_ones() {
        let mut next = crate::libm_exp::uniforms(11);
        let mut value = || match (next() * 12.0) as u32 {
            0 => 0.0,
            1 => f64::NAN,
            2 => f64::INFINITY,
            3 => -f64::INFINITY,
            4 => 1e-310,
            _ => (next() - 0.5) * 10f64.powi((next() * 40.0) as i32 - 20),
        };
        let controls = [
            Control::y(1e-3, 0.0).unwrap(),
            Control::y(0.0, 0.0).unwrap(),
            Control::y(1e-6, 1e-6).unwrap(),
            Control::yp(1e-6, 1e-6).unwrap(),
            Control::new(1e-3, 0.0, 1.0, 1.0).unwrap(),
            Control::new(1e-3, -0.0, 1.0, 0.0).unwrap(),
        ];
        for c in controls {
            for _ in 0..2000 {
                let (mut y, mut yerr, mut yp) = ([[0.0; 8]; 3], [[0.0; 8]; 3], [[0.0; 8]; 3]);
                let mut h = [0.0; 8];
                for l in 0..8 {
                    h[l] = value().abs();
                    for i in 0..3 {
                        (y[i][l], yerr[i][l], yp[i][l]) = (value(), value(), value());
                    }
                }
                let lanes = c.rmax_lanes(&y, &yerr, &yp, &h);
                for l in 0..8 {
                    let one = |a: &[[f64; 8]; 3]| std::array::from_fn::<f64, 3, _>(|i| a[i][l]);
                    let want = c.rmax(&one(&y), &one(&yerr), &one(&yp), h[l]);
                    assert_eq!(lanes[l].to_bits(), want.to_bits(), "{c:?} lane {l}");
                }
            }
        }
    }

    #[test]
    fn control_thresholds_and_bounds() {
        let c = Control::y(1e-3, 0.0).unwrap();
        // Error ten times the tolerance: shrink by 0.9 * 10^(-1/5).
        let mut h = 0.1;
        assert_eq!(c.hadjust(&[0.0], &[1e-2], &[0.0], &mut h), Adjust::Decrease);
        assert_eq!(h, 0.9 / 10f64.powf(0.2) * 0.1);
        // A huge error: at most fivefold.
        let mut h = 0.1;
        assert_eq!(c.hadjust(&[0.0], &[1e3], &[0.0], &mut h), Adjust::Decrease);
        assert_eq!(h, 0.2 * 0.1);
        // Between 0.5 and 1.1: kept.
        let mut h = 0.1;
        assert_eq!(c.hadjust(&[0.0], &[1e-3], &[0.0], &mut h), Adjust::Nil);
        assert_eq!(h, 0.1);
        // No error at all: fivefold.
        assert_eq!(c.hadjust(&[0.0], &[0.0], &[0.0], &mut h), Adjust::Increase);
        assert_eq!(h, 0.5);
        // Just under 0.5: grown by 0.9 * r^(-1/6), barely over 1.
        let mut h = 0.1;
        assert_eq!(
            c.hadjust(&[0.0], &[0.49e-3], &[0.0], &mut h),
            Adjust::Increase
        );
        assert_eq!(h, 0.9 / (0.49e-3f64 / 1e-3).powf(1.0 / 6.0) * 0.1);
        // The relative part scales with |y|.
        let c = Control::y(0.0, 1e-3).unwrap();
        let mut h = 0.1;
        assert_eq!(c.hadjust(&[-100.0], &[0.1], &[0.0], &mut h), Adjust::Nil);
        assert!(Control::y(-1.0, 0.0).is_err());
        // On the derivative: |h y'| scales the tolerance, |y| does not.
        let c = Control::yp(1e-3, 1e-3).unwrap();
        let mut h = 0.1;
        assert_eq!(c.hadjust(&[1e6], &[1e-3], &[0.0], &mut h), Adjust::Nil);
        assert_eq!(c.hadjust(&[0.0], &[1e-3], &[1e4], &mut h), Adjust::Increase);
    }

    /// A stiff-ish decay with a tight tolerance: the first step is refused
    /// and retried smaller, the step size carried between calls grows back,
    /// the last step of an interval ends exactly at its end, and the
    /// solution follows the exact one.
    #[test]
    fn evolve_adapts_and_clamps() {
        let f = |y: &[f64; 2]| [-50.0 * y[0], -y[1]];
        let c = Control::y(1e-6, 0.0).unwrap();
        let mut y = [1.0, 1.0];
        let mut h = 0.1;
        let mut t = 0.0;
        let trials = evolve_apply(&c, &f, &mut t, 0.1, &mut h, &mut y).unwrap();
        assert!(trials > 1, "the first step must be refused");
        assert!(t < 0.1 && t > 0.0 && h < 0.1);
        integrate(&c, &f, 0.1, &mut h, &mut y).unwrap_or_else(|e| panic!("{e}"));
        let mut steps = 0;
        for _ in 0..50 {
            let mut t = 0.0;
            while t < 0.1 {
                evolve_apply(&c, &f, &mut t, 0.1, &mut h, &mut y).unwrap();
                steps += 1;
            }
            assert_eq!(t, 0.1, "the last step ends at the interval's end");
        }
        assert!(steps > 50, "more than one step per interval");
        let t_end = 0.1 + t + 5.0;
        assert!((y[1] - (-t_end).exp()).abs() < 1e-5, "{} at {t_end}", y[1]);
        assert!(y[0].abs() < 1e-6);
    }

    /// The slice form gives the array form's bits, step for step, on a
    /// system whose step sizes are refused, grown and clamped, under both
    /// controls.
    #[test]
    fn slice_matches_array() {
        let f = |y: &[f64; 3]| [-50.0 * y[0] + y[2], -y[1] * y[0], (y[1] - 2.0).sin()];
        let fs = |y: &[f64], d: &mut [f64]| {
            let a = f(&[y[0], y[1], y[2]]);
            d.copy_from_slice(&a);
        };
        for c in [
            Control::y(1e-7, 1e-7).unwrap(),
            Control::yp(1e-6, 1e-6).unwrap(),
        ] {
            let (mut y, mut h) = ([1.0, 0.5, -0.3], 0.1);
            let (mut ys, mut hs) = (vec![1.0, 0.5, -0.3], 0.1);
            let mut work = SliceWork::new(1);
            for _ in 0..200 {
                let (mut t, mut ts) = (0.0, 0.0);
                while t < 0.1 {
                    let a = evolve_apply(&c, &f, &mut t, 0.1, &mut h, &mut y).unwrap();
                    let b = evolve_apply_slice(&c, &fs, &mut ts, 0.1, &mut hs, &mut ys, &mut work)
                        .unwrap();
                    assert_eq!(
                        (a, t.to_bits(), h.to_bits()),
                        (b, ts.to_bits(), hs.to_bits())
                    );
                    assert_eq!(
                        y.map(f64::to_bits).to_vec(),
                        ys.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                    );
                }
            }
        }
    }

    /// A slow system: the suggested step grows to the clamped interval
    /// (GSL returns the clamped size when the control keeps it, and grows
    /// it at most fivefold from there).
    #[test]
    fn step_grows_to_the_interval() {
        let f = |y: &[f64; 1]| [-0.01 * y[0]];
        let c = Control::y(1e-3, 0.0).unwrap();
        let mut y = [1.0];
        let mut h = 0.01;
        for _ in 0..10 {
            integrate(&c, &f, 0.1, &mut h, &mut y).unwrap();
        }
        assert_eq!(h, 0.5, "five times the clamped step");
        assert!((y[0] - (-0.01f64).exp()).abs() < 1e-12);
    }

    /// The lanes (and one lane) give `integrate`'s state bits, through
    /// refused steps, several steps per interval and intervals covered in
    /// one step, whatever step size each lane carries in.
    #[test]
    fn lanes_match_integrate() {
        struct Decay;
        impl<const M: usize> LaneDerivative<2, M> for Decay {
            fn eval(&self, y: &[[f64; M]; 2]) -> [[f64; M]; 2] {
                let f = |y: &[f64; 2]| [-50.0 * y[0], -y[1]];
                let mut d = [[0.0; M]; 2];
                for l in 0..M {
                    let dl = f(&[y[0][l], y[1][l]]);
                    d[0][l] = dl[0];
                    d[1][l] = dl[1];
                }
                d
            }
        }
        let f = |y: &[f64; 2]| [-50.0 * y[0], -y[1]];
        for c in [
            Control::y(1e-6, 0.0),
            Control::y(1e-3, 1e-3),
            Control::yp(1e-4, 0.0),
        ] {
            let c = c.unwrap();
            let mut scalar = [
                (0.1, [1.0, 1.0]),
                (0.01, [0.5, -2.0]),
                (1.0, [0.0, 3.0]),
                (1e-4, [2.0, 0.1]),
            ];
            let mut one = scalar;
            let mut h: [f64; 4] = std::array::from_fn(|l| scalar[l].0);
            let mut y: [[f64; 4]; 2] =
                std::array::from_fn(|i| std::array::from_fn(|l| scalar[l].1[i]));
            for k in 0..300 {
                for (l, (h1, y1)) in one.iter_mut().enumerate() {
                    let (hs, ys) = &mut scalar[l];
                    integrate(&c, &f, 0.1, hs, ys).unwrap();
                    integrate_one(&c, &f, 0.1, h1, y1).unwrap();
                    assert_eq!(ys.map(f64::to_bits), y1.map(f64::to_bits), "{k}, lane {l}");
                }
                assert_eq!(integrate_lanes(&c, &Decay, 0.1, &mut h, &mut y), 0);
                for (l, (_, ys)) in scalar.iter_mut().enumerate() {
                    assert_eq!(ys.map(f64::to_bits), [y[0][l].to_bits(), y[1][l].to_bits()]);
                    // A kick now and then: the step sizes fall and grow back.
                    if k % 50 == 7 * l {
                        ys[0] += 1.0;
                        y[0][l] += 1.0;
                        one[l].1[0] += 1.0;
                    }
                }
            }
        }
    }

    #[test]
    fn direction_mismatch_is_refused() {
        let f = |y: &[f64; 1]| [y[0]];
        let c = Control::y(1e-3, 0.0).unwrap();
        let (mut t, mut h, mut y) = (0.0, -0.1, [1.0]);
        assert_eq!(
            evolve_apply(&c, &f, &mut t, 1.0, &mut h, &mut y),
            Err(OdeError::Direction)
        );
    }
}
