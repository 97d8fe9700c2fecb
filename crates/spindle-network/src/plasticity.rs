//! Spike-timing-dependent plasticity rules, as NEST 3.10 computes them:
//! `stdp_synapse` (Gütig et al. 2003: `Wmax`, `lambda`, `alpha`,
//! `mu_plus`, `mu_minus`, `tau_plus` per connection) and
//! `stdp_pl_synapse_hom` (Morrison et al. 2007: power-law potentiation,
//! `alpha`, `lambda`, `mu`, `tau_plus` common to all connections of the
//! model), each with its `_hpc` twin (the same rule; NEST's compact
//! target encoding, which Spindle's storage has anyway).
//!
//! A rule is evaluated at a presynaptic spike's delivery
//! (`storage::plastic`): facilitation for each postsynaptic spike since
//! the last presynaptic one, depression by the postsynaptic trace, then
//! the presynaptic trace `Kplus` advances. Every expression is NEST's, in
//! its order, so the weights are NEST's to the last bit.

use std::fmt;

/// The parameters of a plastic synapse model, with NEST's names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StdpRule {
    /// `stdp_synapse`: multiplicative or additive STDP with soft bounds.
    Stdp {
        /// `tau_plus` [ms].
        tau_plus: f64,
        /// `lambda`: the step size.
        lambda: f64,
        /// `alpha`: the asymmetry of depression to facilitation.
        alpha: f64,
        /// `mu_plus`: the weight dependence of facilitation.
        mu_plus: f64,
        /// `mu_minus`: the weight dependence of depression.
        mu_minus: f64,
        /// `Wmax`: the largest weight (its sign is the weights').
        wmax: f64,
    },
    /// `stdp_pl_synapse_hom`: power-law facilitation, multiplicative
    /// depression.
    PowerLaw {
        /// `tau_plus` [ms].
        tau_plus: f64,
        /// `1 / tau_plus`, as NEST keeps it (its exponent multiplies).
        tau_plus_inv: f64,
        /// `lambda`.
        lambda: f64,
        /// `alpha`.
        alpha: f64,
        /// `mu`: the exponent of facilitation's weight dependence.
        mu: f64,
    },
}

