//! Synapse models: NEST's built-in ones (static and plastic,
//! `crate::plasticity`) and named copies with default weight, delay and
//! rule parameters, as `nest.CopyModel("static_synapse", "excitatory",
//! {...})` makes.

use spindle_core::param::Param;

use crate::plasticity::SynapseKind;

/// A named synapse model.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseModel {
    /// Name used in `SynSpec` and `num_connections`.
    pub name: String,
    /// Default weight [pA] (NEST's `static_synapse`: 1.0).
    pub weight: f64,
    /// Default delay [ms] (NEST's `static_synapse`: 1.0).
    pub delay: f64,
    /// Static, or plastic with its rule's defaults (common properties of
    /// `stdp_pl_synapse_hom`).
    pub kind: SynapseKind,
    /// The `weight_recorder` recording this model's synapses, if any.
    pub weight_recorder: Option<spindle_core::NodeId>,
    /// The receptor type a connection reaches unless its `syn_spec` names
    /// one (NEST's default 0).
    pub receptor_type: i64,
}

/// NEST's `receptor_type` of a connection: which input port of its target
/// it reaches.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceptorType {
    /// One receptor type for every connection. NEST's default, 0, is the
    /// input of models without ports (excitatory or inhibitory by the
    /// weight's sign); a model with `n` ports takes `1..=n`.
    Fixed(i64),
    /// Drawn per connection from an integer-valued parameter
    /// (`nest.random.uniform_int(n) + 1`).
    Drawn(Param),
}

impl Default for ReceptorType {
    fn default() -> Self {
        ReceptorType::Fixed(0)
    }
}

impl ReceptorType {
    /// The interval holding every receptor type this can give.
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            ReceptorType::Fixed(r) => (*r as f64, *r as f64),
            ReceptorType::Drawn(p) => p.bounds(),
        }
    }

    /// Whether this is NEST's default, receptor 0 for every connection.
    pub fn is_default(&self) -> bool {
        *self == ReceptorType::Fixed(0)
    }
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
    /// The receptor type (NEST's default 0).
    pub receptor_type: ReceptorType,
    /// Parameters of a plastic model's rule for this connection
    /// (`stdp_synapse`'s `Wmax`, `lambda`, ...), by NEST's names.
    pub params: Vec<(String, f64)>,
}

impl SynSpec {
    /// The values given one per connection ([`Param::Table`]), by NEST's
    /// names.
    pub fn tables(&self) -> Vec<(&'static str, &[f64])> {
        let receptor = match &self.receptor_type {
            ReceptorType::Drawn(p) => Some(p),
            _ => None,
        };
        [
            ("weight", self.random_weight.as_ref()),
            ("delay", self.random_delay.as_ref()),
            ("receptor_type", receptor),
        ]
        .into_iter()
        .filter_map(|(key, p)| match p {
            Some(Param::Table(v)) => Some((key, &v[..])),
            _ => None,
        })
        .collect()
    }

    /// Whether a value is given one per connection.
    pub fn has_table(&self) -> bool {
        !self.tables().is_empty()
    }

    /// The model with its default weight and delay.
    pub fn model(name: &str) -> Self {
        Self {
            model: name.to_string(),
            weight: None,
            delay: None,
            random_weight: None,
            random_delay: None,
            receptor_type: ReceptorType::default(),
            params: Vec::new(),
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
            receptor_type: ReceptorType::default(),
            params: Vec::new(),
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

    /// Reach receptor type `receptor` of the targets.
    pub fn with_receptor(mut self, receptor: i64) -> Self {
        self.receptor_type = ReceptorType::Fixed(receptor);
        self
    }

    /// Draw the receptor type per connection from `param`, which must give
    /// integers only (a constant one is the receptor type, if an integer).
    pub fn with_random_receptor(mut self, param: Param) -> Self {
        self.receptor_type = match param {
            Param::Const(r) if r.fract() == 0.0 && r.abs() < 2f64.powi(53) => {
                ReceptorType::Fixed(r as i64)
            }
            p => ReceptorType::Drawn(p),
        };
        self
    }

    /// Set a parameter of the model's rule for this connection.
    pub fn with_param(mut self, name: &str, value: f64) -> Self {
        self.params.push((name.to_string(), value));
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
