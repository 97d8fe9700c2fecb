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
const AH: [f64; 5] = [1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0];
const B3: [f64; 2] = [3.0 / 32.0, 9.0 / 32.0];
const B4: [f64; 3] = [1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0];
const B5: [f64; 4] = [
    8341.0 / 4104.0,
    -32832.0 / 4104.0,
    29440.0 / 4104.0,
    -845.0 / 4104.0,
];
const B6: [f64; 5] = [
    -6080.0 / 20520.0,
    41040.0 / 20520.0,
    -28352.0 / 20520.0,
    9295.0 / 20520.0,
    -5643.0 / 20520.0,
];
const C1: f64 = 902880.0 / 7618050.0;
const C3: f64 = 3953664.0 / 7618050.0;
const C4: f64 = 3855735.0 / 7618050.0;
const C5: f64 = -1371249.0 / 7618050.0;
const C6: f64 = 277020.0 / 7618050.0;
/// Differences of the fifth- and fourth-order weights (GSL's `ec`).
const EC: [f64; 7] = [
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

    /// Whether the control reads the derivative at the end of a step (GSL
    /// always evaluates it; where its weight is 0 it adds `0 * |h y'|`,
    /// +0.0 for any finite derivative, so the evaluation is skipped).
    fn reads_dydt(&self) -> bool {
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
        const S: f64 = 0.9;
        let h_old = *h;
        let mut rmax = f64::MIN_POSITIVE;
        for i in 0..N {
            let d0 = self.eps_rel * (self.a_y * y[i].abs() + self.a_dydt * (h_old * yp[i]).abs())
                + self.eps_abs;
            let r = yerr[i].abs() / d0.abs();
            // GSL_MAX_DBL(r, rmax): `r > rmax ? r : rmax` (a NaN loses).
            rmax = if r > rmax { r } else { rmax };
        }
        if rmax > 1.1 {
            let mut r = S / rmax.powf(1.0 / ORDER);
            if r < 0.2 {
                r = 0.2;
            }
            *h = r * h_old;
            Adjust::Decrease
        } else if rmax < 0.5 {
            // GSL bounds it by 5, then by 1 from below (r is never NaN:
            // rmax is a positive number or infinity).
            let r = (S / rmax.powf(1.0 / (ORDER + 1.0))).clamp(1.0, 5.0);
            *h = r * h_old;
            Adjust::Increase
        } else {
            Adjust::Nil
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
