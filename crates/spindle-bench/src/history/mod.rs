//! Regression tracking over many result sets (`spindle history`): every
//! set read, its runs grouped by machine and configuration, each figure's
//! series ordered by commit date, steps found ([`steps`]), and two views:
//! a Markdown table ([`markdown`]) and a self-contained HTML page with one
//! plot per configuration ([`html`]).
//!
//! Absolute figures form one series per machine ([`MachineId::hardware`]:
//! the box, whatever the compiler); what carries across machines, each
//! peer's time over Spindle's within one set, is plotted beside them.
//! Commit dates come from the caller ([`Commits`], `git log` in the CLI);
//! a commit the repository does not hold (rewritten history, another
//! clone) is dated by the set's name (`YYYY-MM-DD-...`).

pub mod html;
pub mod markdown;
pub mod steps;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compare::{METRICS, Verdict, peer_ratios, verdict};
use crate::machine::MachineId;
use crate::record::{ConfigKey, RunRecord, parse_set};
use crate::summary::{Spread, group, spread};

pub use steps::Step;

/// A commit as the repository knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    /// The full hash.
    pub hash: String,
    /// Commit time [s since 1970, UTC].
    pub time: i64,
    /// Commit date as ISO 8601 text.
    pub date: String,
    /// The first line of its message.
    pub subject: String,
}

/// The repository's commits, for dating the records' `git_commit`.
#[derive(Debug, Clone, Default)]
pub struct Commits(Vec<Commit>);

impl Commits {
    /// From any list (sorted here by time).
    pub fn new(mut commits: Vec<Commit>) -> Self {
        commits.sort_by_key(|c| c.time);
        Commits(commits)
    }

    /// Parse `git log --format='%H%x09%ct%x09%cI%x09%s'` output.
    pub fn parse_git_log(text: &str) -> Self {
        Self::new(
            text.lines()
                .filter_map(|l| {
                    let mut f = l.splitn(4, '\t');
                    Some(Commit {
                        hash: f.next()?.to_string(),
                        time: f.next()?.parse().ok()?,
                        date: f.next()?.to_string(),
                        subject: f.next().unwrap_or("").to_string(),
                    })
                })
                .collect(),
        )
    }

    /// The commit a record names (an abbreviated hash, maybe `-dirty`).
    pub fn find(&self, recorded: &str) -> Option<&Commit> {
        let h = recorded.trim_end_matches("-dirty");
        (h.len() >= 7)
            .then(|| self.0.iter().find(|c| c.hash.starts_with(h)))
            .flatten()
    }

    /// Commits dated after `from` up to and including `to`.
    pub fn between(&self, from: i64, to: i64) -> Vec<&Commit> {
        self.0
            .iter()
            .filter(|c| c.time > from && c.time <= to)
            .collect()
    }
}

/// A result set as read.
#[derive(Debug, Clone)]
pub struct Set {
    /// Its path relative to the folder it was found in.
    pub name: String,
    /// Its folder (or file).
    pub path: PathBuf,
    /// The runs read.
    pub records: Vec<RunRecord>,
    /// Files and lines in it that were not runs, with why.
    pub skipped: Vec<String>,
}

/// A set that could not be read, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// As [`Set::name`].
    pub name: String,
    /// Why.
    pub reason: String,
}

fn is_record_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "json")
    )
}

/// Read one folder's (or file's) runs: every `.jsonl` line and every
/// `.json` file that is a record. `Err` with the reason when none is.
fn read_one(path: &Path, files: &[PathBuf]) -> Result<(Vec<RunRecord>, Vec<String>), String> {
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for f in files {
        let name = f.strip_prefix(path).unwrap_or(f).display().to_string();
        let name = if name.is_empty() {
            f.display().to_string()
        } else {
            name
        };
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                skipped.push(format!("{name}: cannot be read ({e})"));
                continue;
            }
        };
        let jsonl = f.extension().is_some_and(|e| e == "jsonl");
        let parsed = if jsonl {
            parse_set(&bytes, &name).map(|s| {
                skipped.extend(s.skipped);
                s.records
            })
        } else {
            RunRecord::parse(&String::from_utf8_lossy(&bytes), &name).map(|r| vec![r])
        };
        match parsed {
            Ok(r) => records.extend(r),
            Err(e) => skipped.push(e.to_string()),
        }
    }
    if records.is_empty() {
        let why = if skipped.is_empty() {
            "no run records in it".to_string()
        } else {
            skipped.join("; ")
        };
        return Err(why);
    }
    Ok((records, skipped))
}

