//! The time grid, after NEST's `Time` class: times are held in tics
//! (1 tic = 1 µs, NEST's default `tics_per_ms` = 1000), the resolution `h`
//! is a whole number of tics, and every time a model sees is a whole number
//! of steps of `h`.

use thiserror::Error;

/// A time on the simulation grid, in steps of the resolution since t = 0.
pub type Step = u64;

/// Tics per ms, NEST's default.
pub const TICS_PER_MS: i64 = 1000;
/// ms per tic, computed as NEST computes it (`1 / TICS_PER_MS` in double).
const MS_PER_TIC: f64 = 1.0 / TICS_PER_MS as f64;
/// The longest time the grid holds [ms]: `i64::MAX` tics, as NEST's `tic_t`.
pub const MAX_MS: f64 = i64::MAX as f64 * MS_PER_TIC;

/// A time given in ms that does not fit the grid.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TimeError {
    /// The resolution is not a positive whole number of tics.
    #[error("resolution must be a positive multiple of 0.001 ms (got {0} ms)")]
    BadResolution(f64),
    /// A time is negative, infinite or NaN.
    #[error("{what} must be a finite time >= 0 ms (got {value} ms)")]
    NotFinite {
        /// What the time is (e.g. "simtime").
        what: String,
        /// The value given.
        value: f64,
    },
    /// A time is not a multiple of the resolution.
    #[error("{what} must be a multiple of the resolution {h} ms (got {value} ms)")]
    OffGrid {
        /// What the time is.
        what: String,
        /// The value given.
        value: f64,
        /// The resolution in ms.
        h: f64,
    },
    /// A time past the end of the grid: NEST counts time in 64-bit tics,
    /// so nothing lasts longer than 2^63 tics (about 9.2e15 ms).
    #[error(
        "{what} must be at most {max:e} ms, the longest time the grid holds (got {value:e} ms)"
    )]
    TooLong {
        /// What the time is.
        what: String,
        /// The value given [ms].
        value: f64,
        /// The longest time [ms].
        max: f64,
    },
    /// A delay shorter than one step.
    #[error("{}", below_resolution(what, *value, *h))]
    BelowResolution {
        /// What the time is.
        what: String,
        /// The value given.
        value: f64,
        /// The resolution in ms.
        h: f64,
    },
}

/// [`TimeError::BelowResolution`]'s message: NEST's words for a delay.
fn below_resolution(what: &str, value: f64, h: f64) -> String {
    if what == "delay" {
        format!(
            "Delay value {value} ms is invalid: Delay must be greater than or equal to resolution \
             {h} ms"
        )
    } else {
        format!("{what} must be at least the resolution {h} ms (got {value} ms)")
    }
}

/// The simulation resolution `h`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    tics_per_step: i64,
}

impl Resolution {
    /// The grid for a resolution of `dt_ms`; it must be a positive whole
    /// number of tics (0.001 ms), as in NEST.
    pub fn new(dt_ms: f64) -> Result<Self, TimeError> {
        if !dt_ms.is_finite() || dt_ms <= 0.0 {
            return Err(TimeError::BadResolution(dt_ms));
        }
        let tics = (dt_ms * TICS_PER_MS as f64).round();
        if tics < 1.0 || (tics - dt_ms * TICS_PER_MS as f64).abs() > 1e-6 * tics.max(1.0) {
            return Err(TimeError::BadResolution(dt_ms));
        }
        Ok(Self {
            tics_per_step: tics as i64,
        })
    }

    /// `h` in ms, computed as NEST's `Time::get_resolution().get_ms()`
    /// (tics times ms-per-tic), so propagators match NEST bit for bit.
    pub fn h(&self) -> f64 {
        self.tics_per_step as f64 * MS_PER_TIC
    }

    /// NEST's `Time::Range::MS_PER_STEP` (`TICS_PER_STEP / TICS_PER_MS`),
    /// what a delay in steps is in ms (`delay_steps_to_ms`).
    pub fn ms_per_step(&self) -> f64 {
        self.tics_per_step as f64 / TICS_PER_MS as f64
    }

    /// Tics per step.
    pub fn tics_per_step(&self) -> i64 {
        self.tics_per_step
    }

    /// The time in ms at the end of step `step`, i.e. at grid point
    /// `step`, as NEST's `Time::get_ms()` computes it.
    pub fn ms(&self, step: Step) -> f64 {
        (step as i64 * self.tics_per_step) as f64 * MS_PER_TIC
    }

