//! NEST's stochastic and pulse spike sources: `sinusoidal_poisson_generator`,
//! `sinusoidal_gamma_generator`, `inhomogeneous_poisson_generator`,
//! `mip_generator`, `pulsepacket_generator`, and the superpositions of
//! renewal processes `gamma_sup_generator` and `ppd_sup_generator`.
//!
//! A source is one parameter set behind one interface: parameters by
//! NEST's names and units ([`SpikeSourceParams::get`] and
//! [`SpikeSourceParams::set`]), and the spikes it sends in a run
//! ([`SpikeSourceParams::plan`], then [`Plan::train`] per target). Where
//! NEST draws for every target on its own (`DSSpikeEvent`), each target's
//! train comes from a stream keyed by (generator, target); where NEST
//! sends one train to all (`mip_generator`'s parent process,
//! `pulsepacket_generator`, `individual_spike_trains: false`), it comes
//! from the generator's own stream, which every shard steps alike. So no
//! spike changes with the number of threads or ranks.
//!
//! Spikes are given as (step sent, multiplicity): a spike sent in step `s`
//! is stamped `s + 1`, as every NEST generator's.

use std::collections::VecDeque;
use std::f64::consts::PI;

use spindle_core::param::Draw;
use spindle_core::rng::{Purpose, stream};
use spindle_core::{NodeId, Resolution, Step};

use crate::devices::{DeviceError, window_steps};

/// The models of this module, by NEST's names.
pub const SOURCE_MODELS: &[&str] = &[
    "sinusoidal_poisson_generator",
    "sinusoidal_gamma_generator",
    "inhomogeneous_poisson_generator",
    "mip_generator",
    "pulsepacket_generator",
    "gamma_sup_generator",
    "ppd_sup_generator",
];

/// A parameter's value, as NEST's dictionaries hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceValue {
    /// A double.
    Number(f64),
    /// A bool.
    Flag(bool),
    /// A list of doubles.
    List(Vec<f64>),
}

/// What each model has, in NEST's units (Hz, degrees, ms).
#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// Poisson trains of rate `rate + amplitude * sin(2 pi frequency t +
    /// phase)`, clipped at 0.
    SinusoidalPoisson {
        /// Mean rate [Hz].
        rate: f64,
        /// Modulation amplitude [Hz].
        amplitude: f64,
        /// Modulation frequency [Hz].
        frequency: f64,
        /// Modulation phase [deg].
        phase: f64,
        /// A train of its own for each target (else one for all).
        individual_spike_trains: bool,
    },
    /// Gamma processes of order `order` with the same sinusoidal rate.
    SinusoidalGamma {
        /// Mean rate [Hz].
        rate: f64,
        /// Modulation amplitude [Hz], at most `rate`.
        amplitude: f64,
        /// Modulation frequency [Hz].
        frequency: f64,
        /// Modulation phase [deg].
        phase: f64,
        /// Gamma order, at least 1.
        order: f64,
        /// A train of its own for each target (else one for all).
        individual_spike_trains: bool,
    },
    /// Poisson trains whose rate steps to `rate_values[i]` at
    /// `rate_times[i]`.
    InhomogeneousPoisson {
        /// Times the rate changes [ms], on the grid.
        rate_times: Vec<f64>,
        /// The rates from then on [Hz].
        rate_values: Vec<f64>,
        /// Off-grid times are rounded up to the grid.
        allow_offgrid_times: bool,
    },
    /// A Poisson parent train of rate `rate`, each of whose spikes every
    /// target gets with probability `p_copy`.
    Mip {
        /// Parent rate [Hz].
        rate: f64,
        /// Copy probability.
        p_copy: f64,
    },
    /// `activity` spikes around each of `pulse_times`, normally spread
    /// with deviation `sdev`; the same for every target.
    PulsePacket {
        /// Pulse centres [ms], sorted.
        pulse_times: Vec<f64>,
        /// Spikes per pulse.
        activity: i64,
        /// Spread of a pulse [ms].
        sdev: f64,
    },
    /// The superposition of `n_proc` gamma processes of shape
    /// `gamma_shape`, each of rate `rate`, per target.
    GammaSup {
        /// Rate of each component [Hz].
        rate: f64,
        /// Shape of the gamma intervals (at least 1).
        gamma_shape: i64,
        /// Components (at least 1).
        n_proc: i64,
    },
    /// The superposition of `n_proc` Poisson processes with dead time,
    /// each of rate `rate`, optionally modulated, per target.
    PpdSup {
        /// Rate of each component [Hz].
        rate: f64,
        /// Dead time [ms].
        dead_time: f64,
        /// Components (at least 1).
        n_proc: i64,
        /// Modulation frequency [Hz].
        frequency: f64,
        /// Modulation depth, in [0, 1].
        relative_amplitude: f64,
    },
}

/// A spike source node's parameters: its model's and the activity window
/// every stimulation device has.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeSourceParams {
    /// The model and its parameters.
    pub kind: SourceKind,
    /// Start of activity relative to origin [ms] (excluded).
    pub start: f64,
    /// End of activity relative to origin [ms] (included).
    pub stop: f64,
    /// Origin of the device's time [ms].
    pub origin: f64,
}

/// How far (in `sdev`s) around the present a pulse's spikes are drawn
/// (NEST's `sdev_tolerance`).
const SDEV_TOLERANCE: f64 = 10.0;

