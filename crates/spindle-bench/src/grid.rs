//! The grid of a sweep: which (model, order or scale, threads, seed,
//! repeat) to run.

use crate::BenchError;

/// How orders and threads combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every order with every thread count (strong scaling: fixed size,
    /// more threads).
    Strong,
    /// Order proportional to threads: each listed order is the size per
    /// thread, run at `order * threads` (weak scaling).
    Weak,
}

impl Mode {
    /// Name in result files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Strong => "strong",
            Self::Weak => "weak",
        }
    }
}

/// What a sweep of a network sized by a scale runs (`spindle --network
/// microcircuit` or `hpc_benchmark`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePlan {
    /// Scales (`--scale`), each a configuration (weak mode: per rank).
    pub scales: Vec<f64>,
    /// The microcircuit's background drive (`--drive`: "poisson" or
    /// "dc"); empty for hpc_benchmark.
    pub drive: String,
    /// Presimulation [ms] (`--presim`).
    pub presim: f64,
}

/// A sweep to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The network: "brunel", "microcircuit", "hpc_benchmark" or
    /// "brette2007".
    pub network: String,
    /// Neuron models (the scenario's variants), each run over the whole
    /// grid in turn (the microcircuit's: its one, `iaf_psc_exp`;
    /// hpc_benchmark's `iaf_psc_alpha`; brette2007's: its scripts, `coba`,
    /// `hh_coba`, `cuba`).
    pub models: Vec<String>,
    /// Orders (per thread in weak mode); the Brunel network's only.
    pub orders: Vec<u64>,
    /// The scales of the microcircuit or hpc_benchmark in place of
    /// `orders`.
    pub scaled: Option<ScalePlan>,
    /// Thread counts (per rank).
    pub threads: Vec<u64>,
    /// MPI rank counts (`[1]` without MPI).
    pub ranks: Vec<u64>,
    /// How they combine.
    pub mode: Mode,
    /// "seed" or "indegree".
    pub scaling: String,
    /// Master seeds; each configuration runs once per seed and repeat.
    pub seeds: Vec<u64>,
    /// Repeats per seed.
    pub repeats: u32,
    /// Model time [ms].
    pub simtime: f64,
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Neuron model.
    pub model: String,
    /// Network order (0 but for the Brunel network).
    pub order: u64,
    /// The scale of the microcircuit or hpc_benchmark, as run (weak mode:
    /// the scale per rank times the ranks); `None` for the others.
    pub scale: Option<Scale>,
    /// Threads (per rank).
    pub threads: u64,
    /// MPI ranks.
    pub ranks: u64,
    /// Master seed.
    pub seed: u64,
    /// Repeat number (0-based).
    pub repeat: u32,
}

/// A microcircuit scale, compared and printed exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale(pub f64);

impl Eq for Scale {}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Parse a list of positive numbers such as `0.1,0.2,1`.
pub fn parse_scales(flag: &str, text: &str) -> Result<Vec<f64>, BenchError> {
    let bad = |why: &str| BenchError::Grid(format!("{flag} '{text}': {why}"));
    text.split(',')
        .map(str::trim)
        .map(|part| {
            if part.is_empty() {
                return Err(bad("empty entry"));
            }
            let v: f64 = part
                .parse()
                .map_err(|_| bad(&format!("'{part}' is not a number")))?;
            if !(v.is_finite() && v > 0.0) {
                return Err(bad("values must be > 0"));
            }
            Ok(v)
        })
        .collect()
}

/// Parse a list such as `250,1000,2500` or a range such as `1-4`
/// (or both: `1-4,8,16`) of positive integers.
pub fn parse_list(flag: &str, text: &str) -> Result<Vec<u64>, BenchError> {
    let bad = |why: &str| BenchError::Grid(format!("{flag} '{text}': {why}"));
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(bad("empty entry"));
        }
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| bad(&format!("'{s}' is not a whole number")))
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if a > b {
                    return Err(bad(&format!("range {a}-{b} runs backwards")));
                }
                if b - a > 10_000 {
                    return Err(bad("range too long"));
                }
                out.extend(a..=b);
            }
            None => out.push(num(part)?),
        }
    }
    if out.contains(&0) {
        return Err(bad("values must be > 0"));
    }
    Ok(out)
}