    /// A time in ms that must lie exactly on the grid, as steps.
    pub fn steps_on_grid(&self, what: &str, ms: f64) -> Result<Step, TimeError> {
        if !ms.is_finite() || ms < 0.0 {
            return Err(TimeError::NotFinite {
                what: what.into(),
                value: ms,
            });
        }
        if ms >= MAX_MS {
            return Err(TimeError::TooLong {
                what: what.into(),
                value: ms,
                max: MAX_MS,
            });
        }
        let steps_f = ms / self.h();
        let steps = steps_f.round();
        if (steps_f - steps).abs() > 1e-9 * steps.max(1.0) {
            return Err(TimeError::OffGrid {
                what: what.into(),
                value: ms,
                h: self.h(),
            });
        }
        Ok(steps as Step)
    }

    /// The step `steps` after `now`, if the grid still holds it: `what`
    /// names the time in the error.
    pub fn advance(&self, what: &str, now: Step, steps: Step) -> Result<Step, TimeError> {
        now.checked_add(steps)
            .filter(|&end| end <= (i64::MAX / self.tics_per_step) as Step)
            .ok_or_else(|| TimeError::TooLong {
                what: what.into(),
                value: self.ms(steps.min((i64::MAX / self.tics_per_step) as Step)),
                max: MAX_MS - self.ms(now),
            })
    }

    /// A delay in ms as steps: on the grid and at least one step.
    pub fn delay_steps(&self, what: &str, ms: f64) -> Result<Step, TimeError> {
        if ms.is_finite() && ms >= 0.0 && ms < self.h() * (1.0 - 1e-9) {
            return Err(TimeError::BelowResolution {
                what: what.into(),
                value: ms,
                h: self.h(),
            });
        }
        let steps = self.steps_on_grid(what, ms)?;
        if steps == 0 {
            return Err(TimeError::BelowResolution {
                what: what.into(),
                value: ms,
                h: self.h(),
            });
        }
        Ok(steps)
    }

    /// The grid point at or after `ms` (>= 0), as NEST's `Time::ms_stamp`
    /// finds it: the step its tics fall in, one more where that step's end
    /// lies before `ms`.
    pub fn steps_up_exact(&self, ms: f64) -> Step {
        let tics = (ms * TICS_PER_MS as f64) as i64;
        let mut s = tics / self.tics_per_step;
        if s as f64 * self.ms_per_step() < ms {
            s += 1;
        }
        s as Step
    }

    /// A duration in ms as steps the way NEST converts refractory times,
    /// `Time(Time::ms(t)).get_steps()`: to tics rounding half up, then to
    /// steps rounding *up* (2.05 ms at 0.1 ms is 21 steps, as NEST 3.10
    /// gives for `iaf_psc_alpha` and `iaf_psc_delta`).
    pub fn steps_up(&self, ms: f64) -> Step {
        let tics = (ms * TICS_PER_MS as f64 + 0.5).floor() as i64;
        (tics.max(0) + self.tics_per_step - 1) as Step / self.tics_per_step as Step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_nests_h() {
        let r = Resolution::new(0.1).unwrap();
        assert_eq!(r.tics_per_step(), 100);
        assert_eq!(r.h(), 100.0 * 0.001);
        assert_eq!(r.ms(143), 14.3);
        assert!(Resolution::new(0.0).is_err());
        assert!(Resolution::new(-1.0).is_err());
        assert!(Resolution::new(0.0005).is_err());
        assert!(Resolution::new(f64::NAN).is_err());
    }

    #[test]
    fn grid_times() {
        let r = Resolution::new(0.1).unwrap();
        assert_eq!(r.steps_on_grid("simtime", 1000.0).unwrap(), 10_000);
        assert_eq!(r.steps_on_grid("t", 32.3).unwrap(), 323);
        assert!(r.steps_on_grid("simtime", 1000.05).is_err());
        assert!(r.steps_on_grid("simtime", -1.0).is_err());
        for huge in [1e20, 1e300, MAX_MS] {
            assert!(matches!(
                r.steps_on_grid("simtime", huge),
                Err(TimeError::TooLong { .. })
            ));
        }
        let last = r.steps_on_grid("t", 9.2e15).unwrap();
        assert!(r.advance("simtime", 0, last).is_ok());
        assert!(r.advance("simtime", last, last).is_err());
        assert_eq!(r.delay_steps("delay", 1.5).unwrap(), 15);
        assert!(matches!(
            r.delay_steps("delay", 0.05),
            Err(TimeError::BelowResolution { .. })
        ));
        assert!(matches!(
            r.delay_steps("delay", 0.0),
            Err(TimeError::BelowResolution { .. })
        ));
        assert!(matches!(
            r.delay_steps("delay", 1.55),
            Err(TimeError::OffGrid { .. })
        ));
    }

    #[test]
    fn refractory_steps_follow_nest() {
        let r = Resolution::new(0.1).unwrap();
        assert_eq!(r.steps_up(2.0), 20);
        assert_eq!(r.steps_up(2.05), 21);
        assert_eq!(r.steps_up(2.01), 21);
        assert_eq!(r.steps_up(0.0), 0);
    }
}