impl SpikeSourceParams {
    /// NEST's defaults of model `name`.
    pub fn defaults(name: &str) -> Option<Self> {
        let kind = match name {
            "sinusoidal_poisson_generator" => SourceKind::SinusoidalPoisson {
                rate: 0.0,
                amplitude: 0.0,
                frequency: 0.0,
                phase: 0.0,
                individual_spike_trains: true,
            },
            "sinusoidal_gamma_generator" => SourceKind::SinusoidalGamma {
                rate: 0.0,
                amplitude: 0.0,
                frequency: 0.0,
                phase: 0.0,
                order: 1.0,
                individual_spike_trains: true,
            },
            "inhomogeneous_poisson_generator" => SourceKind::InhomogeneousPoisson {
                rate_times: Vec::new(),
                rate_values: Vec::new(),
                allow_offgrid_times: false,
            },
            "mip_generator" => SourceKind::Mip {
                rate: 0.0,
                p_copy: 1.0,
            },
            "pulsepacket_generator" => SourceKind::PulsePacket {
                pulse_times: Vec::new(),
                activity: 0,
                sdev: 0.0,
            },
            "gamma_sup_generator" => SourceKind::GammaSup {
                rate: 0.0,
                gamma_shape: 1,
                n_proc: 1,
            },
            "ppd_sup_generator" => SourceKind::PpdSup {
                rate: 0.0,
                dead_time: 0.0,
                n_proc: 1,
                frequency: 0.0,
                relative_amplitude: 0.0,
            },
            _ => return None,
        };
        Some(Self {
            kind,
            start: 0.0,
            stop: f64::INFINITY,
            origin: 0.0,
        })
    }

