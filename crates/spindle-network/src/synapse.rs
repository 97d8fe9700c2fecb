//! Synapse models: named `static_synapse` copies with default weight and
//! delay, as `nest.CopyModel("static_synapse", "excitatory", {...})` makes.

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
}

impl SynSpec {
    /// The model with its default weight and delay.
    pub fn model(name: &str) -> Self {
        Self {
            model: name.to_string(),
            weight: None,
            delay: None,
        }
    }

    /// `static_synapse` with the given weight and delay.
    pub fn static_synapse(weight: f64, delay: f64) -> Self {
        Self {
            model: "static_synapse".into(),
            weight: Some(weight),
            delay: Some(delay),
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
}
