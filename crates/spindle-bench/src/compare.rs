//! Regression comparison of two result sets.
//!
//! The rule, per configuration and figure (simulation time, build time,
//! peak RSS): let `ratio` = median(NEW) / median(OLD) and `noise` the sum
//! of both sides' relative ranges, (max - min) / median. NEW is **slower**
//! when every NEW repeat is above every OLD repeat (the ranges do not
//! overlap), `ratio - 1` exceeds `threshold + noise`, and the medians
//! differ by more than a floor (5 ms for times, 1 MB for memory) that keeps
//! sub-millisecond runs from flapping; **faster** symmetrically; otherwise
//! **within noise**. Sets recorded at different times drift by a few per
//! cent on a shared machine; the noise term widens the band by what the
//! repeats show. With one repeat per side the ranges are single points and
//! the threshold alone decides: record several repeats for a real verdict. Spike digests of the same (configuration, seed) must be equal;
//! a difference is reported as a change of results, not of speed.
//!
//! Absolute times compare only between sets of one machine
//! ([`MachineId`]); [`machines`] says whether two sets are. What carries
//! across machines is the ratio of a peer's time to Spindle's measured in
//! one sweep ([`peer_ratios`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::machine::MachineId;
use crate::record::{ConfigKey, Figure, RunRecord};
use crate::summary::{Spread, group, spread};

/// How a figure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Better beyond noise and threshold.
    Faster,
    /// Worse beyond noise and threshold.
    Slower,
    /// Neither.
    Noise,
}

/// One figure of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The configuration.
    pub key: ConfigKey,
    /// The figure.
    pub metric: &'static str,
    /// OLD's repeats.
    pub old: Spread,
    /// NEW's repeats.
    pub new: Spread,
    /// median(NEW) / median(OLD).
    pub ratio: f64,
    /// The verdict.
    pub verdict: Verdict,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Figures compared.
    pub comparisons: Vec<Comparison>,
    /// (configuration, seed, OLD digests, NEW digests) that differ.
    pub digest_changes: Vec<(ConfigKey, u64, String, String)>,
    /// Configurations only OLD has.
    pub only_old: Vec<ConfigKey>,
    /// Configurations only NEW has.
    pub only_new: Vec<ConfigKey>,
}

/// Figures compared: name, how to read it, floor.
pub const METRICS: [(&str, Figure, f64); 3] = [
    ("sim_time", |r| Some(r.sim_time), 0.005),
    ("build_time", |r| Some(r.build_time), 0.005),
    ("peak_rss_bytes", |r| Some(r.peak_rss_bytes as f64), 1e6),
];

/// Decide one figure by the module's rule.
pub fn verdict(old: &Spread, new: &Spread, threshold: f64, floor: f64) -> Verdict {
    let ratio = new.median / old.median;
    let noise = (old.max - old.min) / old.median + (new.max - new.min) / new.median;
    let band = threshold + noise;
    if new.min > old.max && ratio > 1.0 + band && new.median - old.median > floor {
        Verdict::Slower
    } else if new.max < old.min && ratio < 1.0 - band && old.median - new.median > floor {
        Verdict::Faster
    } else {
        Verdict::Noise
    }
}

/// Compare NEW against OLD.
pub fn compare(old: &[RunRecord], new: &[RunRecord], threshold: f64) -> Report {
    let (go, gn) = (group(old), group(new));
    let mut report = Report::default();
    for (key, o) in &go {
        let Some(n) = gn.get(key) else {
            report.only_old.push(key.clone());
            continue;
        };
        for (metric, figure, floor) in METRICS {
            if let (Some(so), Some(sn)) = (spread(o, figure), spread(n, figure))
                && so.median > 0.0
            {
                report.comparisons.push(Comparison {
                    key: key.clone(),
                    metric,
                    old: so,
                    new: sn,
                    ratio: sn.median / so.median,
                    verdict: verdict(&so, &sn, threshold, floor),
                });
            }
        }
        let digests = |g: &[&RunRecord]| {
            let mut m: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
            for r in g {
                if let Some(d) = &r.spike_digest {
                    m.entry(r.seed).or_default().insert(d.clone());
                }
            }
            m
        };
        let (dold, dnew) = (digests(o), digests(n));
        for (seed, a) in &dold {
            if let Some(b) = dnew.get(seed).filter(|b| *b != a) {
                let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join("/");
                report
                    .digest_changes
                    .push((key.clone(), *seed, join(a), join(b)));
            }
        }
    }
    report.only_new = gn.keys().filter(|k| !go.contains_key(k)).cloned().collect();
    report
}