    /// NEST's model name.
    pub fn name(&self) -> &'static str {
        match self.kind {
            SourceKind::SinusoidalPoisson { .. } => "sinusoidal_poisson_generator",
            SourceKind::SinusoidalGamma { .. } => "sinusoidal_gamma_generator",
            SourceKind::InhomogeneousPoisson { .. } => "inhomogeneous_poisson_generator",
            SourceKind::Mip { .. } => "mip_generator",
            SourceKind::PulsePacket { .. } => "pulsepacket_generator",
            SourceKind::GammaSup { .. } => "gamma_sup_generator",
            SourceKind::PpdSup { .. } => "ppd_sup_generator",
        }
    }

    /// What a multimeter can record from it.
    pub fn recordables(&self) -> &'static [&'static str] {
        match self.kind {
            SourceKind::SinusoidalPoisson { .. } | SourceKind::SinusoidalGamma { .. } => &["rate"],
            _ => &[],
        }
    }

    /// Its parameters by NEST's names (the window last).
    pub fn get(&self) -> Vec<(&'static str, SourceValue)> {
        use SourceValue::{Flag, List, Number};
        let mut out = match &self.kind {
            SourceKind::SinusoidalPoisson {
                rate,
                amplitude,
                frequency,
                phase,
                individual_spike_trains,
            }
            | SourceKind::SinusoidalGamma {
                rate,
                amplitude,
                frequency,
                phase,
                individual_spike_trains,
                ..
            } => {
                let mut v = vec![
                    ("rate", Number(*rate)),
                    ("amplitude", Number(*amplitude)),
                    ("frequency", Number(*frequency)),
                    ("phase", Number(*phase)),
                ];
                if let SourceKind::SinusoidalGamma { order, .. } = &self.kind {
                    v.push(("order", Number(*order)));
                }
                v.push(("individual_spike_trains", Flag(*individual_spike_trains)));
                v
            }
            SourceKind::InhomogeneousPoisson {
                rate_times,
                rate_values,
                allow_offgrid_times,
            } => vec![
                ("rate_times", List(rate_times.clone())),
                ("rate_values", List(rate_values.clone())),
                ("allow_offgrid_times", Flag(*allow_offgrid_times)),
            ],
            SourceKind::Mip { rate, p_copy } => {
                vec![("rate", Number(*rate)), ("p_copy", Number(*p_copy))]
            }
            SourceKind::PulsePacket {
                pulse_times,
                activity,
                sdev,
            } => vec![
                ("pulse_times", List(pulse_times.clone())),
                ("activity", Number(*activity as f64)),
                ("sdev", Number(*sdev)),
            ],
            SourceKind::GammaSup {
                rate,
                gamma_shape,
                n_proc,
            } => vec![
                ("rate", Number(*rate)),
                ("gamma_shape", Number(*gamma_shape as f64)),
                ("n_proc", Number(*n_proc as f64)),
            ],
            SourceKind::PpdSup {
                rate,
                dead_time,
                n_proc,
                frequency,
                relative_amplitude,
            } => vec![
                ("rate", Number(*rate)),
                ("dead_time", Number(*dead_time)),
                ("n_proc", Number(*n_proc as f64)),
                ("frequency", Number(*frequency)),
                ("relative_amplitude", Number(*relative_amplitude)),
            ],
        };
        out.push(("start", Number(self.start)));
        out.push(("stop", Number(self.stop)));
        out.push(("origin", Number(self.origin)));
        out
    }

    /// The kind of value parameter `key` takes, `None` for a name the
    /// model does not have.
    pub fn value_of(&self, key: &str) -> Option<SourceValue> {
        self.get()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// Set the parameters of `values` (NEST's names) as a whole, checked as
    /// NEST checks them: `instance` says whether a node is set (NEST takes
    /// `individual_spike_trains` on model defaults only); `now` is the
    /// present [ms] and `res` the grid, against which rate times are
    /// placed. Unknown names are the caller's to refuse first.
    pub fn set(
        &mut self,
        values: &[(&str, SourceValue)],
        instance: bool,
        now: f64,
        res: Resolution,
    ) -> Result<(), DeviceError> {
        let mut next = self.clone();
        let number = |key: &str, v: &SourceValue| match v {
            SourceValue::Number(x) => Ok(*x),
            _ => Err(DeviceError::Invalid(format!("{key} must be a number"))),
        };
        let flag = |key: &str, v: &SourceValue| match v {
            SourceValue::Flag(b) => Ok(*b),
            SourceValue::Number(x) => Ok(*x != 0.0),
            _ => Err(DeviceError::Invalid(format!("{key} must be a bool"))),
        };
        let list = |key: &str, v: &SourceValue| match v {
            SourceValue::List(l) => Ok(l.clone()),
            SourceValue::Number(x) => Ok(vec![*x]),
            _ => Err(DeviceError::Invalid(format!(
                "{key} must be a list of numbers"
            ))),
        };
        let integer = |key: &str, v: &SourceValue| {
            let x = number(key, v)?;
            if x.fract() != 0.0 || !x.is_finite() {
                return Err(DeviceError::Invalid(format!("{key} must be an integer")));
            }
            Ok(x as i64)
        };
        let has = |key: &str| values.iter().any(|(k, _)| *k == key);
        if instance && has("individual_spike_trains") {
            return Err(DeviceError::Invalid(
                "The individual_spike_trains property can only be set as a model default using \
                 SetDefaults or upon CopyModel."
                    .into(),
            ));
        }
        let mut new_times = None;
        for (key, v) in values {
            match (&mut next.kind, *key) {
                (_, "start") => next.start = number(key, v)?,
                (_, "stop") => next.stop = number(key, v)?,
                (_, "origin") => next.origin = number(key, v)?,
                (SourceKind::SinusoidalGamma { order, .. }, "order") => *order = number(key, v)?,
                (
                    SourceKind::SinusoidalPoisson {
                        rate,
                        amplitude,
                        frequency,
                        phase,
                        individual_spike_trains,
                    }
                    | SourceKind::SinusoidalGamma {
                        rate,
                        amplitude,
                        frequency,
                        phase,
                        individual_spike_trains,
                        ..
                    },
                    k,
                ) => match k {
                    "rate" => *rate = number(key, v)?,
                    "amplitude" => *amplitude = number(key, v)?,
                    "frequency" => *frequency = number(key, v)?,
                    "phase" => *phase = number(key, v)?,
                    "individual_spike_trains" => *individual_spike_trains = flag(key, v)?,
                    _ => {}
                },
                (
                    SourceKind::InhomogeneousPoisson {
                        rate_values,
                        allow_offgrid_times,
                        rate_times,
                    },
                    k,
                ) => match k {
                    "rate_times" => new_times = Some(list(key, v)?),
                    "rate_values" => *rate_values = list(key, v)?,
                    "allow_offgrid_times" => {
                        let f = flag(key, v)?;
                        if f != *allow_offgrid_times
                            && !(has("rate_times") || rate_times.is_empty())
                        {
                            return Err(DeviceError::Invalid(
                                "Option can only be set together with rate times or if no rate \
                                 times have been set."
                                    .into(),
                            ));
                        }
                        *allow_offgrid_times = f;
                    }
                    _ => {}
                },
                (SourceKind::Mip { rate, p_copy }, k) => match k {
                    "rate" => *rate = number(key, v)?,
                    "p_copy" => *p_copy = number(key, v)?,
                    _ => {}
                },
                (
                    SourceKind::PulsePacket {
                        pulse_times,
                        activity,
                        sdev,
                    },
                    k,
                ) => match k {
                    "pulse_times" => {
                        let mut t = list(key, v)?;
                        t.sort_by(f64::total_cmp);
                        *pulse_times = t;
                    }
                    "activity" => *activity = integer(key, v)?,
                    "sdev" => *sdev = number(key, v)?,
                    _ => {}
                },
                (
                    SourceKind::GammaSup {
                        rate,
                        gamma_shape,
                        n_proc,
                    },
                    k,
                ) => match k {
                    "rate" => *rate = number(key, v)?,
                    "gamma_shape" => *gamma_shape = integer(key, v)?,
                    "n_proc" => *n_proc = integer(key, v)?,
                    _ => {}
                },
                (
                    SourceKind::PpdSup {
                        rate,
                        dead_time,
                        n_proc,
                        frequency,
                        relative_amplitude,
                    },
                    k,
                ) => match k {
                    "rate" => *rate = number(key, v)?,
                    "dead_time" => *dead_time = number(key, v)?,
                    "n_proc" => *n_proc = integer(key, v)?,
                    "frequency" => *frequency = number(key, v)?,
                    "relative_amplitude" => *relative_amplitude = number(key, v)?,
                    _ => {}
                },
            }
        }
        if let SourceKind::InhomogeneousPoisson {
            rate_times,
            rate_values,
            allow_offgrid_times,
        } = &mut next.kind
        {
            if new_times.is_some() != has("rate_values") {
                return Err(DeviceError::Invalid(
                    "Rate times and values must be reset together.".into(),
                ));
            }
            if let Some(times) = new_times.filter(|t| !t.is_empty()) {
                if times.len() != rate_values.len() {
                    return Err(DeviceError::Invalid(
                        "Rate times and values have to be the same size.".into(),
                    ));
                }
                *rate_times = grid_rate_times(&times, *allow_offgrid_times, now, res)?;
            }
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// NEST's checks of the values.
    pub fn validate(&self) -> Result<(), DeviceError> {
        let bad = |m: &str| Err(DeviceError::Invalid(m.into()));
        let finite = |what: &'static str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(DeviceError::NotFinite {
                    model: self.name(),
                    what,
                    value: x,
                })
            }
        };
        match &self.kind {
            SourceKind::SinusoidalPoisson {
                rate,
                amplitude,
                frequency,
                phase,
                ..
            } => {
                finite("rate", *rate)?;
                finite("amplitude", *amplitude)?;
                finite("frequency", *frequency)?;
                finite("phase", *phase)?;
            }
            SourceKind::SinusoidalGamma {
                rate,
                amplitude,
                frequency,
                phase,
                order,
                ..
            } => {
                finite("frequency", *frequency)?;
                finite("phase", *phase)?;
                if order.is_nan() || *order < 1.0 || !order.is_finite() {
                    return bad("The gamma order must be at least 1.");
                }
                if !(0.0 <= *amplitude && amplitude <= rate && rate.is_finite()) {
                    return bad("Rate parameters must fulfill 0 <= amplitude <= rate.");
                }
            }
            SourceKind::InhomogeneousPoisson { rate_values, .. } => {
                if rate_values.iter().any(|r| !r.is_finite()) {
                    return bad("inhomogeneous_poisson_generator: rates must be finite.");
                }
            }
            SourceKind::Mip { rate, p_copy } => {
                if rate.is_nan() || *rate < 0.0 || !rate.is_finite() {
                    return bad("Rate must be non-negative.");
                }
                if !(0.0..=1.0).contains(p_copy) {
                    return bad("Copy probability must be in [0, 1].");
                }
            }
            SourceKind::PulsePacket {
                activity,
                sdev,
                pulse_times,
            } => {
                if *activity < 0 {
                    return bad("The activity cannot be negative.");
                }
                if sdev.is_nan() || *sdev < 0.0 || !sdev.is_finite() {
                    return bad("The standard deviation cannot be negative.");
                }
                if pulse_times.iter().any(|t| !t.is_finite()) {
                    return bad("pulsepacket_generator: pulse times must be finite.");
                }
            }
            SourceKind::GammaSup {
                rate,
                gamma_shape,
                n_proc,
            } => {
                if *gamma_shape < 1 {
                    return bad("The shape must be larger or equal 1");
                }
                if rate.is_nan() || *rate < 0.0 || !rate.is_finite() {
                    return bad("The rate must be larger than 0.");
                }
                if *n_proc < 1 {
                    return bad("The number of component processes cannot be smaller than one");
                }
            }
            SourceKind::PpdSup {
                rate,
                dead_time,
                n_proc,
                relative_amplitude,
                frequency,
            } => {
                finite("frequency", *frequency)?;
                if dead_time.is_nan() || *dead_time < 0.0 {
                    return bad("The dead time cannot be negative.");
                }
                if rate.is_nan() || !rate.is_finite() || *rate < 0.0 || 1000.0 / rate <= *dead_time
                {
                    return bad("The inverse rate has to be larger than the dead time.");
                }
                if *n_proc < 1 {
                    return bad("The number of component processes cannot be smaller than one");
                }
                if !(0.0..=1.0).contains(relative_amplitude) {
                    return bad("The relative amplitude of the rate modulation must be in [0,1].");
                }
            }
        }
        if self.stop < self.start
            || self.start.is_nan()
            || self.stop.is_nan()
            || !self.origin.is_finite()
        {
            return Err(DeviceError::Window(self.name()));
        }
        Ok(())
    }

    /// Whether every target gets the same train.
    pub fn shared_train(&self) -> bool {
        match &self.kind {
            SourceKind::SinusoidalPoisson {
                individual_spike_trains,
                ..
            }
            | SourceKind::SinusoidalGamma {
                individual_spike_trains,
                ..
            } => !individual_spike_trains,
            SourceKind::InhomogeneousPoisson { .. }
            | SourceKind::Mip { .. }
            | SourceKind::GammaSup { .. }
            | SourceKind::PpdSup { .. } => false,
            SourceKind::PulsePacket { .. } => true,
        }
    }

    /// The rate [Hz] NEST's multimeter records in each step of
    /// `from..to`, a run's steps (active or not); empty for a source
    /// without that recordable.
    pub fn recorded_rates(&self, from: Step, to: Step, res: Resolution) -> Vec<f64> {
        match &self.kind {
            SourceKind::SinusoidalPoisson { .. } => {
                let mut osc = Oscillator::new(self, res.ms(from), res.h());
                (from..to).map(|_| osc.step().max(0.0) * 1000.0).collect()
            }
            SourceKind::SinusoidalGamma { .. } => {
                let g = GammaRate::of(self);
                (from..to).map(|s| g.rate(res.ms(s + 1)) * 1000.0).collect()
            }
            _ => Vec::new(),
        }
    }

    /// What the run over steps `from..to` needs from the generator's
    /// shared state `shared`: its rates, and the train shared by all
    /// targets where there is one.
    pub fn plan(&self, shared: &mut Shared, from: Step, to: Step, res: Resolution) -> Plan {
        let (t_min, t_max) = window_steps(self.start, self.stop, self.origin, res);
        let active = move |s: Step| t_min < s && s <= t_max;
        let h = res.h();
        let len = to.saturating_sub(from) as usize;
        let mut plan = Plan {
            from,
            to,
            h,
            rates: Vec::new(),
            shared: None,
            copy: None,
            gamma: None,
            renewal: None,
        };
        match &self.kind {
            SourceKind::SinusoidalPoisson { .. } => {
                let mut osc = Oscillator::new(self, res.ms(from), h);
                plan.rates = (from..to)
                    .map(|s| {
                        let r = osc.step().max(0.0);
                        if active(s) { r } else { 0.0 }
                    })
                    .collect();
            }
            SourceKind::SinusoidalGamma { .. } => {
                let g = GammaRate::of(self);
                plan.rates = (from..to)
                    .map(|s| {
                        let r = g.rate(res.ms(s + 1));
                        if active(s) { r } else { 0.0 }
                    })
                    .collect();
                plan.gamma = Some((g, res.ms(from)));
            }
            SourceKind::InhomogeneousPoisson {
                rate_times,
                rate_values,
                ..
            } => {
                // NEST skips the times not after the run's first step and
                // takes each later one a step ahead.
                let stamps: Vec<(Step, f64)> = rate_times
                    .iter()
                    .zip(rate_values)
                    .map(|(&t, &r)| (res.steps_up_exact(t), r))
                    .filter(|&(st, _)| st > from)
                    .collect();
                let mut next = 0;
                plan.rates = Vec::with_capacity(len);
                for s in from..to {
                    while next < stamps.len() && stamps[next].0 == s + 1 {
                        shared.rate = stamps[next].1 / 1000.0;
                        next += 1;
                    }
                    plan.rates.push(if active(s) { shared.rate } else { 0.0 });
                }
            }
            SourceKind::Mip { rate, p_copy } => {
                plan.copy = Some(*p_copy);
                let mean = h * rate * 1e-3;
                let mut parent = Vec::new();
                if *rate > 0.0 {
                    for s in from..to {
                        if active(s) {
                            let k = shared.draw.poisson(mean);
                            if k > 0 {
                                parent.push((s, k));
                            }
                        }
                    }
                }
                plan.shared = Some(parent);
            }
            SourceKind::GammaSup {
                rate,
                gamma_shape,
                n_proc,
            } => {
                // NEST's transition probability of one component, per
                // step, between its gamma_shape stages.
                let p = rate * *gamma_shape as f64 * h / 1000.0;
                if *rate > 0.0 {
                    plan.rates = (from..to)
                        .map(|s| if active(s) { p } else { 0.0 })
                        .collect();
                }
                let (shape, n) = (*gamma_shape as u64, *n_proc as u64);
                let first = n / shape;
                let mut occupation = vec![first; shape as usize];
                *occupation.last_mut().expect("shape >= 1") += n - first * shape;
                plan.renewal = Some(Renewal {
                    gamma: true,
                    occupation,
                    active: 0,
                });
            }
            SourceKind::PpdSup {
                rate,
                dead_time,
                n_proc,
                frequency,
                relative_amplitude,
            } => {
                let bins = (dead_time / h) as u64;
                let hazard = 1.0 / (1000.0 / rate - dead_time) * h;
                let omega = 2.0 * PI * frequency / 1000.0;
                if *rate > 0.0 {
                    plan.rates = (from..to)
                        .map(|s| match active(s) {
                            false => 0.0,
                            true if *relative_amplitude > 0.0 && *frequency != 0.0 => {
                                hazard * (1.0 + relative_amplitude * (omega * res.ms(s)).sin())
                            }
                            true => hazard,
                        })
                        .collect();
                }
                let first = (rate / 1000.0 * *n_proc as f64 * h) as u64;
                let n = *n_proc as u64;
                plan.renewal = Some(Renewal {
                    gamma: false,
                    occupation: vec![first; bins as usize],
                    active: n.saturating_sub(first * bins),
                });
            }
            SourceKind::PulsePacket {
                pulse_times,
                activity,
                sdev,
            } => {
                if shared.params.as_ref() != Some(self) {
                    shared.pending.clear();
                }
                plan.shared = Some(pulse_packets(
                    shared,
                    pulse_times,
                    *activity,
                    *sdev,
                    (from, to),
                    res,
                    active,
                ));
            }
        }
        if self.shared_train() && plan.shared.is_none() {
            let mut out = Vec::new();
            plan.train(&mut shared.train, &mut out);
            plan.shared = Some(out);
        }
        shared.params = Some(self.clone());
        plan
    }
}

