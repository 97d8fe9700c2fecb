//! Medians, spreads, speed-up and parallel efficiency of a result set.

use std::collections::BTreeMap;

use crate::grid::Mode;
use crate::record::{ConfigKey, Figure, RunRecord};

/// Median, minimum and maximum of one figure over a configuration's runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Median.
    pub median: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Number of runs.
    pub n: usize,
}

impl Spread {
    /// Of `values` (`None` if empty).
    pub fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Self {
            median,
            min: v[0],
            max: v[n - 1],
            n,
        })
    }
}

/// Records grouped by configuration.
pub fn group(records: &[RunRecord]) -> BTreeMap<ConfigKey, Vec<&RunRecord>> {
    let mut groups: BTreeMap<ConfigKey, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        groups.entry(r.key()).or_default().push(r);
    }
    groups
}

/// The spread of a figure within a group (over the runs that have it).
pub fn spread(group: &[&RunRecord], figure: Figure) -> Option<Spread> {
    Spread::of(&group.iter().filter_map(|r| figure(r)).collect::<Vec<_>>())
}

/// One line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The configuration.
    pub key: ConfigKey,
    /// Simulation wall time [s].
    pub sim: Spread,
    /// Build time [s].
    pub build: Option<Spread>,
    /// Peak RSS [bytes] (the largest rank's).
    pub rss: Option<Spread>,
    /// Peak RSS per rank [bytes]: the mean over the ranks.
    pub rss_rank_mean: Option<Spread>,
    /// Median of each phase timer [s].
    pub phases: [f64; 4],
    /// T(1 thread) / T(this), same order: strong scaling.
    pub speedup: Option<f64>,
    /// Speed-up / threads (strong), or T(1 thread, order/threads) /
    /// T(this) when the set holds that run (weak).
    pub efficiency: Option<f64>,
}

/// Phase timers (mean over threads), in stacking order; null for peers.
pub const PHASES: [(&str, Figure); 4] = [
    ("time_update", |r| r.timers.time_update),
    ("time_deliver_spike_data", |r| {
        r.timers.time_deliver_spike_data
    }),
    ("time_gather_spike_data", |r| {
        r.timers.time_gather_spike_data
    }),
    ("time_omp_synchronization_simulation", |r| {
        r.timers.time_omp_synchronization_simulation
    }),
];

const SIM_TIME: Figure = |r| Some(r.sim_time);

/// Summarise a result set.
pub fn rows(records: &[RunRecord]) -> Vec<Row> {
    let groups = group(records);
    let median_sim = |key: &ConfigKey| groups.get(key).and_then(|g| spread(g, SIM_TIME));
    let weak = records.iter().any(|r| r.mode() == Some(Mode::Weak));
    groups
        .iter()
        .filter_map(|(key, g)| {
            let sim = spread(g, SIM_TIME)?;
            // The reference is one process with one thread.
            let one = ConfigKey {
                threads: 1,
                ranks: 1,
                ..key.clone()
            };
            let base = if weak && key.is_scaled() {
                // A sized network's weak scaling grows the scale with the
                // ranks: the reference is one rank at the system's
                // smallest scale (the scale per rank), with the threads
                // per rank; a system without MPI (NEST's wheel) ran R
                // ranks as R times the threads, so its reference has
                // 1/R of them.
                let same = |k: &&ConfigKey| {
                    **k == ConfigKey {
                        scale: k.scale.clone(),
                        ranks: k.ranks,
                        threads: k.threads,
                        ..key.clone()
                    }
                };
                let smallest = groups
                    .keys()
                    .filter(same)
                    .map(|k| k.size())
                    .fold(f64::INFINITY, f64::min);
                let factor = (key.size() / smallest).round().max(1.0) as u64;
                let threads = if key.ranks > 1 {
                    key.threads
                } else {
                    key.threads / factor
                };
                groups
                    .keys()
                    .filter(same)
                    .find(|k| {
                        k.ranks == 1
                            && k.threads == threads
                            && (k.size() - smallest).abs() <= 1e-9 * smallest
                    })
                    .cloned()
                    .unwrap_or(one.clone())
            } else if weak {
                ConfigKey {
                    threads: 1,
                    ranks: 1,
                    order: key.order / (key.threads * key.ranks).max(1),
                    ..key.clone()
                }
            } else {
                one.clone()
            };
            let speedup = (!weak)
                .then(|| median_sim(&one).map(|t1| t1.median / sim.median))
                .flatten();
            let efficiency = if weak && base == one && key.is_scaled() && key.ranks > 1 {
                None
            } else if weak {
                median_sim(&base).map(|t1| t1.median / sim.median)
            } else {
                speedup.map(|s| s / (key.threads * key.ranks) as f64)
            };
            let phases = PHASES.map(|(_, p)| spread(g, p).map(|s| s.median).unwrap_or(0.0));
            Some(Row {
                key: key.clone(),
                sim,
                build: spread(g, |r| Some(r.build_time)),
                rss: spread(g, |r| Some(r.peak_rss_bytes as f64)),
                rss_rank_mean: spread(g, |r| {
                    let n = r.rank_peak_rss_bytes.len();
                    (n > 0).then(|| r.rank_peak_rss_bytes.iter().sum::<u64>() as f64 / n as f64)
                }),
                phases,
                speedup,
                efficiency,
            })
        })
        .collect()
}

