//! Synapse models: named `static_synapse` copies with default weight and
//! delay, as `nest.CopyModel("static_synapse", "excitatory", {...})` makes.

use spindle_core::param::Param;

/// A named synapse model.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseModel {
    /// Name used in `SynSpec` and `num_connections`.
    pub name: String,
    /// Default weight [pA] (NEST's `static_synapse`: 1.0).
    pub weight: f64,
    /// Default delay [ms] (NEST's `static_synapse`: 1.0).
    pub delay: f64,
}

/// The synapse part of a `Connect` call: a model and optional overrides
/// of its weight and delay.
#[derive(Debug, Clone, PartialEq)]
pub struct SynSpec {
    /// Synapse model name.
    pub model: String,
    /// Weight [pA]; the model's default if `None`.
    pub weight: Option<f64>,
    /// Delay [ms]; the model's default if `None`.
    pub delay: Option<f64>,
    /// A weight [pA] drawn per synapse, in place of `weight`.
    pub random_weight: Option<Param>,
    /// A delay [ms] drawn per synapse (and rounded to the grid), in place
    /// of `delay`.
    pub random_delay: Option<Param>,
}

impl SynSpec {
    /// The model with its default weight and delay.
    pub fn model(name: &str) -> Self {
        Self {
            model: name.to_string(),
            weight: None,
            delay: None,
            random_weight: None,
            random_delay: None,
        }
    }

    /// `static_synapse` with the given weight and delay.
    pub fn static_synapse(weight: f64, delay: f64) -> Self {
        Self {
            model: "static_synapse".into(),
            weight: Some(weight),
            delay: Some(delay),
            random_weight: None,
            random_delay: None,
        }
    }

    /// Override the weight.
    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Override the delay.
    pub fn with_delay(mut self, delay: f64) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Draw the weight per synapse from `param` (a constant one is the
    /// weight).
    pub fn with_random_weight(mut self, param: Param) -> Self {
        match param {
            Param::Const(w) => self.weight = Some(w),
            p => self.random_weight = Some(p),
        }
        self
    }

    /// Draw the delay per synapse from `param` (a constant one is the
    /// delay).
    pub fn with_random_delay(mut self, param: Param) -> Self {
        match param {
            Param::Const(d) => self.delay = Some(d),
            p => self.random_delay = Some(p),
        }
        self
    }
}