/// Rate times placed on the grid as NEST places them: strictly in the
/// future, on the grid or (`offgrid`) rounded up to it, strictly
/// increasing.
fn grid_rate_times(
    times: &[f64],
    offgrid: bool,
    now: f64,
    res: Resolution,
) -> Result<Vec<f64>, DeviceError> {
    let mut out: Vec<f64> = Vec::with_capacity(times.len());
    let mut last: Option<Step> = None;
    for &t in times {
        if !t.is_finite() || t <= now {
            return Err(DeviceError::Invalid(
                "Time points must lie strictly in the future.".into(),
            ));
        }
        let tics = (t * 1000.0).round();
        let on_grid = (tics - t * 1000.0).abs() < 1e-6 * tics.max(1.0)
            && (tics as i64) % res.tics_per_step() == 0;
        let step = if on_grid {
            (tics as i64 / res.tics_per_step()) as Step
        } else if offgrid {
            res.steps_up_exact(t)
        } else {
            return Err(DeviceError::Invalid(format!(
                "inhomogeneous_poisson_generator: Time point {t} is not representable in current \
                 resolution."
            )));
        };
        if last.is_some_and(|l| l >= step) {
            return Err(DeviceError::Invalid(
                "Rate times must be strictly increasing.".into(),
            ));
        }
        last = Some(step);
        out.push(res.ms(step));
    }
    Ok(out)
}