/// Find and read the result sets under `roots`: a folder whose own files
/// include `.jsonl` or `.json` is a set; folders holding only other
/// folders are walked; a folder with files but no runs is unreadable, as
/// is a set whose every record file fails. A root that is a file is a set.
pub fn load(roots: &[PathBuf]) -> (Vec<Set>, Vec<Unreadable>) {
    let mut sets = Vec::new();
    let mut bad = Vec::new();
    for root in roots {
        if root.is_file() {
            let name = root.display().to_string();
            match read_one(root, std::slice::from_ref(root)) {
                Ok((records, skipped)) => sets.push(Set {
                    name,
                    path: root.clone(),
                    records,
                    skipped,
                }),
                Err(reason) => bad.push(Unreadable { name, reason }),
            }
            continue;
        }
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let name = match dir.strip_prefix(root) {
                Ok(p) if !p.as_os_str().is_empty() => p.display().to_string(),
                _ => root.display().to_string(),
            };
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    bad.push(Unreadable {
                        name,
                        reason: format!("cannot be read ({e})"),
                    });
                    continue;
                }
            };
            let mut files = Vec::new();
            let mut others = Vec::new();
            let mut subdirs = Vec::new();
            for e in entries.flatten() {
                let p = e.path();
                let hidden = e.file_name().to_string_lossy().starts_with('.');
                if hidden {
                    continue;
                }
                if p.is_dir() {
                    subdirs.push(p);
                } else if is_record_file(&p) {
                    files.push(p);
                } else {
                    others.push(e.file_name().to_string_lossy().into_owned());
                }
            }
            files.sort();
            others.sort();
            subdirs.sort();
            stack.extend(subdirs.iter().rev().cloned());
            if files.is_empty() {
                if subdirs.is_empty() && !others.is_empty() {
                    bad.push(Unreadable {
                        name,
                        reason: format!(
                            "no run records (raw.jsonl or JSON records); it holds {}",
                            others.join(", ")
                        ),
                    });
                }
                continue;
            }
            match read_one(&dir, &files) {
                Ok((records, skipped)) => sets.push(Set {
                    name,
                    path: dir,
                    records,
                    skipped,
                }),
                Err(reason) => bad.push(Unreadable { name, reason }),
            }
        }
    }
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    bad.sort_by(|a, b| a.name.cmp(&b.name));
    (sets, bad)
}

/// When a point was made.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    /// Seconds since 1970 (for ordering).
    pub time: i64,
    /// The commit as recorded ("" when none was).
    pub commit: String,
    /// The commit's date, or the set's, or "date unknown".
    pub date: String,
    /// Whether the date is the commit's (else the set name's).
    pub from_commit: bool,
}

/// One set's figure for one configuration on one machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Index into [`History::sets`].
    pub set: usize,
    /// When.
    pub when: When,
    /// The repeats.
    pub spread: Spread,
}

/// One figure of one configuration on one machine, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The machine.
    pub machine: MachineId,
    /// The sets' figures.
    pub points: Vec<Point>,
    /// The steps found in it.
    pub steps: Vec<Step>,
}

/// (set index, when, the peer's time over Spindle's).
pub type RatioPoint = (usize, When, f64);

/// A peer's time over Spindle's, per set, on one machine.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioSeries {
    /// The machine.
    pub machine: MachineId,
    /// "nest" or "brian2".
    pub peer: String,
    /// The sets' ratios.
    pub points: Vec<RatioPoint>,
}

/// The figures [`History`] follows: name, unit, and how the markdown and
/// plots print them.
pub const FIGURES: [(&str, &str); 3] = [
    ("sim_time", "simulation time [s]"),
    ("build_time", "build time [s]"),
    ("peak_rss_bytes", "peak RSS [MB]"),
];