impl Plan {
    /// Check the plan.
    pub fn validate(&self) -> Result<(), BenchError> {
        if self.models.is_empty()
            || (self.orders.is_empty() && self.scaled.is_none() && self.network != "brette2007")
            || self.scaled.as_ref().is_some_and(|m| m.scales.is_empty())
            || self.threads.is_empty()
            || self.ranks.is_empty()
            || self.seeds.is_empty()
        {
            return Err(BenchError::Grid("the sweep grid is empty".into()));
        }
        if self.repeats == 0 {
            return Err(BenchError::Grid("--repeats must be > 0".into()));
        }
        if !(self.simtime.is_finite() && self.simtime > 0.0) {
            return Err(BenchError::Grid(format!(
                "--simtime must be > 0 (got {})",
                self.simtime
            )));
        }
        if !["seed", "indegree"].contains(&self.scaling.as_str()) {
            return Err(BenchError::Grid(format!(
                "unknown scaling '{}'",
                self.scaling
            )));
        }
        for (i, m) in self.models.iter().enumerate() {
            if self.models[..i].contains(m) {
                return Err(BenchError::Grid(format!("--models: '{m}' is listed twice")));
            }
        }
        if !["brunel", "microcircuit", "hpc_benchmark", "brette2007"]
            .contains(&self.network.as_str())
        {
            return Err(BenchError::Grid(format!(
                "unknown network '{}'",
                self.network
            )));
        }
        if self.mode == Mode::Weak
            && ["microcircuit", "brette2007"].contains(&self.network.as_str())
        {
            return Err(BenchError::Grid(format!(
                "--mode weak: the {} sweeps strong scaling only",
                self.network
            )));
        }
        if self.scaled.is_some()
            != ["microcircuit", "hpc_benchmark"].contains(&self.network.as_str())
        {
            return Err(BenchError::Grid(format!(
                "{}: scales are for the microcircuit and hpc_benchmark only",
                self.network
            )));
        }
        if let Some(mc) = &self.scaled {
            if self.network == "microcircuit" && !["poisson", "dc"].contains(&mc.drive.as_str()) {
                return Err(BenchError::Grid(format!(
                    "--drive: unknown drive '{}' (poisson, dc)",
                    mc.drive
                )));
            }
            if !(mc.presim.is_finite() && mc.presim >= 0.0) {
                return Err(BenchError::Grid(format!(
                    "--presim must be >= 0 (got {})",
                    mc.presim
                )));
            }
            for (i, s) in mc.scales.iter().enumerate() {
                if mc.scales[..i].contains(s) {
                    return Err(BenchError::Grid(format!("--scales: {s} is listed twice")));
                }
            }
        }
        Ok(())
    }

