//! Spike-timing-dependent plasticity rules, as NEST 3.10 computes them:
//! `stdp_synapse` (Gütig et al. 2003: `Wmax`, `lambda`, `alpha`,
//! `mu_plus`, `mu_minus`, `tau_plus` per connection; `stdp_synapse_hom`
//! the same with them common to the model's connections) and
//! `stdp_pl_synapse_hom` (Morrison et al. 2007: power-law potentiation,
//! `alpha`, `lambda`, `mu`, `tau_plus` common to all connections of the
//! model), each with its `_hpc` twin (the same rule; NEST's compact
//! target encoding, which Spindle's storage has anyway).
//!
//! Also NEST's short-term plasticity synapses `tsodyks2_synapse`
//! (Maass & Markram 2002: `U`, `u`, `x`, `tau_rec`, `tau_fac`) and
//! `tsodyks_synapse` (Tsodyks et al. 2000: with `y` and `tau_psc`), whose
//! state changes at each presynaptic spike only, by the same expressions
//! for every connection of one `Connect` call: Spindle keeps that state
//! once per source, and scales each synapse's weight by it.
//!
//! And NEST's stochastic `quantal_stp_synapse` (Fuhrmann et al. 2002,
//! Loebel et al. 2009: `U`, `u`, `tau_rec`, `tau_fac`, `n` release sites,
//! `a` of them available): its release probability `u` changes as
//! `tsodyks2_synapse`'s does, once per source, but which sites recover and
//! release is drawn per connection, so `a` is kept per synapse
//! (`storage::plastic`).
//!
//! A rule is evaluated at a presynaptic spike's delivery
//! (`storage::plastic`): facilitation for each postsynaptic spike since
//! the last presynaptic one, depression by the postsynaptic trace, then
//! the presynaptic trace `Kplus` advances. Every expression is NEST's, in
//! its order, so the weights are NEST's to the last bit.

use std::fmt;