/// Whether two sets come from one machine, and the line that says so.
#[derive(Debug, Clone, PartialEq)]
pub struct Machines {
    /// No field that both sets record differs.
    pub same: bool,
    /// The first line of `spindle compare`.
    pub line: String,
    /// The fields that differ, as "field: OLD vs NEW".
    pub differences: Vec<String>,
}

/// Compare the machines of two sets.
pub fn machines(old: &[RunRecord], new: &[RunRecord]) -> Machines {
    let (mo, mn) = (
        MachineId::of_set(old).unwrap_or_default(),
        MachineId::of_set(new).unwrap_or_default(),
    );
    let differences: Vec<String> = mo
        .differences(&mn)
        .into_iter()
        .map(|(k, a, b)| format!("{k}: {a} vs {b}"))
        .collect();
    let unknown = |m: &MachineId, side: &str| {
        let u = m.unknown();
        (!u.is_empty()).then(|| format!("{side} does not record {}", u.join(", ")))
    };
    let gaps: Vec<String> = [unknown(&mo, "OLD"), unknown(&mn, "NEW")]
        .into_iter()
        .flatten()
        .collect();
    let line = if differences.is_empty() && gaps.is_empty() {
        format!("OLD and NEW come from the same machine: {}", mo.line())
    } else if differences.is_empty() {
        format!(
            "OLD and NEW come from the same machine as far as they record ({}): {}",
            gaps.join("; "),
            mo.line()
        )
    } else {
        format!(
            "OLD and NEW come from DIFFERENT machines ({}): OLD {}; NEW {}",
            differences.join("; "),
            mo.short(),
            mn.short()
        )
    };
    Machines {
        same: differences.is_empty(),
        line,
        differences,
    }
}

/// Each peer's median simulation time over Spindle's in the same set, per
/// configuration (keyed by the peer's): how far ahead Spindle is, measured
/// in one sweep on one box, which carries across machines.
pub fn peer_ratios(records: &[RunRecord]) -> BTreeMap<ConfigKey, f64> {
    let groups = group(records);
    let sim: Figure = |r| Some(r.sim_time);
    groups
        .iter()
        .filter(|(k, _)| k.system != "spindle")
        .filter_map(|(k, g)| {
            let ours = groups.get(&ConfigKey {
                system: "spindle".into(),
                ..k.clone()
            })?;
            let (p, s) = (spread(g, sim)?, spread(ours, sim)?);
            (s.median > 0.0).then(|| (k.clone(), p.median / s.median))
        })
        .collect()
}

/// The peer ratios of OLD and NEW side by side.
pub fn render_ratios(old: &[RunRecord], new: &[RunRecord]) -> String {
    let (ro, rn) = (peer_ratios(old), peer_ratios(new));
    if ro.is_empty() && rn.is_empty() {
        return "peer ratios: no peer (NEST, Brian2) ran in either set, so nothing here carries across machines\n".into();
    }
    let keys: BTreeSet<&ConfigKey> = ro.keys().chain(rn.keys()).collect();
    let w = keys
        .iter()
        .map(|k| k.to_string().len() + 1)
        .max()
        .unwrap_or(0)
        .max(48);
    let mut out = format!(
        "peer ratios: the peer's simulation time / Spindle's, each measured in one sweep\n{:<w$}{:>10}{:>10}{:>9}\n",
        "configuration", "old", "new", "new/old"
    );
    let x = |v: Option<&f64>| v.map_or("—".to_string(), |v| format!("{v:.1}x"));
    for k in keys {
        let (a, b) = (ro.get(k), rn.get(k));
        let change = match (a, b) {
            (Some(a), Some(b)) => format!("{:.3}", b / a),
            _ => "—".into(),
        };
        out += &format!(
            "{:<w$}{:>10}{:>10}{:>9}\n",
            k.to_string(),
            x(a),
            x(b),
            change
        );
    }
    out
}

impl Report {
    /// Whether any figure got slower.
    pub fn regressed(&self) -> bool {
        self.comparisons
            .iter()
            .any(|c| c.verdict == Verdict::Slower)
    }