    /// The runs, configuration by configuration, repeats innermost; one
    /// model's whole grid after the other's.
    pub fn runs(&self) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut configs = Vec::new();
        if let Some(mc) = &self.scaled {
            for &scale in &mc.scales {
                for &r in &self.ranks {
                    for &t in &self.threads {
                        // Weak: the scale grows with the ranks (NEST's
                        // hpc_benchmark weak scaling), not the threads.
                        let scale = match self.mode {
                            Mode::Strong => scale,
                            Mode::Weak => scale * r as f64,
                        };
                        configs.push((0, Some(Scale(scale)), r, t));
                    }
                }
            }
        }
        if self.network == "brette2007" {
            for &r in &self.ranks {
                for &t in &self.threads {
                    configs.push((0, None, r, t));
                }
            }
        }
        let orders = if self.network == "brunel" {
            &self.orders[..]
        } else {
            &[][..]
        };
        for &o in orders {
            for &r in &self.ranks {
                for &t in &self.threads {
                    let order = match self.mode {
                        Mode::Strong => o,
                        Mode::Weak => o * t * r,
                    };
                    if !configs.contains(&(order, None, r, t)) {
                        configs.push((order, None, r, t));
                    }
                }
            }
        }
        for model in &self.models {
            for &(order, scale, ranks, threads) in &configs {
                for &seed in &self.seeds {
                    for repeat in 0..self.repeats {
                        runs.push(Run {
                            model: model.clone(),
                            order,
                            scale,
                            threads,
                            ranks,
                            seed,
                            repeat,
                        });
                    }
                }
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges() {
        assert_eq!(
            parse_list("--threads", "1-4,8").unwrap(),
            vec![1, 2, 3, 4, 8]
        );
        assert_eq!(
            parse_list("--orders", "250, 2500").unwrap(),
            vec![250, 2500]
        );
        for bad in ["", "1,,2", "a", "4-1", "0", "1.5", "-3"] {
            assert!(parse_list("--threads", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strong_and_weak_grids() {
        let mut plan = Plan {
            network: "brunel".into(),
            models: vec!["iaf_psc_alpha".into()],
            orders: vec![100],
            threads: vec![1, 2],
            ranks: vec![1],
            mode: Mode::Strong,
            scaling: "seed".into(),
            seeds: vec![1],
            repeats: 2,
            simtime: 100.0,
            scaled: None,
        };
        let orders: Vec<_> = plan.runs().iter().map(|r| (r.order, r.threads)).collect();
        assert_eq!(orders, vec![(100, 1), (100, 1), (100, 2), (100, 2)]);
        plan.mode = Mode::Weak;
        let orders: Vec<_> = plan.runs().iter().map(|r| (r.order, r.threads)).collect();
        assert_eq!(orders, vec![(100, 1), (100, 1), (200, 2), (200, 2)]);
        plan.models.push("iaf_psc_delta".into());
        let runs: Vec<_> = plan
            .runs()
            .iter()
            .map(|r| (r.model.clone(), r.order))
            .collect();
        assert_eq!(runs.len(), 8);
        assert_eq!(runs[3], ("iaf_psc_alpha".into(), 200));
        assert_eq!(runs[4], ("iaf_psc_delta".into(), 100));
        plan.models.push("iaf_psc_delta".into());
        assert!(plan.validate().unwrap_err().to_string().contains("twice"));
        plan.models.clear();
        assert!(plan.validate().is_err());
        plan.models.push("iaf_psc_alpha".into());
        plan.threads.clear();
        assert!(plan.validate().is_err());
    }

    #[test]
    fn microcircuit_grids_run_scales() {
        assert_eq!(
            parse_scales("--scales", "0.1, 0.2").unwrap(),
            vec![0.1, 0.2]
        );
        for bad in ["", "0.1,,1", "x", "0", "-0.1", "inf", "nan"] {
            assert!(parse_scales("--scales", bad).is_err(), "{bad}");
        }
        let mut plan = Plan {
            network: "microcircuit".into(),
            models: vec!["iaf_psc_exp".into()],
            orders: vec![],
            scaled: Some(ScalePlan {
                scales: vec![0.1, 0.2],
                drive: "poisson".into(),
                presim: 500.0,
            }),
            threads: vec![1, 2],
            ranks: vec![1],
            mode: Mode::Strong,
            scaling: "seed".into(),
            seeds: vec![1],
            repeats: 1,
            simtime: 100.0,
        };
        plan.validate().unwrap();
        let runs: Vec<_> = plan
            .runs()
            .iter()
            .map(|r| (r.order, r.scale.map(|s| s.0), r.threads))
            .collect();
        assert_eq!(
            runs,
            vec![
                (0, Some(0.1), 1),
                (0, Some(0.1), 2),
                (0, Some(0.2), 1),
                (0, Some(0.2), 2)
            ]
        );
        plan.mode = Mode::Weak;
        assert!(plan.validate().unwrap_err().to_string().contains("strong"));
        plan.mode = Mode::Strong;
        plan.scaled.as_mut().unwrap().drive = "thalamic".into();
        assert!(plan.validate().unwrap_err().to_string().contains("--drive"));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    /// hpc_benchmark's weak scaling: the scale per rank times the ranks,
    /// the same at every thread count; brette2007: one size.
    #[test]
    fn weak_hpc_benchmark_grows_the_scale_with_the_ranks() {
        let mut plan = Plan {
            network: "hpc_benchmark".into(),
            models: vec!["iaf_psc_alpha".into()],
            orders: vec![],
            scaled: Some(ScalePlan {
                scales: vec![0.1],
                drive: String::new(),
                presim: 50.0,
            }),
            threads: vec![1, 2],
            ranks: vec![1, 2, 4],
            mode: Mode::Weak,
            scaling: "seed".into(),
            seeds: vec![1],
            repeats: 1,
            simtime: 100.0,
        };
        plan.validate().unwrap();
        let runs: Vec<_> = plan
            .runs()
            .iter()
            .map(|r| (r.scale.map(|s| s.0), r.ranks, r.threads))
            .collect();
        assert_eq!(
            runs,
            vec![
                (Some(0.1), 1, 1),
                (Some(0.1), 1, 2),
                (Some(0.2), 2, 1),
                (Some(0.2), 2, 2),
                (Some(0.4), 4, 1),
                (Some(0.4), 4, 2),
            ]
        );
        plan.mode = Mode::Strong;
        assert!(plan.runs().iter().all(|r| r.scale == Some(Scale(0.1))));
        let brette = Plan {
            network: "brette2007".into(),
            models: vec!["coba".into(), "hh_coba".into()],
            scaled: None,
            ranks: vec![1],
            ..plan.clone()
        };
        brette.validate().unwrap();
        let runs: Vec<_> = brette
            .runs()
            .iter()
            .map(|r| (r.model.clone(), r.threads, r.scale))
            .collect();
        assert_eq!(runs.len(), 4);
        assert_eq!(runs[2], ("hh_coba".into(), 1, None));
        let weak = Plan {
            mode: Mode::Weak,
            ..brette
        };
        assert!(weak.validate().unwrap_err().to_string().contains("strong"));
    }
}