/// Everything about one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Spindle's configuration.
    pub key: ConfigKey,
    /// Per figure of [`FIGURES`], one series per machine.
    pub figures: [Vec<Series>; 3],
    /// Peer ratios, one series per machine and peer.
    pub ratios: Vec<RatioSeries>,
}

/// A machine's newest set slower than the set before it in one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// The configuration.
    pub key: ConfigKey,
    /// The figure (index into [`FIGURES`]).
    pub figure: usize,
    /// The machine.
    pub machine: MachineId,
    /// The two points.
    pub before: Point,
    /// See `before`.
    pub after: Point,
}

/// The whole history.
#[derive(Debug, Clone)]
pub struct History {
    /// The sets read.
    pub sets: Vec<Set>,
    /// The sets not read.
    pub unreadable: Vec<Unreadable>,
    /// The repository's commits.
    pub commits: Commits,
    /// Per configuration.
    pub configs: Vec<Config>,
    /// Each machine and the sets recorded on it.
    pub machines: Vec<(MachineId, Vec<usize>)>,
    /// Each machine's newest set where it is slower than the set before it
    /// in a series.
    pub regressions: Vec<Regression>,
    /// The threshold used [fraction].
    pub threshold: f64,
}

/// The date in a set's name (`2026-11-26-...`), at noon UTC.
fn date_of_name(name: &str) -> Option<(i64, String)> {
    let d = name.rsplit('/').find_map(|part| {
        let p = part.get(..10)?;
        let b = p.as_bytes();
        (b.len() == 10 && b[4] == b'-' && b[7] == b'-').then_some(p)
    })?;
    let y: i64 = d[..4].parse().ok()?;
    let m: i64 = d[5..7].parse().ok()?;
    let day: i64 = d[8..10].parse().ok()?;
    // Days from civil (Hinnant).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + 43_200, d.to_string()))
}

