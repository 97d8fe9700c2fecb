//! Parameters of the devices: stimulation (`poisson_generator`,
//! `spike_generator`, `dc_generator`, `step_current_generator`,
//! `ac_generator`) and recording (`spike_recorder`, `multimeter`).

use spindle_core::{Resolution, Step};
use thiserror::Error;

/// The steps a stimulation device is active in, as NEST's
/// `StimulationDevice` sets them: `(t_min, t_max)` from `origin + start`
/// and `origin + stop`, each rounded to the grid (`Step::MAX` for an open
/// end).
pub fn window_steps(start: f64, stop: f64, origin: f64, res: Resolution) -> (Step, Step) {
    let steps = |ms: f64| (ms / res.h()).round() as Step;
    let t_max = if stop.is_finite() {
        steps(origin).saturating_add(steps(stop))
    } else {
        Step::MAX
    };
    (steps(origin).saturating_add(steps(start)), t_max)
}

/// Device parameters NEST would reject.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DeviceError {
    /// A negative or non-finite rate.
    #[error("poisson_generator: The rate cannot be negative (got {0}).")]
    Rate(f64),
    /// A current amplitude that is not a finite number.
    #[error("dc_generator: amplitude must be a finite number (got {0})")]
    Amplitude(f64),
    /// start/stop out of order.
    #[error("{0}: stop >= start required.")]
    Window(&'static str),
    /// A device time off the grid.
    #[error("{model}: {what} must be a multiple of the simulation resolution.")]
    OffGrid {
        /// The device model.
        model: &'static str,
        /// `start`, `stop` or `origin`.
        what: &'static str,
    },
    /// step_current_generator: times and values of different lengths.
    #[error(
        "step_current_generator: amplitude_times and amplitude_values have to be the same size."
    )]
    StepSizes,
    /// step_current_generator: a time not after 0.
    #[error("Amplitude can only be changed at strictly positive times (t > 0).")]
    StepTimePositive,
    /// step_current_generator: a time off the grid.
    #[error("step_current_generator: Time point {0} is not representable in current resolution.")]
    StepTimeOffGrid(f64),
    /// step_current_generator: times not strictly increasing on the grid.
    #[error("step_current_generator: amplitude times must be at strictly increasing time steps.")]
    StepTimesOrder,
    /// A current generator's value that is not a finite number.
    #[error("{model}: {what} must be a finite number (got {value})")]
    NotFinite {
        /// The device model.
        model: &'static str,
        /// The parameter.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// Any other of a device's checks, with NEST's message.
    #[error("{0}")]
    Invalid(String),
    /// noise_generator: a check, with NEST's message.
    #[error("{0}")]
    Noise(&'static str),
    /// noise_generator: `dt` not a multiple of the resolution (NEST's
    /// `StepMultipleRequired`).
    #[error(
        "The time property dt = {dt} ms of model noise_generator must be a multiple of the \
         resolution {h} ms."
    )]
    NoiseDt {
        /// The `dt` given [ms].
        dt: f64,
        /// The resolution [ms].
        h: f64,
    },
    /// A value NEST accepts that Spindle does not offer.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A spike time off the grid.
    #[error("spike_generator: Time point {0} is not representable in current resolution.")]
    SpikeTimeOffGrid(f64),
    /// Unsorted or negative spike times.
    #[error(
        "spike_generator: Spike times must be sorted in non-descending order (and finite and > 0)."
    )]
    SpikeTimes,
    /// A multimeter records something the model does not have.
    #[error(
        "Creation of connection is not possible because: Cannot connect with unknown recordable \
         {name} ({model} records {has})"
    )]
    Recordable {
        /// The sampled neurons' model.
        model: &'static str,
        /// The name asked for.
        name: String,
        /// The model's recordables, comma-separated.
        has: String,
    },
}