/// NEST's angular frequency [1/ms] of a frequency in Hz.
fn omega(frequency: f64) -> f64 {
    frequency * (2.0 * PI / 1000.0)
}

/// The `sinusoidal_poisson_generator`'s oscillator: NEST turns the vector
/// (y0, y1) by `h * omega` each step (so its rounding is NEST's), starting
/// at the run's first time.
struct Oscillator {
    y0: f64,
    y1: f64,
    sin: f64,
    cos: f64,
    rate: f64,
}

impl Oscillator {
    fn new(p: &SpikeSourceParams, t: f64, h: f64) -> Self {
        let SourceKind::SinusoidalPoisson {
            rate,
            amplitude,
            frequency,
            phase,
            ..
        } = p.kind
        else {
            unreachable!("a sinusoidal_poisson_generator")
        };
        let (om, phi, amp) = (omega(frequency), phase * PI / 180.0, amplitude / 1000.0);
        Self {
            y0: amp * (om * t + phi).cos(),
            y1: amp * (om * t + phi).sin(),
            sin: (h * om).sin(),
            cos: (h * om).cos(),
            rate: rate / 1000.0,
        }
    }

    /// The rate [1/ms] of the next step, unclipped.
    fn step(&mut self) -> f64 {
        let y0 = self.cos * self.y0 - self.sin * self.y1;
        self.y1 = self.sin * self.y0 + self.cos * self.y1;
        self.y0 = y0;
        self.rate + self.y1
    }
}

/// The `sinusoidal_gamma_generator`'s rate, in NEST's units (1/ms, 1/ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaRate {
    rate: f64,
    amplitude: f64,
    om: f64,
    phi: f64,
    order: f64,
}