/// The summary as a Markdown table.
pub fn markdown(records: &[RunRecord]) -> String {
    let mut out = String::from(
        "| system | model | order | scaling | ranks | threads | runs | simulation s (median, min–max) | build s | peak RSS MB | RTF | speed-up | efficiency |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows(records) {
        let model_s = r.key.model_seconds();
        // The other networks: their name, their size and their variant
        // (the microcircuit's drive) in the Brunel network's model, order
        // and scaling columns.
        let (model, size, variant) = if r.key.network != crate::record::SEED_NETWORK {
            (
                r.key.network.clone(),
                r.key.size_label(),
                r.key.drive.clone(),
            )
        } else {
            (
                r.key.model.clone(),
                r.key.order.to_string(),
                r.key.scaling.clone(),
            )
        };
        let opt =
            |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or_else(|| "–".into());
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.3} ({:.3}–{:.3}) | {} | {} | {:.3} | {} | {} |\n",
            r.key.system,
            model,
            size,
            variant,
            r.key.ranks,
            r.key.threads,
            r.sim.n,
            r.sim.median,
            r.sim.min,
            r.sim.max,
            opt(r.build.map(|b| b.median), &|v| format!("{v:.3}")),
            opt(r.rss.map(|b| b.median), &|v| format!("{:.0}", v / 1e6)),
            r.sim.median / model_s,
            opt(r.speedup, &|v| format!("{v:.2}")),
            opt(r.efficiency, &|v| format!("{:.0} %", v * 100.0)),
        );
    }
    if records.iter().any(|r| r.mode() == Some(Mode::Weak)) {
        out += &weak_table(records);
    }
    out
}