    /// A table for the terminal.
    pub fn render(&self, threshold: f64) -> String {
        // The configuration column fits the longest key (the microcircuit's
        // are longer than the Brunel network's).
        let w = self
            .comparisons
            .iter()
            .map(|c| c.key.to_string().len() + 1)
            .max()
            .unwrap_or(0)
            .max(48);
        let mut out = format!(
            "{:<w$}{:<16}{:>12}{:>12}{:>9}  verdict (threshold {:.0} %)\n",
            "configuration",
            "figure",
            "old median",
            "new median",
            "new/old",
            threshold * 100.0
        );
        for c in &self.comparisons {
            let verdict = match c.verdict {
                Verdict::Faster => "faster",
                Verdict::Slower => "SLOWER",
                Verdict::Noise => "within noise",
            };
            let fmt = |v: f64| {
                if c.metric == "peak_rss_bytes" {
                    format!("{:.1} MB", v / 1e6)
                } else {
                    format!("{v:.4} s")
                }
            };
            out += &format!(
                "{:<w$}{:<16}{:>12}{:>12}{:>9.3}  {verdict} (old {}–{}, new {}–{}, n={}/{})\n",
                c.key.to_string(),
                c.metric,
                fmt(c.old.median),
                fmt(c.new.median),
                c.ratio,
                fmt(c.old.min),
                fmt(c.old.max),
                fmt(c.new.min),
                fmt(c.new.max),
                c.old.n,
                c.new.n
            );
        }
        for (key, seed, a, b) in &self.digest_changes {
            out += &format!("RESULTS CHANGED: {key} seed {seed}: spike digest {a} -> {b}\n");
        }
        for key in &self.only_old {
            out += &format!("only in OLD: {key}\n");
        }
        for key in &self.only_new {
            out += &format!("only in NEW: {key}\n");
        }
        let slower = self
            .comparisons
            .iter()
            .filter(|c| c.verdict == Verdict::Slower)
            .count();
        let faster = self
            .comparisons
            .iter()
            .filter(|c| c.verdict == Verdict::Faster)
            .count();
        out += &format!(
            "{} figures compared: {slower} slower, {faster} faster, {} within noise; {} digest changes\n",
            self.comparisons.len(),
            self.comparisons.len() - slower - faster,
            self.digest_changes.len()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(threads: u64, sim: f64, digest: &str) -> RunRecord {
        RunRecord {
            spike_digest: Some(digest.into()),
            ..crate::record::sample(250, threads, sim)
        }
    }

    #[test]
    fn the_rule() {
        let s = |a: &[f64]| Spread::of(a).unwrap();
        assert_eq!(
            verdict(&s(&[1.0, 1.02]), &s(&[1.2, 1.25]), 0.05, 0.005),
            Verdict::Slower
        );
        // overlapping ranges: noise, however large the median ratio
        assert_eq!(
            verdict(&s(&[1.0, 1.3]), &s(&[1.2, 1.4]), 0.05, 0.005),
            Verdict::Noise
        );
        // beyond noise but below the threshold
        assert_eq!(
            verdict(&s(&[1.0, 1.01]), &s(&[1.03, 1.04]), 0.05, 0.005),
            Verdict::Noise
        );
        // above the threshold, but not above threshold + the repeats' spread
        assert_eq!(
            verdict(&s(&[1.0, 1.03]), &s(&[1.07, 1.10]), 0.05, 0.005),
            Verdict::Noise
        );
        assert_eq!(
            verdict(&s(&[1.0, 1.02]), &s(&[0.5, 0.52]), 0.05, 0.005),
            Verdict::Faster
        );
        // below the floor
        assert_eq!(
            verdict(&s(&[0.001]), &s(&[0.002]), 0.05, 0.005),
            Verdict::Noise
        );
    }

    /// A delta run is never compared with an alpha run of the same shape.
    #[test]
    fn models_are_never_compared_across() {
        let alpha = vec![rec(2, 1.0, "aa"), rec(2, 1.1, "aa")];
        let delta: Vec<_> = alpha
            .iter()
            .map(|r| RunRecord {
                model: "iaf_psc_delta".into(),
                sim_time: 5.0,
                spike_digest: Some("dd".into()),
                ..r.clone()
            })
            .collect();
        let r = compare(&alpha, &delta, 0.05);
        assert!(r.comparisons.is_empty() && r.digest_changes.is_empty());
        assert_eq!((r.only_old.len(), r.only_new.len()), (1, 1));
        assert!(
            r.render(0.05)
                .contains("only in NEW: spindle iaf_psc_delta order=250")
        );
        let both: Vec<_> = alpha.iter().chain(&delta).cloned().collect();
        let r = compare(&both, &both, 0.05);
        assert_eq!(r.comparisons.len(), 6);
        assert!(!r.regressed() && r.digest_changes.is_empty());
    }

    #[test]
    fn same_set_no_regression_and_digest_changes_are_reported() {
        let a = vec![rec(2, 1.0, "aa"), rec(2, 1.1, "aa")];
        let r = compare(&a, &a, 0.05);
        assert!(!r.regressed());
        assert!(r.digest_changes.is_empty());
        let b = vec![rec(2, 2.0, "bb"), rec(2, 2.1, "bb")];
        let r = compare(&a, &b, 0.05);
        assert!(r.regressed());
        assert_eq!(r.digest_changes.len(), 1);
        assert!(r.render(0.05).contains("SLOWER"));
        assert!(r.render(0.05).contains("RESULTS CHANGED"));
    }
}