/// A parameter a rule refuses, with NEST's message (`BadProperty`).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdpRule {
    /// NEST's defaults of `stdp_synapse`.
    pub const STDP: StdpRule = StdpRule::Stdp {
        tau_plus: 20.0,
        lambda: 0.01,
        alpha: 1.0,
        mu_plus: 1.0,
        mu_minus: 1.0,
        wmax: 100.0,
    };

    /// NEST's defaults of `stdp_pl_synapse_hom`.
    pub const POWER_LAW: StdpRule = StdpRule::PowerLaw {
        tau_plus: 20.0,
        tau_plus_inv: 1.0 / 20.0,
        lambda: 0.1,
        alpha: 1.0,
        mu: 0.4,
    };

    /// Whether the parameters are common to all connections of a model
    /// (NEST's `CommonSynapseProperties`): then `Connect` cannot set them.
    pub fn is_common(&self) -> bool {
        matches!(self, StdpRule::PowerLaw { .. })
    }

    /// The parameter names, in NEST's `GetDefaults` order.
    pub fn names(&self) -> &'static [&'static str] {
        match self {
            StdpRule::Stdp { .. } => {
                &["tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"]
            }
            StdpRule::PowerLaw { .. } => &["tau_plus", "lambda", "alpha", "mu"],
        }
    }

    /// Parameter `name`, if the rule has it.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match (*self, name) {
            (StdpRule::Stdp { tau_plus, .. }, "tau_plus") => tau_plus,
            (StdpRule::Stdp { lambda, .. }, "lambda") => lambda,
            (StdpRule::Stdp { alpha, .. }, "alpha") => alpha,
            (StdpRule::Stdp { mu_plus, .. }, "mu_plus") => mu_plus,
            (StdpRule::Stdp { mu_minus, .. }, "mu_minus") => mu_minus,
            (StdpRule::Stdp { wmax, .. }, "Wmax") => wmax,
            (StdpRule::PowerLaw { tau_plus, .. }, "tau_plus") => tau_plus,
            (StdpRule::PowerLaw { lambda, .. }, "lambda") => lambda,
            (StdpRule::PowerLaw { alpha, .. }, "alpha") => alpha,
            (StdpRule::PowerLaw { mu, .. }, "mu") => mu,
            _ => return None,
        })
    }

    /// Set parameter `name` to `v`; `Ok(false)` if the rule has no such
    /// parameter. NEST's checks: `tau_plus > 0` for the power law.
    pub fn set(&mut self, name: &str, v: f64) -> Result<bool, RuleError> {
        match (self, name) {
            (StdpRule::Stdp { tau_plus, .. }, "tau_plus") => *tau_plus = v,
            (StdpRule::Stdp { lambda, .. }, "lambda") => *lambda = v,
            (StdpRule::Stdp { alpha, .. }, "alpha") => *alpha = v,
            (StdpRule::Stdp { mu_plus, .. }, "mu_plus") => *mu_plus = v,
            (StdpRule::Stdp { mu_minus, .. }, "mu_minus") => *mu_minus = v,
            (StdpRule::Stdp { wmax, .. }, "Wmax") => *wmax = v,
            (
                StdpRule::PowerLaw {
                    tau_plus,
                    tau_plus_inv,
                    ..
                },
                "tau_plus",
            ) => {
                if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return Err(RuleError("tau_plus > 0. required.".into()));
                }
                *tau_plus = v;
                *tau_plus_inv = 1.0 / v;
            }
            (StdpRule::PowerLaw { lambda, .. }, "lambda") => *lambda = v,
            (StdpRule::PowerLaw { alpha, .. }, "alpha") => *alpha = v,
            (StdpRule::PowerLaw { mu, .. }, "mu") => *mu = v,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// NEST's check of a connection's weight against the rule
    /// (`stdp_synapse`: the weight and `Wmax` of one sign).
    pub fn check_weight(&self, w: f64) -> Result<(), RuleError> {
        match *self {
            StdpRule::Stdp { wmax, .. } => {
                let sign = |x: f64| i32::from(x >= 0.0) - i32::from(x < 0.0);
                if sign(w) != sign(wmax) {
                    return Err(RuleError("Weight and Wmax must have same sign.".into()));
                }
                Ok(())
            }
            StdpRule::PowerLaw { .. } => Ok(()),
        }
    }

    /// `exp(dt / tau_plus)` as the model computes it (`stdp_synapse`
    /// divides, `stdp_pl_synapse_hom` multiplies by the inverse).
    #[inline(always)]
    pub fn plus_decay(&self, dt: f64) -> f64 {
        match *self {
            StdpRule::Stdp { tau_plus, .. } => (dt / tau_plus).exp(),
            StdpRule::PowerLaw { tau_plus_inv, .. } => (dt * tau_plus_inv).exp(),
        }
    }

    /// The weight after facilitation by presynaptic trace `kplus`.
    #[inline(always)]
    pub fn facilitate(&self, w: f64, kplus: f64) -> f64 {
        match *self {
            StdpRule::Stdp {
                lambda,
                mu_plus,
                wmax,
                ..
            } => {
                let norm_w = (w / wmax) + (lambda * (1.0 - (w / wmax)).powf(mu_plus) * kplus);
                if norm_w < 1.0 { norm_w * wmax } else { wmax }
            }
            StdpRule::PowerLaw { lambda, mu, .. } => w + (lambda * w.powf(mu) * kplus),
        }
    }

    /// The weight after depression by postsynaptic trace `kminus`.
    #[inline(always)]
    pub fn depress(&self, w: f64, kminus: f64) -> f64 {
        match *self {
            StdpRule::Stdp {
                lambda,
                alpha,
                mu_minus,
                wmax,
                ..
            } => {
                let norm_w = (w / wmax) - (alpha * lambda * (w / wmax).powf(mu_minus) * kminus);
                if norm_w > 0.0 { norm_w * wmax } else { 0.0 }
            }
            StdpRule::PowerLaw { lambda, alpha, .. } => {
                let new_w = w - (lambda * alpha * w * kminus);
                if new_w > 0.0 { new_w } else { 0.0 }
            }
        }
    }
}

/// What a synapse model does with a spike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SynapseKind {
    /// A constant weight (`static_synapse`, `static_synapse_hpc`).
    Static,
    /// A weight changed by an STDP rule at each presynaptic spike.
    Plastic(StdpRule),
}

/// NEST's built-in synapse models Spindle has: name and kind.
pub const BUILTIN_SYNAPSES: [(&str, SynapseKind); 6] = [
    ("static_synapse", SynapseKind::Static),
    ("static_synapse_hpc", SynapseKind::Static),
    ("stdp_synapse", SynapseKind::Plastic(StdpRule::STDP)),
    ("stdp_synapse_hpc", SynapseKind::Plastic(StdpRule::STDP)),
    (
        "stdp_pl_synapse_hom",
        SynapseKind::Plastic(StdpRule::POWER_LAW),
    ),
    (
        "stdp_pl_synapse_hom_hpc",
        SynapseKind::Plastic(StdpRule::POWER_LAW),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_nests_expressions() {
        let r = StdpRule::STDP;
        // Facilitation with a zero trace still rounds through w / Wmax.
        let w = 0.3;
        assert_eq!(r.facilitate(w, 0.0), (w / 100.0) * 100.0);
        assert_eq!(r.facilitate(99.0, 1e6), 100.0);
        assert_eq!(r.depress(1.0, 1e6), 0.0);
        let p = StdpRule::POWER_LAW;
        assert_eq!(p.facilitate(2.0, 0.5), 2.0 + 0.1 * 2f64.powf(0.4) * 0.5);
        assert_eq!(p.depress(2.0, 0.5), 2.0 - 0.1 * 1.0 * 2.0 * 0.5);
        assert_eq!(p.plus_decay(-20.0), (-20.0 * (1.0 / 20.0f64)).exp());
        let mut q = p;
        assert!(q.set("tau_plus", 0.0).is_err());
        assert_eq!(q.set("Wmax", 1.0), Ok(false));
        assert!(r.check_weight(-1.0).is_err() && r.check_weight(0.0).is_ok());
    }
}