/// `poisson_generator`: Poisson trains, independent for every target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoissonGeneratorParams {
    /// Mean rate [Hz].
    pub rate: f64,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl PoissonGeneratorParams {
    /// A generator at `rate` Hz, active for the whole run.
    pub fn with_rate(rate: f64) -> Self {
        Self {
            rate,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }

    /// Check the parameters.
    pub fn validate(&self) -> Result<(), DeviceError> {
        if !self.rate.is_finite() || self.rate < 0.0 {
            return Err(DeviceError::Rate(self.rate));
        }
        check_window("poisson_generator", self.start, self.stop, self.origin)
    }
}

/// NEST's checks of a stimulation device's `start`, `stop` and `origin`.
fn check_window(
    model: &'static str,
    start: f64,
    stop: f64,
    origin: f64,
) -> Result<(), DeviceError> {
    if stop < start || start.is_nan() || stop.is_nan() || !origin.is_finite() {
        return Err(DeviceError::Window(model));
    }
    Ok(())
}

/// `dc_generator`: a constant current into every target while active.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DcGeneratorParams {
    /// Amplitude [pA].
    pub amplitude: f64,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl Default for DcGeneratorParams {
    fn default() -> Self {
        Self {
            amplitude: 0.0,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

impl DcGeneratorParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<(), DeviceError> {
        if !self.amplitude.is_finite() {
            return Err(DeviceError::Amplitude(self.amplitude));
        }
        check_window("dc_generator", self.start, self.stop, self.origin)
    }
}

/// `step_current_generator`: a piecewise constant current, changed at
/// `amplitude_times`, while active.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCurrentGeneratorParams {
    /// Times of the changes [ms], strictly increasing, > 0.
    pub amplitude_times: Vec<f64>,
    /// The amplitude from each time on [pA].
    pub amplitude_values: Vec<f64>,
    /// Round off-grid times to the end of their step instead of refusing.
    pub allow_offgrid_times: bool,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl Default for StepCurrentGeneratorParams {
    fn default() -> Self {
        Self {
            amplitude_times: Vec::new(),
            amplitude_values: Vec::new(),
            allow_offgrid_times: false,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

impl StepCurrentGeneratorParams {
    /// Check the parameters that need no resolution.
    pub fn validate(&self) -> Result<(), DeviceError> {
        if self.amplitude_times.len() != self.amplitude_values.len() {
            return Err(DeviceError::StepSizes);
        }
        if let Some(v) = self.amplitude_values.iter().find(|v| !v.is_finite()) {
            return Err(DeviceError::NotFinite {
                model: "step_current_generator",
                what: "amplitude_values",
                value: *v,
            });
        }
        check_window("step_current_generator", self.start, self.stop, self.origin)
    }

    /// The change times as steps, as NEST places them: a time on the grid
    /// is its step; an off-grid one is refused or, with
    /// `allow_offgrid_times`, taken at the end of the step it falls in;
    /// each must lie after the one before.
    pub fn stamps(&self, res: Resolution) -> Result<Vec<Step>, DeviceError> {
        let mut out: Vec<Step> = Vec::with_capacity(self.amplitude_times.len());
        for &t in &self.amplitude_times {
            if t.is_nan() || t <= 0.0 {
                return Err(DeviceError::StepTimePositive);
            }
            let exact = t / res.h();
            let on_grid = (exact - exact.round()).abs() < 1e-9 * exact.abs().max(1.0);
            let step = if on_grid {
                exact.round()
            } else if self.allow_offgrid_times {
                exact.ceil()
            } else {
                return Err(DeviceError::StepTimeOffGrid(t));
            };
            if !step.is_finite() || step >= Step::MAX as f64 {
                return Err(DeviceError::StepTimePositive);
            }
            let step = step as Step;
            if out.last().is_some_and(|&prev| step <= prev) {
                return Err(DeviceError::StepTimesOrder);
            }
            out.push(step);
        }
        Ok(out)
    }
}

/// `ac_generator`: a sine current, `amplitude * sin(2 pi frequency t +
/// phase) + offset`, while active.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcGeneratorParams {
    /// Amplitude of the sine [pA].
    pub amplitude: f64,
    /// Constant offset [pA].
    pub offset: f64,
    /// Frequency [Hz].
    pub frequency: f64,
    /// Phase [degrees].
    pub phase: f64,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl Default for AcGeneratorParams {
    fn default() -> Self {
        Self {
            amplitude: 0.0,
            offset: 0.0,
            frequency: 0.0,
            phase: 0.0,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

impl AcGeneratorParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<(), DeviceError> {
        for (what, value) in [
            ("amplitude", self.amplitude),
            ("offset", self.offset),
            ("frequency", self.frequency),
            ("phase", self.phase),
        ] {
            if !value.is_finite() {
                return Err(DeviceError::NotFinite {
                    model: "ac_generator",
                    what,
                    value,
                });
            }
        }
        check_window("ac_generator", self.start, self.stop, self.origin)
    }
}

/// `noise_generator`: a Gaussian white-noise current, drawn for each
/// target on its own: `mean + std * N(0, 1)`, a new value every `dt`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseGeneratorParams {
    /// Mean current [pA].
    pub mean: f64,
    /// Standard deviation [pA].
    pub std: f64,
    /// How long each value holds [ms] (`None`: NEST's default, 10 steps).
    pub dt: Option<f64>,
    /// Amplitude of the standard deviation's modulation [pA] (Spindle
    /// offers 0 only).
    pub std_mod: f64,
    /// Frequency of the modulation [Hz].
    pub frequency: f64,
    /// Phase of the modulation [degrees].
    pub phase: f64,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl Default for NoiseGeneratorParams {
    fn default() -> Self {
        Self {
            mean: 0.0,
            std: 0.0,
            dt: None,
            std_mod: 0.0,
            frequency: 0.0,
            phase: 0.0,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

impl NoiseGeneratorParams {
    /// NEST's checks of the values (`dt` on the grid waits for the grid).
    pub fn validate(&self) -> Result<(), DeviceError> {
        for (what, value) in [
            ("mean", self.mean),
            ("std", self.std),
            ("std_mod", self.std_mod),
            ("frequency", self.frequency),
            ("phase", self.phase),
        ] {
            if !value.is_finite() {
                return Err(DeviceError::NotFinite {
                    model: "noise_generator",
                    what,
                    value,
                });
            }
        }
        if self.std < 0.0 || self.std_mod < 0.0 {
            return Err(DeviceError::Noise(
                "The standard deviation cannot be negative.",
            ));
        }
        if self.std_mod > self.std {
            return Err(DeviceError::Noise(
                "The modulation apmlitude must be smaller or equal to the baseline amplitude.",
            ));
        }
        if self.std_mod != 0.0 {
            return Err(DeviceError::Unsupported(
                "Spindle's noise_generator has no modulation (std_mod must be 0)",
            ));
        }
        check_window("noise_generator", self.start, self.stop, self.origin)
    }

    /// The steps each value holds on grid `res`.
    pub fn dt_steps(&self, res: Resolution) -> Result<Step, DeviceError> {
        let Some(dt) = self.dt else { return Ok(10) };
        let steps = (dt / res.h()).round();
        if steps < 1.0 || (steps * res.h() - dt).abs() > 1e-9 * dt.abs().max(1.0) {
            return Err(DeviceError::NoiseDt { dt, h: res.h() });
        }
        Ok(steps as Step)
    }
}

/// `spike_generator`: emits spikes at given times, relative to `origin`,
/// while active (`origin + start` excluded to `origin + stop` included).
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeGeneratorParams {
    /// Spike times [ms], sorted, > 0 (0 with `shift_now_spikes`); on the
    /// grid unless `precise_times` or `allow_offgrid_times` (a spike is
    /// emitted in the step that ends at its time, off-grid times rounded
    /// up to the grid).
    pub spike_times: Vec<f64>,
    /// Per spike, a factor on the connection's weight (empty: none).
    pub spike_weights: Vec<f64>,
    /// Per spike, how many spikes it stands for (empty: one each).
    pub spike_multiplicities: Vec<u64>,
    /// Off-grid times are kept with their offsets (grid-based neurons
    /// read them at the end of their step).
    pub precise_times: bool,
    /// Off-grid times are rounded up to the grid.
    pub allow_offgrid_times: bool,
    /// A spike at the present moment is sent one step later.
    pub shift_now_spikes: bool,
    /// Start of activity relative to origin [ms] (excluded) (default: 0).
    pub start: f64,
    /// End of activity relative to origin [ms] (included) (default: inf).
    pub stop: f64,
    /// Origin of the device's time [ms] (default: 0).
    pub origin: f64,
}

impl Default for SpikeGeneratorParams {
    fn default() -> Self {
        Self {
            spike_times: Vec::new(),
            spike_weights: Vec::new(),
            spike_multiplicities: Vec::new(),
            precise_times: false,
            allow_offgrid_times: false,
            shift_now_spikes: false,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

/// One spike of a `spike_generator`, on the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratedSpike {
    /// The grid point of its time (it is sent in the step before).
    pub stamp: Step,
    /// Its factor on the connection's weight, where `spike_weights` are set.
    pub weight: Option<f64>,
    /// How many spikes it stands for.
    pub multiplicity: u64,
}

impl GeneratedSpike {
    /// What it brings through a connection of weight `w`, as NEST's
    /// targets add it: `(spike weight * w) * multiplicity`.
    pub fn weight_through(&self, w: f64) -> f64 {
        let w = self.weight.map_or(w, |f| f * w);
        if self.multiplicity == 1 {
            w
        } else {
            w * self.multiplicity as f64
        }
    }
}

impl SpikeGeneratorParams {
    /// Check the parameters (grid alignment is checked against the
    /// resolution by [`Self::spikes`]).
    pub fn validate(&self) -> Result<(), DeviceError> {
        let ok = self.spike_times.iter().all(|t| t.is_finite() && *t >= 0.0)
            && self.spike_times.windows(2).all(|w| w[0] <= w[1]);
        if !ok {
            return Err(DeviceError::SpikeTimes);
        }
        if !self.shift_now_spikes && self.spike_times.contains(&0.0) {
            return Err(DeviceError::Invalid(
                "spike time cannot be set to 0.".into(),
            ));
        }
        if self.precise_times && (self.allow_offgrid_times || self.shift_now_spikes) {
            return Err(DeviceError::Invalid(
                "Option precise_times cannot be set to true when either allow_offgrid_times or \
                 shift_now_spikes is set to true."
                    .into(),
            ));
        }
        let n = self.spike_times.len();
        if !self.spike_weights.is_empty() && self.spike_weights.len() != n {
            return Err(DeviceError::Invalid(
                "spike_weights must have the same number of elements as spike_times, or 0 \
                 elements to clear the property."
                    .into(),
            ));
        }
        if !self.spike_multiplicities.is_empty() && self.spike_multiplicities.len() != n {
            return Err(DeviceError::Invalid(
                "spike_multiplicities must have the same number of elements as spike_times or 0 \
                 elements to clear the property."
                    .into(),
            ));
        }
        check_window("spike_generator", self.start, self.stop, self.origin)
    }

    /// The spikes it emits on grid `res`, in order, from step `now` on
    /// (NEST's `update`: stamps at or before `now` are passed over), as
    /// NEST places them: on-grid times where they are, off-grid ones
    /// rounded up to the grid (refused unless `precise_times` or
    /// `allow_offgrid_times`), a spike at `now` moved one step on with
    /// `shift_now_spikes`, `origin` added, and only those in the window.
    pub fn spikes(&self, res: Resolution, now: Step) -> Result<Vec<GeneratedSpike>, DeviceError> {
        let origin = (self.origin / res.h()).round() as Step;
        let (t_min, t_max) = window_steps(self.start, self.stop, self.origin, res);
        let mut out = Vec::with_capacity(self.spike_times.len());
        for (i, &t) in self.spike_times.iter().enumerate() {
            // NEST: precise times go to the end of the step they lie in
            // (`Time::ms_stamp`); otherwise a time within half a tic of a
            // step is that step, and another is refused, or (off-grid
            // times allowed) goes to the end of its step.
            let near = (t / res.h()).round();
            let half_tic = 0.5 / spindle_core::time::TICS_PER_MS as f64;
            let mut stamp = if self.precise_times {
                res.steps_up_exact(t)
            } else if (t - near * res.h()).abs() < half_tic {
                near as Step
            } else if self.allow_offgrid_times {
                res.steps_up_exact(t)
            } else {
                return Err(DeviceError::SpikeTimeOffGrid(t));
            };
            if self.shift_now_spikes && origin.saturating_add(stamp) == now {
                stamp += 1;
            }
            let stamp = origin.saturating_add(stamp);
            if stamp <= now || stamp <= t_min || stamp > t_max {
                continue;
            }
            out.push(GeneratedSpike {
                stamp,
                weight: self.spike_weights.get(i).copied(),
                multiplicity: self.spike_multiplicities.get(i).copied().unwrap_or(1),
            });
        }
        Ok(out)
    }
}

/// Where a recorder's events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordTo {
    /// Kept in memory, read through the library API.
    #[default]
    Memory,
    /// Written as a NEST ASCII `.dat` file at the end of the run (and kept
    /// in memory too).
    Ascii,
    /// Only counted (`n_events`); no event is kept.
    None,
}

/// When a recording device records (NEST's `RecordingDevice`): what
/// happens at a time t with `origin + start < t <= origin + stop`, each
/// rounded to the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordWindow {
    /// Start, relative to `origin` [ms].
    pub start: f64,
    /// Stop, relative to `origin` [ms] (infinite: open).
    pub stop: f64,
    /// Origin [ms].
    pub origin: f64,
}

impl Default for RecordWindow {
    fn default() -> Self {
        Self {
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        }
    }
}

impl RecordWindow {
    /// NEST's check: stop not before start.
    pub fn validate(&self, model: &'static str) -> Result<(), DeviceError> {
        if self.stop < self.start {
            return Err(DeviceError::Window(model));
        }
        Ok(())
    }

    /// `(t_min, t_max)` [steps]: what is stamped at a step `s` with
    /// `t_min < s <= t_max` is recorded.
    pub fn steps(&self, res: Resolution) -> (Step, Step) {
        window_steps(self.start, self.stop, self.origin, res)
    }

    /// Whether something stamped at the end of step `step` (at time
    /// `(step + 1) h`) is recorded.
    pub fn records(&self, step: Step, res: Resolution) -> bool {
        let (t_min, t_max) = self.steps(res);
        let stamp = step + 1;
        t_min < stamp && stamp <= t_max
    }
}

/// `spike_recorder`: records the spikes of the neurons connected to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpikeRecorderParams {
    /// File label (the `.dat` name starts with it).
    pub label: String,
    /// Where events go.
    pub record_to: RecordTo,
    /// Times as steps (with offsets, 0 on the grid) rather than ms.
    pub time_in_steps: bool,
    /// When it records.
    pub window: RecordWindow,
}

/// `weight_recorder`: records the weight of every spike that passes a
/// synapse whose model names it (`CopyModel(.., {"weight_recorder": wr})`),
/// optionally only from `senders` or onto `targets`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeightRecorderParams {
    /// Label and where events go, as a spike recorder's.
    pub recorder: SpikeRecorderParams,
    /// Record only synapses from these nodes (all if empty).
    pub senders: Vec<u32>,
    /// Record only synapses onto these nodes (all if empty).
    pub targets: Vec<u32>,
}

/// `multimeter`: samples state variables of the neurons it is connected
/// to, every `interval` ms, the first sample at the end of the first
/// interval (NEST records at the end of a step).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MultimeterParams {
    /// Sampling interval [ms] (default: the resolution, given as `None`).
    pub interval: Option<f64>,
    /// What to record: recordables of the models it samples, by NEST's
    /// names (checked when it is connected to neurons).
    pub record_from: Vec<String>,
    /// When it records.
    pub window: RecordWindow,
    /// File label (the `.dat` name starts with it; empty: the model's
    /// name).
    pub label: String,
    /// Where samples go (memory or also an ASCII file).
    pub record_to: RecordTo,
    /// The first sampling time [ms]: samples fall at `offset + k
    /// interval` (NEST's `offset`; 0: at every multiple of `interval`).
    pub offset: f64,
    /// Times given as steps with offsets (in memory; files keep ms).
    pub time_in_steps: bool,
}

impl MultimeterParams {
    /// The interval and offset in steps.
    pub fn sampling(&self, res: Resolution) -> (Step, Step) {
        let steps = |ms: f64| (ms / res.h()).round() as Step;
        (self.interval.map_or(1, steps).max(1), steps(self.offset))
    }

    /// Whether a sample is taken at the end of step `step`.
    pub fn samples(&self, step: Step, res: Resolution) -> bool {
        let (interval, offset) = self.sampling(res);
        let stamp = step + 1;
        stamp >= offset && (stamp - offset).is_multiple_of(interval)
    }

    /// The interval at which its neurons are sampled (every step where
    /// the offset is off the interval's grid: the samples are then
    /// picked at readback).
    pub fn probe_interval(&self, res: Resolution) -> Step {
        let (interval, offset) = self.sampling(res);
        if offset.is_multiple_of(interval) {
            interval
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_window_is_open_below_and_closed_above() {
        let res = Resolution::new(0.1).unwrap();
        let w = RecordWindow {
            start: 1.0,
            stop: 2.0,
            origin: 0.5,
        };
        // Stamps (step + 1) in (15, 25] are recorded.
        assert!(!w.records(14, res));
        assert!(w.records(15, res));
        assert!(w.records(24, res));
        assert!(!w.records(25, res));
        assert!(RecordWindow::default().records(0, res));
        assert!(RecordWindow::default().records(Step::MAX - 2, res));
        let backwards = RecordWindow {
            start: 2.0,
            stop: 1.0,
            origin: 0.0,
        };
        assert!(backwards.validate("spike_recorder").is_err());
    }

    #[test]
    fn validation() {
        assert!(PoissonGeneratorParams::with_rate(10.0).validate().is_ok());
        assert!(PoissonGeneratorParams::with_rate(-1.0).validate().is_err());
        assert!(
            PoissonGeneratorParams::with_rate(f64::NAN)
                .validate()
                .is_err()
        );
        let sg = |t: Vec<f64>| {
            SpikeGeneratorParams {
                spike_times: t,
                ..Default::default()
            }
            .validate()
        };
        assert!(sg(vec![1.0, 1.0, 2.0]).is_ok());
        assert!(sg(vec![2.0, 1.0]).is_err());
        assert!(sg(vec![0.0]).is_err());
    }

    #[test]
    fn step_times_go_to_the_grid_as_nest_places_them() {
        let res = Resolution::new(0.1).unwrap();
        let p = |t: Vec<f64>, off: bool| StepCurrentGeneratorParams {
            amplitude_values: vec![1.0; t.len()],
            amplitude_times: t,
            allow_offgrid_times: off,
            ..Default::default()
        };
        assert_eq!(
            p(vec![0.1, 0.3, 5.0], false).stamps(res),
            Ok(vec![1, 3, 50])
        );
        assert_eq!(
            p(vec![0.25], false).stamps(res),
            Err(DeviceError::StepTimeOffGrid(0.25))
        );
        assert_eq!(
            p(vec![0.25, 0.3], true).stamps(res),
            Err(DeviceError::StepTimesOrder)
        );
        assert_eq!(p(vec![0.25, 0.4], true).stamps(res), Ok(vec![3, 4]));
        assert_eq!(
            p(vec![0.0], false).stamps(res),
            Err(DeviceError::StepTimePositive)
        );
        let mut bad = p(vec![1.0], false);
        bad.amplitude_values.clear();
        assert_eq!(bad.validate(), Err(DeviceError::StepSizes));
    }
}