use spindle_models::Release;

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
        /// Whether the parameters are common to all connections of the
        /// model (`stdp_synapse_hom`: set by `SetDefaults`/`CopyModel`
        /// only, and no check of the weights' sign).
        common: bool,
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
    /// `tsodyks2_synapse`: depression and facilitation of the released
    /// fraction.
    Tsodyks2 {
        /// `U`: the increment of `u` at a spike.
        u0: f64,
        /// `u`: the initial release probability.
        u: f64,
        /// `x`: the initial fraction of resources available.
        x: f64,
        /// `tau_rec` [ms].
        tau_rec: f64,
        /// `tau_fac` [ms] (0: no facilitation).
        tau_fac: f64,
    },
    /// `tsodyks_synapse`: resources recovered, active (`y`, decaying with
    /// `tau_psc`) and inactive.
    Tsodyks {
        /// `U`.
        u0: f64,
        /// `u`: the initial utilisation.
        u: f64,
        /// `x`: the initial recovered fraction.
        x: f64,
        /// `y`: the initial active fraction.
        y: f64,
        /// `tau_psc` [ms].
        tau_psc: f64,
        /// `tau_rec` [ms].
        tau_rec: f64,
        /// `tau_fac` [ms] (0: no facilitation).
        tau_fac: f64,
    },
    /// `quantal_stp_synapse`: `n` release sites, each released with
    /// probability `u` at a spike and recovered with time constant
    /// `tau_rec`.
    Quantal {
        /// `U`: the increment of `u` at a spike.
        u0: f64,
        /// `u`: the initial release probability.
        u: f64,
        /// `tau_rec` [ms].
        tau_rec: f64,
        /// `tau_fac` [ms] (below 1e-10: no facilitation).
        tau_fac: f64,
        /// `n`: the release sites.
        n: i32,
        /// `a`: the sites available before the first spike (NEST's
        /// default 1 stays when only `n` is set).
        a: i32,
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
        common: false,
    };

    /// NEST's defaults of `stdp_synapse_hom`: `stdp_synapse`'s rule and
    /// defaults, the parameters common to the model's connections.
    pub const STDP_HOM: StdpRule = StdpRule::Stdp {
        tau_plus: 20.0,
        lambda: 0.01,
        alpha: 1.0,
        mu_plus: 1.0,
        mu_minus: 1.0,
        wmax: 100.0,
        common: true,
    };

    /// NEST's defaults of `stdp_pl_synapse_hom`.
    pub const POWER_LAW: StdpRule = StdpRule::PowerLaw {
        tau_plus: 20.0,
        tau_plus_inv: 1.0 / 20.0,
        lambda: 0.1,
        alpha: 1.0,
        mu: 0.4,
    };

    /// NEST's defaults of `tsodyks2_synapse`.
    pub const TSODYKS2: StdpRule = StdpRule::Tsodyks2 {
        u0: 0.5,
        u: 0.5,
        x: 1.0,
        tau_rec: 800.0,
        tau_fac: 0.0,
    };

    /// NEST's defaults of `tsodyks_synapse`.
    pub const TSODYKS: StdpRule = StdpRule::Tsodyks {
        u0: 0.5,
        u: 0.0,
        x: 1.0,
        y: 0.0,
        tau_psc: 3.0,
        tau_rec: 800.0,
        tau_fac: 0.0,
    };

    /// NEST's defaults of `quantal_stp_synapse`.
    pub const QUANTAL: StdpRule = StdpRule::Quantal {
        u0: 0.5,
        u: 0.5,
        tau_rec: 800.0,
        tau_fac: 0.0,
        n: 1,
        a: 1,
    };

    /// Whether it is a spike-timing rule: each spike's delivery updates
    /// every synapse's weight from its target's spike history.
    pub fn reads_archive(&self) -> bool {
        matches!(self, StdpRule::Stdp { .. } | StdpRule::PowerLaw { .. })
    }

    /// Whether it is a short-term rule: the weight stays, each spike is
    /// scaled by the source's state ([`StdpRule::short_term_send`]), and
    /// postsynaptic spikes play no part.
    pub fn is_short_term(&self) -> bool {
        matches!(self, StdpRule::Tsodyks2 { .. } | StdpRule::Tsodyks { .. })
    }

    /// A short-term rule's state before the first spike: (`u`, `x`, `y`),
    /// and the last spike's time NEST starts from (`tsodyks2_synapse`,
    /// `quantal_stp_synapse`: none, -1; `tsodyks_synapse`: 0).
    pub fn short_term_start(&self) -> ([f64; 3], f64) {
        match *self {
            StdpRule::Tsodyks2 { u, x, .. } => ([u, x, 0.0], -1.0),
            StdpRule::Tsodyks { u, x, y, .. } => ([u, x, y], 0.0),
            StdpRule::Quantal { u, .. } => ([u, 0.0, 0.0], -1.0),
            _ => ([0.0; 3], 0.0),
        }
    }

    /// NEST's `send` of a short-term rule at a spike at `t_spike` [ms], the
    /// last at `t_last`: advances `state` (`u`, `x`, `y`) and returns the
    /// factor on each synapse's weight.
    #[inline]
    pub fn short_term_send(&self, state: &mut [f64; 3], t_last: f64, t_spike: f64) -> f64 {
        match *self {
            StdpRule::Tsodyks2 {
                u0,
                tau_rec,
                tau_fac,
                ..
            } => {
                let [u, x, _] = state;
                if t_last >= 0.0 {
                    let h = t_spike - t_last;
                    let x_decay = (-h / tau_rec).exp();
                    let u_decay = if tau_fac == 0.0 {
                        0.0
                    } else {
                        (-h / tau_fac).exp()
                    };
                    *x = 1. + (*x - *x * *u - 1.) * x_decay;
                    *u = u0 + *u * (1. - u0) * u_decay;
                }
                *x * *u
            }
            StdpRule::Tsodyks {
                u0,
                tau_psc,
                tau_rec,
                tau_fac,
                ..
            } => {
                // NEST's expressions, which `iaf_tum_2000` shares.
                let release = Release {
                    u0,
                    tau_psc,
                    tau_rec,
                    tau_fac,
                };
                // `state` is (u, x, y), as the release's.
                release.send(state, t_spike - t_last)
            }
            _ => 1.0,
        }
    }

    /// `quantal_stp_synapse`'s update of `u` at a spike at `t_spike` [ms],
    /// the last at `t_last` (none before the first spike: NEST's -1), and
    /// the probability that a depleted site has recovered since (0 at the
    /// first spike): NEST's expressions, in its order.
    #[inline]
    pub fn quantal_update(&self, u: &mut f64, t_last: f64, t_spike: f64) -> f64 {
        let StdpRule::Quantal {
            u0,
            tau_rec,
            tau_fac,
            ..
        } = *self
        else {
            return 0.0;
        };
        if t_last < 0.0 {
            return 0.0;
        }
        let h = t_spike - t_last;
        let p_decay = (-h / tau_rec).exp();
        let u_decay = if tau_fac < 1.0e-10 {
            0.0
        } else {
            (-h / tau_fac).exp()
        };
        *u = u0 + *u * (1. - u0) * u_decay;
        1.0 - p_decay
    }

    /// The names of the parameters that are integers (`n`, `a`).
    pub fn is_integer(&self, name: &str) -> bool {
        matches!(self, StdpRule::Quantal { .. }) && matches!(name, "n" | "a")
    }

    /// Whether the parameters are common to all connections of a model
    /// (NEST's `CommonSynapseProperties`): then `Connect` cannot set them.
    pub fn is_common(&self) -> bool {
        matches!(
            self,
            StdpRule::PowerLaw { .. } | StdpRule::Stdp { common: true, .. }
        )
    }

    /// The parameter names, in NEST's `GetDefaults` order.
    pub fn names(&self) -> &'static [&'static str] {
        match self {
            StdpRule::Stdp { .. } => {
                &["tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"]
            }
            StdpRule::PowerLaw { .. } => &["tau_plus", "lambda", "alpha", "mu"],
            StdpRule::Tsodyks2 { .. } => &["U", "u", "x", "tau_rec", "tau_fac"],
            StdpRule::Tsodyks { .. } => &["U", "u", "x", "y", "tau_psc", "tau_rec", "tau_fac"],
            StdpRule::Quantal { .. } => &["U", "u", "tau_rec", "tau_fac", "n", "a"],
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
            (
                StdpRule::Tsodyks2 { u0, .. }
                | StdpRule::Tsodyks { u0, .. }
                | StdpRule::Quantal { u0, .. },
                "U",
            ) => u0,
            (
                StdpRule::Tsodyks2 { u, .. }
                | StdpRule::Tsodyks { u, .. }
                | StdpRule::Quantal { u, .. },
                "u",
            ) => u,
            (StdpRule::Tsodyks2 { x, .. } | StdpRule::Tsodyks { x, .. }, "x") => x,
            (
                StdpRule::Tsodyks2 { tau_rec, .. }
                | StdpRule::Tsodyks { tau_rec, .. }
                | StdpRule::Quantal { tau_rec, .. },
                "tau_rec",
            ) => tau_rec,
            (
                StdpRule::Tsodyks2 { tau_fac, .. }
                | StdpRule::Tsodyks { tau_fac, .. }
                | StdpRule::Quantal { tau_fac, .. },
                "tau_fac",
            ) => tau_fac,
            (StdpRule::Quantal { n, .. }, "n") => n as f64,
            (StdpRule::Quantal { a, .. }, "a") => a as f64,
            (StdpRule::Tsodyks { y, .. }, "y") => y,
            (StdpRule::Tsodyks { tau_psc, .. }, "tau_psc") => tau_psc,
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
            (
                StdpRule::Tsodyks2 { u0, .. }
                | StdpRule::Tsodyks { u0, .. }
                | StdpRule::Quantal { u0, .. },
                "U",
            ) => {
                if !(0.0..=1.0).contains(&v) {
                    return Err(RuleError("'U' must be in [0,1].".into()));
                }
                *u0 = v;
            }
            (
                StdpRule::Tsodyks2 { u, .. }
                | StdpRule::Tsodyks { u, .. }
                | StdpRule::Quantal { u, .. },
                "u",
            ) => {
                if !(0.0..=1.0).contains(&v) {
                    return Err(RuleError("'u' must be in [0,1].".into()));
                }
                *u = v;
            }
            (
                StdpRule::Tsodyks2 { tau_rec, .. }
                | StdpRule::Tsodyks { tau_rec, .. }
                | StdpRule::Quantal { tau_rec, .. },
                "tau_rec",
            ) => {
                if v.is_nan() || v <= 0.0 {
                    return Err(RuleError("'tau_rec' must be > 0.".into()));
                }
                *tau_rec = v;
            }
            (
                StdpRule::Tsodyks2 { tau_fac, .. }
                | StdpRule::Tsodyks { tau_fac, .. }
                | StdpRule::Quantal { tau_fac, .. },
                "tau_fac",
            ) => {
                if v.is_nan() || v < 0.0 {
                    return Err(RuleError("'tau_fac' must be >= 0.".into()));
                }
                *tau_fac = v;
            }
            (StdpRule::Tsodyks2 { x, .. }, "x") => *x = v,
            // NEST takes any int, negative too (its `send` then releases
            // nothing); a value that is no int is refused as NEST's
            // dictionary refuses it.
            (StdpRule::Quantal { n, a, .. }, name @ ("n" | "a")) => {
                if v.fract() != 0.0 || !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&v) {
                    return Err(RuleError(format!(
                        "The dictionary value with key {name} does not hold a numeric integer \
                         type."
                    )));
                }
                *(if name == "n" { n } else { a }) = v as i32;
            }
            (StdpRule::Tsodyks { x, y, .. }, name @ ("x" | "y")) => {
                let (nx, ny) = if name == "x" { (v, *y) } else { (*x, v) };
                if nx + ny > 1.0 {
                    return Err(RuleError("x + y must be <= 1.0.".into()));
                }
                (*x, *y) = (nx, ny);
            }
            (StdpRule::Tsodyks { tau_psc, .. }, "tau_psc") => {
                if v.is_nan() || v <= 0.0 {
                    return Err(RuleError("'tau_psc' must be > 0.".into()));
                }
                *tau_psc = v;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// NEST's check of a connection's weight against the rule
    /// (`stdp_synapse`: the weight and `Wmax` of one sign).
    pub fn check_weight(&self, w: f64) -> Result<(), RuleError> {
        match *self {
            StdpRule::Stdp {
                wmax,
                common: false,
                ..
            } => {
                let sign = |x: f64| i32::from(x >= 0.0) - i32::from(x < 0.0);
                if sign(w) != sign(wmax) {
                    return Err(RuleError("Weight and Wmax must have same sign.".into()));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// `exp(dt / tau_plus)` as the model computes it (`stdp_synapse`
    /// divides, `stdp_pl_synapse_hom` multiplies by the inverse).
    #[inline(always)]
    pub fn plus_decay(&self, dt: f64) -> f64 {
        match *self {
            StdpRule::Stdp { .. } | StdpRule::PowerLaw { .. } => self.plus_exponent(dt).exp(),
            _ => 1.0,
        }
    }

    /// The argument of [`plus_decay`](Self::plus_decay)'s `exp` (rules
    /// with `tau_plus` only).
    #[inline(always)]
    pub fn plus_exponent(&self, dt: f64) -> f64 {
        match *self {
            StdpRule::Stdp { tau_plus, .. } => dt / tau_plus,
            StdpRule::PowerLaw { tau_plus_inv, .. } => dt * tau_plus_inv,
            _ => 0.0,
        }
    }

    /// The weight after facilitation by presynaptic trace `kplus`.
    #[inline(always)]
    pub fn facilitate(&self, w: f64, kplus: f64) -> f64 {
        match self.facilitation_power(w) {
            Some((base, exponent)) => self.facilitate_powered(w, base.powf(exponent), kplus),
            None => w,
        }
    }

    /// The power facilitation raises (`w^mu`, `(1 - w / Wmax)^mu_plus`)
    /// at weight `w`, as (base, exponent); `None` for rules without
    /// facilitation. With [`facilitate_powered`](Self::facilitate_powered)
    /// this is [`facilitate`](Self::facilitate), split so that the powers
    /// of many synapses can be raised together.
    #[inline(always)]
    pub fn facilitation_power(&self, w: f64) -> Option<(f64, f64)> {
        match *self {
            StdpRule::Stdp { mu_plus, wmax, .. } => Some((1.0 - (w / wmax), mu_plus)),
            StdpRule::PowerLaw { mu, .. } => Some((w, mu)),
            _ => None,
        }
    }

    /// The weight after facilitation by presynaptic trace `kplus`, given
    /// the power [`facilitation_power`](Self::facilitation_power) names.
    #[inline(always)]
    pub fn facilitate_powered(&self, w: f64, powered: f64, kplus: f64) -> f64 {
        match *self {
            StdpRule::Stdp { lambda, wmax, .. } => {
                let norm_w = (w / wmax) + (lambda * powered * kplus);
                if norm_w < 1.0 { norm_w * wmax } else { wmax }
            }
            StdpRule::PowerLaw { lambda, .. } => w + (lambda * powered * kplus),
            _ => w,
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
            _ => w,
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
pub const BUILTIN_SYNAPSES: [(&str, SynapseKind); 14] = [
    ("static_synapse", SynapseKind::Static),
    ("static_synapse_hpc", SynapseKind::Static),
    ("stdp_synapse", SynapseKind::Plastic(StdpRule::STDP)),
    ("stdp_synapse_hpc", SynapseKind::Plastic(StdpRule::STDP)),
    ("stdp_synapse_hom", SynapseKind::Plastic(StdpRule::STDP_HOM)),
    (
        "stdp_synapse_hom_hpc",
        SynapseKind::Plastic(StdpRule::STDP_HOM),
    ),
    (
        "stdp_pl_synapse_hom",
        SynapseKind::Plastic(StdpRule::POWER_LAW),
    ),
    (
        "stdp_pl_synapse_hom_hpc",
        SynapseKind::Plastic(StdpRule::POWER_LAW),
    ),
    ("tsodyks2_synapse", SynapseKind::Plastic(StdpRule::TSODYKS2)),
    (
        "tsodyks2_synapse_hpc",
        SynapseKind::Plastic(StdpRule::TSODYKS2),
    ),
    ("tsodyks_synapse", SynapseKind::Plastic(StdpRule::TSODYKS)),
    (
        "tsodyks_synapse_hpc",
        SynapseKind::Plastic(StdpRule::TSODYKS),
    ),
    (
        "quantal_stp_synapse",
        SynapseKind::Plastic(StdpRule::QUANTAL),
    ),
    (
        "quantal_stp_synapse_hpc",
        SynapseKind::Plastic(StdpRule::QUANTAL),
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

    #[test]
    fn quantal_u_follows_nest() {
        let mut q = StdpRule::QUANTAL;
        // Only n set: a stays NEST's default 1.
        assert_eq!(q.set("n", 10.0), Ok(true));
        assert_eq!((q.get("n"), q.get("a")), (Some(10.0), Some(1.0)));
        assert!(q.is_integer("a") && !q.is_integer("u"));
        assert_eq!(
            q.set("n", 2.5),
            Err(RuleError(
                "The dictionary value with key n does not hold a numeric integer type.".into()
            ))
        );
        assert_eq!(q.set("a", -3.0), Ok(true));
        assert!(q.set("U", 1.5).is_err() && q.set("u", -0.1).is_err());
        assert!(q.set("tau_rec", 0.0).is_err() && q.set("tau_fac", -1.0).is_err());
        assert_eq!(q.set("x", 1.0), Ok(false));
        // The first spike leaves u, and nothing has recovered.
        let f = StdpRule::Quantal {
            u0: 0.2,
            u: 0.3,
            tau_rec: 200.0,
            tau_fac: 500.0,
            n: 10,
            a: 10,
        };
        let mut u = 0.3;
        assert_eq!(f.quantal_update(&mut u, -1.0, 10.0), 0.0);
        assert_eq!(u, 0.3);
        let r = f.quantal_update(&mut u, 10.0, 30.0);
        assert_eq!(u, 0.2 + 0.3 * (1. - 0.2) * (-20.0f64 / 500.0).exp());
        assert_eq!(r, 1.0 - (-20.0f64 / 200.0).exp());
        // tau_fac below 1e-10: u is U at every spike.
        let StdpRule::Quantal { u0, .. } = q else {
            unreachable!()
        };
        let mut u = 0.9;
        q.set("tau_fac", 1e-11).unwrap();
        q.quantal_update(&mut u, 1.0, 2.0);
        assert_eq!(u, u0);
    }
}