impl History {
    /// Group, order and find steps.
    pub fn build(
        sets: Vec<Set>,
        unreadable: Vec<Unreadable>,
        commits: Commits,
        threshold: f64,
    ) -> Self {
        type SeriesKey = (ConfigKey, MachineId);
        let mut figures: BTreeMap<(SeriesKey, usize), Vec<Point>> = BTreeMap::new();
        let mut ratios: BTreeMap<(SeriesKey, String), Vec<RatioPoint>> = BTreeMap::new();
        let mut machines: BTreeMap<MachineId, Vec<usize>> = BTreeMap::new();
        for (si, set) in sets.iter().enumerate() {
            let records: Vec<RunRecord> = set
                .records
                .iter()
                .filter(|r| !r.interrupted)
                .cloned()
                .collect();
            let Some(machine) = MachineId::of_set(&records) else {
                continue;
            };
            let machine = machine.hardware();
            machines.entry(machine.clone()).or_default().push(si);
            let when_of = |commit: &str| match commits.find(commit) {
                Some(c) => When {
                    time: c.time,
                    commit: commit.to_string(),
                    date: c.date.clone(),
                    from_commit: true,
                },
                None => {
                    let (time, date) = date_of_name(&set.name)
                        .map(|(t, d)| (t, format!("{d} (the set's name)")))
                        .unwrap_or((0, "date unknown".into()));
                    When {
                        time,
                        commit: commit.to_string(),
                        date,
                        from_commit: false,
                    }
                }
            };
            // Runs of one set from several commits are several points.
            let mut by_commit: BTreeMap<String, Vec<RunRecord>> = BTreeMap::new();
            for r in records.iter().filter(|r| r.system == "spindle") {
                by_commit
                    .entry(r.git_commit.clone().unwrap_or_default())
                    .or_default()
                    .push(r.clone());
            }
            let mut newest = When {
                time: i64::MIN,
                commit: String::new(),
                date: String::new(),
                from_commit: false,
            };
            for (commit, recs) in &by_commit {
                let when = when_of(commit);
                for (key, g) in group(recs) {
                    for (fi, (_, figure, _)) in METRICS.iter().enumerate() {
                        if let Some(s) = spread(&g, *figure) {
                            figures
                                .entry(((key.clone(), machine.clone()), fi))
                                .or_default()
                                .push(Point {
                                    set: si,
                                    when: when.clone(),
                                    spread: s,
                                });
                        }
                    }
                }
                if when.time > newest.time {
                    newest = when;
                }
            }
            for (peer_key, ratio) in peer_ratios(&records) {
                let key = ConfigKey {
                    system: "spindle".into(),
                    ..peer_key.clone()
                };
                ratios
                    .entry(((key, machine.clone()), peer_key.system.clone()))
                    .or_default()
                    .push((si, newest.clone(), ratio));
            }
        }
        let order = |w: &When, set: usize| (w.time, sets[set].name.clone());
        // Each machine's newest set: the one a regression is judged on.
        let mut newest: BTreeMap<&MachineId, (i64, String)> = BTreeMap::new();
        for (((_, machine), _), points) in &figures {
            for p in points {
                let o = order(&p.when, p.set);
                let e = newest.entry(machine).or_insert_with(|| o.clone());
                if o > *e {
                    *e = o;
                }
            }
        }
        let newest: BTreeMap<MachineId, (i64, String)> =
            newest.into_iter().map(|(m, o)| (m.clone(), o)).collect();
        let mut configs: BTreeMap<ConfigKey, Config> = BTreeMap::new();
        let mut regressions = Vec::new();
        for (((key, machine), fi), mut points) in figures {
            points.sort_by_key(|p| order(&p.when, p.set));
            let floor = METRICS[fi].2;
            let spreads: Vec<Spread> = points.iter().map(|p| p.spread).collect();
            let steps = steps::find(&spreads, threshold, floor);
            if let [.., a, b] = points.as_slice()
                && newest.get(&machine) == Some(&order(&b.when, b.set))
                && verdict(&a.spread, &b.spread, threshold, floor) == Verdict::Slower
            {
                regressions.push(Regression {
                    key: key.clone(),
                    figure: fi,
                    machine: machine.clone(),
                    before: a.clone(),
                    after: b.clone(),
                });
            }
            configs
                .entry(key.clone())
                .or_insert_with(|| Config {
                    key: key.clone(),
                    figures: Default::default(),
                    ratios: Vec::new(),
                })
                .figures[fi]
                .push(Series {
                    machine,
                    points,
                    steps,
                });
        }
        for (((key, machine), peer), mut points) in ratios {
            points.sort_by_key(|(s, w, _)| order(w, *s));
            if let Some(c) = configs.get_mut(&key) {
                c.ratios.push(RatioSeries {
                    machine,
                    peer,
                    points,
                });
            }
        }
        History {
            sets,
            unreadable,
            commits,
            configs: configs.into_values().collect(),
            machines: machines.into_iter().collect(),
            regressions,
            threshold,
        }
    }

    /// Every step found: (configuration, figure index, series, step).
    pub fn steps(&self) -> Vec<(&Config, usize, &Series, &Step)> {
        let mut out = Vec::new();
        for c in &self.configs {
            for (fi, series) in c.figures.iter().enumerate() {
                for s in series {
                    for st in &s.steps {
                        out.push((c, fi, s, st));
                    }
                }
            }
        }
        out
    }

    /// Runs read, over all sets.
    pub fn runs(&self) -> usize {
        self.sets.iter().map(|s| s.records.len()).sum()
    }
}

/// A figure's value as printed and plotted (RSS in MB).
pub fn shown(figure: usize, v: f64) -> f64 {
    if FIGURES[figure].0 == "peak_rss_bytes" {
        v / 1e6
    } else {
        v
    }
}

/// A commit as printed: 7 hex digits, `-dirty` kept.
pub fn short_commit(c: &str) -> String {
    if c.is_empty() {
        return "no commit".into();
    }
    let dirty = c.ends_with("-dirty");
    let h = c.trim_end_matches("-dirty");
    format!(
        "{}{}",
        &h[..h.len().min(7)],
        if dirty { "-dirty" } else { "" }
    )
}

#[cfg(test)]
mod tests;