/// Weak scaling: each configuration's size per rank, time and memory per
/// rank (the mean of the ranks' peaks and the largest), against ranks.
fn weak_table(records: &[RunRecord]) -> String {
    let mut out = String::from(
        "\nWeak scaling (the size grows with the ranks; memory per rank):\n\n\
         | system | network | size | ranks | threads | size per rank | simulation s | build s | peak RSS per rank MB (mean, max) | efficiency |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut rows = rows(records);
    rows.sort_by(|a, b| {
        (&a.key.system, &a.key.network, a.key.threads, a.key.ranks).cmp(&(
            &b.key.system,
            &b.key.network,
            b.key.threads,
            b.key.ranks,
        ))
    });
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or_else(|| "–".into());
    for r in rows {
        let per_rank = if r.key.is_scaled() {
            format!("scale {}", r.key.size() / r.key.ranks.max(1) as f64)
        } else {
            format!(
                "order {}",
                r.key.order / (r.key.ranks * r.key.threads).max(1)
            )
        };
        out += &format!(
            "| {} | {} | {} | {} | {} | {per_rank} | {:.3} | {} | {} | {} |\n",
            r.key.system,
            if r.key.network == crate::record::SEED_NETWORK {
                r.key.model.clone()
            } else {
                r.key.network.clone()
            },
            r.key.size_label(),
            r.key.ranks,
            r.key.threads,
            r.sim.median,
            opt(r.build.map(|b| b.median), &|v| format!("{v:.3}")),
            match (r.rss_rank_mean, r.rss) {
                (Some(mean), Some(max)) =>
                    format!("{:.0}, {:.0}", mean.median / 1e6, max.median / 1e6),
                _ => "–".into(),
            },
            opt(r.efficiency, &|v| format!("{:.0} %", v * 100.0)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::SweepTag;

    fn rec(order: u64, threads: u64, sim: f64, mode: Mode) -> RunRecord {
        RunRecord {
            sweep: Some(SweepTag {
                label: String::new(),
                repeat: 0,
                mode,
            }),
            ..crate::record::sample(order, threads, sim)
        }
    }

    #[test]
    fn spreads() {
        let s = Spread::of(&[3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.5, 1.0, 10.0, 4));
        assert!(Spread::of(&[]).is_none());
    }

    #[test]
    fn strong_scaling_speedup_and_efficiency() {
        let recs = vec![
            rec(100, 1, 2.0, Mode::Strong),
            rec(100, 1, 2.2, Mode::Strong),
            rec(100, 2, 1.05, Mode::Strong),
        ];
        let rows = rows(&recs);
        let two = rows.iter().find(|r| r.key.threads == 2).unwrap();
        assert!((two.speedup.unwrap() - 2.1 / 1.05).abs() < 1e-12);
        assert!((two.efficiency.unwrap() - 1.0).abs() < 1e-12);
        assert!(
            markdown(&recs).contains("| spindle | iaf_psc_alpha | 100 | seed | 1 | 2 | 1 | 1.050")
        );
    }

    #[test]
    fn ranks_are_their_own_configurations() {
        let mut two_ranks = rec(100, 2, 0.55, Mode::Strong);
        two_ranks.ranks = 2;
        let recs = vec![
            rec(100, 1, 2.0, Mode::Strong),
            rec(100, 2, 1.0, Mode::Strong),
            two_ranks,
        ];
        let rows = rows(&recs);
        assert_eq!(rows.len(), 3);
        let r = rows.iter().find(|r| r.key.ranks == 2).unwrap();
        // Against one process with one thread, over 2 ranks x 2 threads.
        assert!((r.speedup.unwrap() - 2.0 / 0.55).abs() < 1e-12);
        assert!((r.efficiency.unwrap() - 2.0 / 0.55 / 4.0).abs() < 1e-12);
        assert!(
            markdown(&recs).contains("| spindle | iaf_psc_alpha | 100 | seed | 2 | 2 | 1 | 0.550")
        );
    }

    /// Each model's runs are their own rows, with their own 1-thread
    /// reference.
    #[test]
    fn models_are_their_own_rows() {
        let delta = |threads, sim| RunRecord {
            model: "iaf_psc_delta".into(),
            ..rec(100, threads, sim, Mode::Strong)
        };
        let recs = vec![
            rec(100, 1, 2.0, Mode::Strong),
            rec(100, 2, 1.0, Mode::Strong),
            delta(1, 3.0),
            delta(2, 1.0),
        ];
        let rows = rows(&recs);
        assert_eq!(rows.len(), 4);
        let two = |model: &str| {
            rows.iter()
                .find(|r| r.key.model == model && r.key.threads == 2)
                .unwrap()
                .speedup
                .unwrap()
        };
        assert_eq!((two("iaf_psc_alpha"), two("iaf_psc_delta")), (2.0, 3.0));
        assert!(
            markdown(&recs).contains("| spindle | iaf_psc_delta | 100 | seed | 1 | 2 | 1 | 1.000")
        );
    }

    #[test]
    fn weak_scaling_efficiency() {
        let recs = vec![rec(100, 1, 1.0, Mode::Weak), rec(200, 2, 1.25, Mode::Weak)];
        let two = rows(&recs)
            .into_iter()
            .find(|r| r.key.threads == 2)
            .unwrap();
        assert!((two.efficiency.unwrap() - 0.8).abs() < 1e-12);
        assert!(two.speedup.is_none());
    }
}

#[cfg(test)]
mod weak_scale_tests {
    use super::*;
    use crate::record::{HPC_BENCHMARK, SweepTag};

    fn hpc(system: &str, scale: f64, ranks: u64, threads: u64, sim: f64) -> RunRecord {
        RunRecord {
            system: system.into(),
            network: HPC_BENCHMARK.into(),
            scale: Some(scale),
            ranks,
            sweep: Some(SweepTag {
                label: String::new(),
                repeat: 0,
                mode: Mode::Weak,
            }),
            ..crate::record::sample(0, threads, sim)
        }
    }

    /// hpc_benchmark's weak scaling: against one rank at the scale per
    /// rank; NEST, without MPI, against its run with 1/R of the threads.
    #[test]
    fn weak_efficiency_of_a_sized_network() {
        let recs = vec![
            hpc("spindle", 0.1, 1, 1, 2.0),
            hpc("spindle", 0.2, 2, 1, 2.5),
            hpc("spindle", 0.4, 4, 1, 4.0),
            hpc("nest", 0.1, 1, 1, 10.0),
            hpc("nest", 0.2, 1, 2, 20.0),
        ];
        let rows = rows(&recs);
        let eff = |system: &str, scale: &str| {
            rows.iter()
                .find(|r| r.key.system == system && r.key.scale == scale)
                .unwrap()
                .efficiency
                .unwrap()
        };
        assert_eq!(eff("spindle", "0.1"), 1.0);
        assert_eq!(eff("spindle", "0.2"), 0.8);
        assert_eq!(eff("spindle", "0.4"), 0.5);
        assert_eq!(eff("nest", "0.2"), 0.5);
        let md = markdown(&recs);
        assert!(
            md.contains("| spindle | hpc_benchmark | scale 0.4 | 4 | 1 | scale 0.1 |"),
            "{md}"
        );
    }
}