impl GammaRate {
    fn of(p: &SpikeSourceParams) -> Self {
        let SourceKind::SinusoidalGamma {
            rate,
            amplitude,
            frequency,
            phase,
            order,
            ..
        } = p.kind
        else {
            unreachable!("a sinusoidal_gamma_generator")
        };
        Self {
            rate: rate * 1e-3,
            amplitude: amplitude * 1e-3,
            om: omega(frequency),
            phi: phase * PI / 180.0,
            order,
        }
    }

    /// The rate [1/ms] at time `t` [ms].
    fn rate(&self, t: f64) -> f64 {
        self.rate + self.amplitude * (self.om * t + self.phi).sin()
    }

    /// NEST's `deltaLambda_`: the integral of `order * rate` from `ta` to
    /// `tb`.
    fn delta_lambda(&self, ta: f64, tb: f64) -> f64 {
        if ta == tb {
            return 0.0;
        }
        let mut d = self.order * self.rate * (tb - ta);
        if self.amplitude.abs() > 0.0 && self.om.abs() > 0.0 {
            d += -self.order * self.amplitude / self.om
                * ((self.om * tb + self.phi).cos() - (self.om * ta + self.phi).cos());
        }
        d
    }
}

/// One target's train between runs: its stream, and a gamma process's
/// time of the last spike (or parameter change) and the integral of its
/// rate up to then.
#[derive(Debug, Clone)]
pub struct Train {
    draw: Draw,
    t0: f64,
    lambda_t0: f64,
    /// The rate its integral was last taken under.
    prev: Option<GammaRate>,
    /// A superposition's components, and a PPD's next refractory bin.
    renewal: Option<(Renewal, usize)>,
}

impl Train {
    /// The train of generator `generator` to `target`, drawn from a stream
    /// of its own.
    pub fn new(seed: u64, generator: NodeId, target: u64) -> Self {
        Self {
            draw: Draw::new(stream(seed, Purpose::Poisson, generator as u64, target)),
            t0: f64::NAN,
            lambda_t0: 0.0,
            prev: None,
            renewal: None,
        }
    }
}

/// A generator's state between runs that all its targets share.
#[derive(Debug, Clone)]
pub struct Shared {
    draw: Draw,
    /// The train of a source that sends one train to all targets.
    train: Train,
    /// `inhomogeneous_poisson_generator`: the rate now [1/ms].
    rate: f64,
    /// `pulsepacket_generator`: spike steps drawn, not yet sent.
    pending: VecDeque<Step>,
    /// The parameters of the last run (a pulse packet's drawn spikes are
    /// dropped when they change, as NEST drops them).
    params: Option<SpikeSourceParams>,
}

/// The key of a generator's shared stream ([`Train::new`]'s targets are
/// node ids, below it).
const SHARED: u64 = 1 << 40;

impl Shared {
    /// The shared state of generator `generator`.
    pub fn new(seed: u64, generator: NodeId) -> Self {
        Self {
            draw: Draw::new(stream(seed, Purpose::Poisson, generator as u64, SHARED)),
            train: Train::new(seed, generator, SHARED + 1),
            rate: 0.0,
            pending: VecDeque::new(),
            params: None,
        }
    }
}

/// What one run of a generator gives every target's train.
#[derive(Debug, Clone)]
pub struct Plan {
    from: Step,
    to: Step,
    h: f64,
    /// Per step of the run, the rate [1/ms] (0 where inactive).
    rates: Vec<f64>,
    /// The train every target gets (a `mip_generator`'s parent train).
    shared: Option<Vec<(Step, u64)>>,
    /// A `mip_generator`'s copy probability.
    copy: Option<f64>,
    /// A gamma generator's rate and the run's first time [ms].
    gamma: Option<(GammaRate, f64)>,
    /// A superposition's state at the start, for trains not begun.
    renewal: Option<Renewal>,
}

/// The state of a superposition of renewal processes (NEST's
/// `gamma_sup_generator::Internal_states_` and
/// `ppd_sup_generator::Age_distribution_`). NEST draws a binomial count,
/// or a Poisson count where that approximates it well; Spindle draws the
/// binomial, which is exact in every case.
#[derive(Debug, Clone, PartialEq)]
struct Renewal {
    /// Gamma stages (else the dead-time bins of a PPD).
    gamma: bool,
    /// Components per stage (gamma) or refractory bin (PPD).
    occupation: Vec<u64>,
    /// PPD: components free to fire.
    active: u64,
}

impl Renewal {
    /// One step at transition probability (gamma) or hazard (PPD) `p`,
    /// `at` a PPD's next refractory bin: the spikes the components fire.
    fn step(&mut self, p: f64, draw: &mut Draw, at: &mut usize) -> u64 {
        if self.gamma {
            let moved: Vec<u64> = self
                .occupation
                .iter()
                .map(|&n| if n > 0 { draw.binomial(n, p) } else { 0 })
                .collect();
            let last = moved.len() - 1;
            for (i, &m) in moved.iter().enumerate() {
                self.occupation[i] -= m;
                self.occupation[if i == last { 0 } else { i + 1 }] += m;
            }
            moved[last]
        } else {
            let n = if self.active > 0 {
                draw.binomial(self.active, p)
            } else {
                0
            };
            if !self.occupation.is_empty() {
                self.active = self.active + self.occupation[*at] - n;
                self.occupation[*at] = n;
                *at = (*at + 1) % self.occupation.len();
            }
            n
        }
    }
}

impl Plan {
    /// The spikes target train `train` gets in this run, appended to
    /// `out` as (step sent, multiplicity), by step.
    pub fn spikes(&self, train: &mut Train, out: &mut Vec<(Step, u64)>) {
        match (&self.shared, self.copy) {
            (Some(parent), Some(p)) => {
                for &(s, n) in parent {
                    let k = (0..n).filter(|_| train.draw.unit() < p).count() as u64;
                    if k > 0 {
                        out.push((s, k));
                    }
                }
            }
            (Some(shared), None) => out.extend_from_slice(shared),
            (None, _) => self.train(train, out),
        }
    }

    /// The spikes of `train` drawn afresh under this run's rates.
    fn train(&self, train: &mut Train, out: &mut Vec<(Step, u64)>) {
        if let Some(init) = &self.renewal {
            // A train keeps its components while their stages match (NEST
            // keeps a target's state), else begins afresh.
            let same = matches!(&train.renewal, Some((r, _))
                if r.gamma == init.gamma && r.occupation.len() == init.occupation.len());
            if !same {
                train.renewal = Some((init.clone(), 0));
            }
            let (state, at) = train.renewal.as_mut().expect("set");
            for (k, &p) in self.rates.iter().enumerate() {
                if p > 0.0 {
                    let n = state.step(p, &mut train.draw, at);
                    if n > 0 {
                        out.push((self.from + k as Step, n));
                    }
                }
            }
            return;
        }
        if let Some((g, t_run)) = self.gamma {
            // NEST's pre_run_hook: the integral of the rate so far, under
            // the parameters it ran with.
            if train.t0.is_nan() {
                train.t0 = t_run;
            }
            let prev = train.prev.unwrap_or(g);
            train.lambda_t0 += prev.delta_lambda(train.t0, t_run);
            train.t0 = t_run;
            train.prev = Some(g);
            for (k, &r) in self.rates.iter().enumerate() {
                if r <= 0.0 {
                    continue;
                }
                let s = self.from + k as Step;
                let t = (s + 1) as f64 * self.h;
                let lambda = train.lambda_t0 + g.delta_lambda(train.t0, t);
                let hazard = self.h * g.order * r * gamma_hazard(g.order, lambda);
                if train.draw.unit() < hazard {
                    out.push((s, 1));
                    train.t0 = t;
                    train.lambda_t0 = 0.0;
                }
            }
            return;
        }
        for (k, &r) in self.rates.iter().enumerate() {
            if r > 0.0 {
                let n = train.draw.poisson(r * self.h);
                if n > 0 {
                    out.push((self.from + k as Step, n));
                }
            }
        }
    }

    /// Steps of the run.
    pub fn steps(&self) -> std::ops::Range<Step> {
        self.from..self.to
    }
}

/// A `pulsepacket_generator`'s spikes in steps `from..to`: pulses whose
/// centre comes within `SDEV_TOLERANCE * sdev` (1 ms without spread) of a
/// step are drawn then, spikes before the step dropped, as NEST draws them.
fn pulse_packets(
    shared: &mut Shared,
    pulse_times: &[f64],
    activity: i64,
    sdev: f64,
    (from, to): (Step, Step),
    res: Resolution,
    active: impl Fn(Step) -> bool,
) -> Vec<(Step, u64)> {
    let tolerance = if sdev > 0.0 {
        sdev * SDEV_TOLERANCE
    } else {
        1.0
    };
    // Pulses long past at the run's start are skipped (NEST's
    // start_center_idx_).
    let now = res.ms(from);
    let mut next = pulse_times.partition_point(|&t| t - now < -tolerance);
    let mut out: Vec<(Step, u64)> = Vec::new();
    for s in from..to {
        if !active(s) {
            continue;
        }
        let t = res.ms(s);
        while next < pulse_times.len() && pulse_times[next] - t <= tolerance {
            for _ in 0..activity {
                let x = sdev * shared.draw.normal() + pulse_times[next];
                if x >= 0.0 {
                    let st = res.steps_up(x);
                    if st >= s {
                        shared.pending.push_back(st);
                    }
                }
            }
            next += 1;
            shared.pending.make_contiguous().sort_unstable();
        }
        let mut n = 0;
        while shared.pending.front() == Some(&s) {
            shared.pending.pop_front();
            n += 1;
        }
        if n > 0 {
            out.push((s, n));
        }
    }
    out
}

/// `x^(a-1) e^-x / Gamma(a, x)` (upper incomplete gamma function, not
/// normalised: GSL's `gamma_inc`), the gamma hazard's shape.
fn gamma_hazard(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return if a == 1.0 { 1.0 } else { 0.0 };
    }
    if a == 1.0 {
        return 1.0;
    }
    let ln_gamma_a = ln_gamma(a);
    if x < a + 1.0 {
        // Gamma(a, x) = Gamma(a) (1 - P(a, x)), P by its series.
        let (mut ap, mut del) = (a, 1.0 / a);
        let mut sum = del;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        let p = sum * (-x + a * x.ln() - ln_gamma_a).exp();
        ((a - 1.0) * x.ln() - x - ln_gamma_a).exp() / (1.0 - p)
    } else {
        // Gamma(a, x) = e^-x x^a F, F by Lentz's continued fraction.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut f = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            f *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 / (x * f)
    }
}

/// `ln Gamma(a)` for `a > 0`, by Lanczos' approximation (g = 7).
fn ln_gamma(a: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if a < 0.5 {
        // Reflection.
        return (PI / (PI * a).sin()).ln() - ln_gamma(1.0 - a);
    }
    let z = a - 1.0;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (z + i as f64);
    }
    let t = z + 7.5;
    0.5 * (2.0 * PI).ln() + (z + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res() -> Resolution {
        Resolution::new(0.1).unwrap()
    }

    fn source(name: &str, values: &[(&str, SourceValue)]) -> SpikeSourceParams {
        let mut p = SpikeSourceParams::defaults(name).unwrap();
        p.set(values, false, 0.0, res()).unwrap();
        p
    }

    fn count(p: &SpikeSourceParams, targets: u64, steps: Step) -> Vec<u64> {
        let mut shared = Shared::new(1, 7);
        let plan = p.plan(&mut shared, 0, steps, res());
        (0..targets)
            .map(|t| {
                let mut out = Vec::new();
                plan.spikes(&mut Train::new(1, 7, t), &mut out);
                out.iter().map(|s| s.1).sum()
            })
            .collect()
    }

    #[test]
    fn ln_gamma_and_hazard_match_known_values() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-12);
        // Gamma(2, x) = (x + 1) e^-x: the hazard shape is x / (x + 1).
        for x in [0.1, 1.0, 2.9, 3.1, 10.0, 50.0] {
            let want = x / (x + 1.0);
            assert!((gamma_hazard(2.0, x) - want).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn sinusoidal_poisson_mean_rate_and_recorded_rate() {
        use SourceValue::Number;
        let p = source(
            "sinusoidal_poisson_generator",
            &[
                ("rate", Number(100.0)),
                ("amplitude", Number(50.0)),
                ("frequency", Number(10.0)),
            ],
        );
        let n = count(&p, 50, 10_000);
        let mean = n.iter().sum::<u64>() as f64 / 50.0;
        // 1 s at 100 Hz: 100 spikes per target, sd 10 / sqrt(50).
        assert!((mean - 100.0).abs() < 5.0, "{mean}");
        assert!(n.windows(2).any(|w| w[0] != w[1]));
        // The oscillator follows rate + amplitude * sin(omega t).
        let r = p.recorded_rates(0, 25, res())[24];
        let want = 100.0 + 50.0 * (2.0 * PI * 10.0 * 2.5e-3).sin();
        assert!((r - want).abs() < 1e-9, "{r} {want}");
    }

    #[test]
    fn gamma_trains_have_their_rate_and_regularity() {
        use SourceValue::Number;
        let p = source(
            "sinusoidal_gamma_generator",
            &[("rate", Number(50.0)), ("order", Number(4.0))],
        );
        let n = count(&p, 40, 20_000);
        let mean = n.iter().sum::<u64>() as f64 / 40.0;
        // 2 s at 50 Hz.
        assert!((mean - 100.0).abs() < 6.0, "{mean}");
        // Order 4 is more regular than Poisson: variance well below mean.
        let var = n.iter().map(|&k| (k as f64 - mean).powi(2)).sum::<f64>() / 39.0;
        assert!(var < 0.6 * mean, "{var}");
    }

    #[test]
    fn mip_targets_share_the_parent_train() {
        use SourceValue::Number;
        let p = source(
            "mip_generator",
            &[("rate", Number(100.0)), ("p_copy", Number(0.5))],
        );
        let mut shared = Shared::new(1, 7);
        let plan = p.plan(&mut shared, 0, 100_000, res());
        let mut a = Vec::new();
        let mut b = Vec::new();
        plan.spikes(&mut Train::new(1, 7, 1), &mut a);
        plan.spikes(&mut Train::new(1, 7, 2), &mut b);
        // 10 s at 100 Hz * 0.5 each; about a quarter of the parent's
        // spikes in both.
        let na: u64 = a.iter().map(|s| s.1).sum();
        assert!((na as f64 - 500.0).abs() < 80.0, "{na}");
        let both = a.iter().filter(|s| b.iter().any(|t| t.0 == s.0)).count();
        assert!((both as f64 - 250.0).abs() < 60.0, "{both}");
    }

    #[test]
    fn pulse_packets_and_rate_steps() {
        use SourceValue::{List, Number};
        let p = source(
            "pulsepacket_generator",
            &[
                ("pulse_times", List(vec![20.0, 10.0])),
                ("activity", Number(30.0)),
                ("sdev", Number(1.0)),
            ],
        );
        let mut shared = Shared::new(1, 3);
        let plan = p.plan(&mut shared, 0, 400, res());
        let spikes = plan.shared.clone().unwrap();
        let n: u64 = spikes.iter().map(|s| s.1).sum();
        assert_eq!(n, 60);
        assert!(spikes.iter().all(|&(s, _)| (50..250).contains(&s)));
        let q = source(
            "inhomogeneous_poisson_generator",
            &[
                ("rate_times", List(vec![1.0, 2.0])),
                ("rate_values", List(vec![10.0, 0.0])),
            ],
        );
        let plan = q.plan(&mut Shared::new(1, 4), 0, 40, res());
        assert_eq!(plan.rates[9], 0.01);
        assert_eq!(plan.rates[8], 0.0);
        assert_eq!(plan.rates[19], 0.0);
        let bad = SpikeSourceParams::defaults("inhomogeneous_poisson_generator")
            .unwrap()
            .set(
                &[
                    ("rate_times", List(vec![0.15])),
                    ("rate_values", List(vec![1.0])),
                ],
                true,
                0.0,
                res(),
            );
        assert!(bad.is_err());
    }

    #[test]
    fn superpositions_fire_at_their_rate() {
        use SourceValue::Number;
        // 100 components at 5 Hz: 500 Hz per target, 1 s.
        let g = source(
            "gamma_sup_generator",
            &[
                ("rate", Number(5.0)),
                ("gamma_shape", Number(3.0)),
                ("n_proc", Number(100.0)),
            ],
        );
        let n = count(&g, 20, 10_000);
        let mean = n.iter().sum::<u64>() as f64 / 20.0;
        assert!((mean - 500.0).abs() < 30.0, "{mean}");
        let p = source(
            "ppd_sup_generator",
            &[
                ("rate", Number(5.0)),
                ("dead_time", Number(20.0)),
                ("n_proc", Number(100.0)),
            ],
        );
        let n = count(&p, 20, 10_000);
        let mean = n.iter().sum::<u64>() as f64 / 20.0;
        assert!((mean - 500.0).abs() < 30.0, "{mean}");
    }

    #[test]
    fn individual_spike_trains_is_a_default_only() {
        let mut p = SpikeSourceParams::defaults("sinusoidal_poisson_generator").unwrap();
        let set = [("individual_spike_trains", SourceValue::Flag(false))];
        assert!(p.set(&set, true, 0.0, res()).is_err());
        p.set(&set, false, 0.0, res()).unwrap();
        assert!(p.shared_train());
    }
}
