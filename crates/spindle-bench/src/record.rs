//! One run's result: a flat JSON object, as `spindle --json` writes it and
//! as sweeps store it, one per line, in `raw.jsonl` (and a subset of its
//! columns in `raw.csv`).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::BenchError;

/// Version of the record layout; readers refuse other versions.
pub const RECORD_VERSION: u64 = 1;

/// Columns of `raw.csv`, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "system",
    "label",
    "order",
    "scaling",
    "threads",
    "seed",
    "repeat",
    "simtime",
    "num_neurons",
    "num_synapses",
    "build_time",
    "sim_time",
    "real_time_factor",
    "time_construction_create",
    "time_construction_connect",
    "time_simulate",
    "time_update",
    "time_deliver_spike_data",
    "time_gather_spike_data",
    "time_omp_synchronization_simulation",
    "time_update_cpu",
    "time_deliver_spike_data_cpu",
    "imbalance_update",
    "slice_update_p50",
    "slice_update_p99",
    "slice_sync_p99",
    "rate_ex_all",
    "rate_in_all",
    "spikes_total",
    "synaptic_events",
    "ns_per_synaptic_event_per_core",
    "peak_rss_bytes",
    "bytes_per_synapse",
    "spike_digest",
    "git_commit",
];

/// One run.
#[derive(Debug, Clone, PartialEq)]
pub struct Record(pub Map<String, Value>);

/// What identifies a configuration across result sets.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigKey {
    /// "spindle", "brian2", "nest".
    pub system: String,
    /// Network order.
    pub order: u64,
    /// "seed" or "indegree".
    pub scaling: String,
    /// MPI ranks (1 without MPI).
    pub ranks: u64,
    /// Threads (per rank).
    pub threads: u64,
    /// Model time [ms], as text to keep it exact.
    pub simtime: String,
}

impl std::fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ranks = if self.ranks > 1 {
            format!(" ranks={}", self.ranks)
        } else {
            String::new()
        };
        write!(
            f,
            "{} order={} {}{ranks} threads={} {}ms",
            self.system, self.order, self.scaling, self.threads, self.simtime
        )
    }
}

impl Record {
    /// Parse one JSON object, checking the layout version.
    pub fn parse(text: &str, origin: &str) -> Result<Self, BenchError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BenchError::Parse(format!("{origin}: not a JSON record ({e})")))?;
        let Value::Object(map) = value else {
            return Err(BenchError::Parse(format!("{origin}: not a JSON object")));
        };
        match map.get("record_version").and_then(Value::as_u64) {
            Some(RECORD_VERSION) => {}
            Some(v) => {
                return Err(BenchError::Parse(format!(
                    "{origin}: record version {v} is incompatible with this spindle (version {RECORD_VERSION})"
                )));
            }
            None => {
                return Err(BenchError::Parse(format!(
                    "{origin}: no record_version field"
                )));
            }
        }
        let rec = Self(map);
        for key in ["system", "order", "threads", "simtime", "sim_time"] {
            if rec.0.get(key).is_none() {
                return Err(BenchError::Parse(format!(
                    "{origin}: the record lacks '{key}'"
                )));
            }
        }
        if rec.str("system").is_none() {
            return Err(BenchError::Parse(format!(
                "{origin}: 'system' is not a name"
            )));
        }
        for key in ["order", "threads", "simtime", "sim_time"] {
            if !rec.f64(key).is_some_and(|v| v.is_finite() && v >= 0.0) {
                return Err(BenchError::Parse(format!(
                    "{origin}: '{key}' is not a number >= 0"
                )));
            }
        }
        Ok(rec)
    }

    /// A number field.
    pub fn f64(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(Value::as_f64)
    }

    /// A text field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// Set a field.
    pub fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    /// The configuration this run belongs to.
    pub fn key(&self) -> ConfigKey {
        ConfigKey {
            system: self.str("system").unwrap_or("spindle").to_string(),
            order: self.f64("order").unwrap_or(0.0) as u64,
            scaling: self.str("scaling").unwrap_or("seed").to_string(),
            ranks: self.f64("ranks").unwrap_or(1.0).max(1.0) as u64,
            threads: self.f64("threads").unwrap_or(0.0) as u64,
            simtime: self
                .0
                .get("simtime")
                .map(|v| v.to_string())
                .unwrap_or_default(),
        }
    }

    /// The CSV header line.
    pub fn csv_header() -> String {
        CSV_COLUMNS.join(",")
    }

    /// This record as a CSV line (missing fields empty).
    pub fn csv_line(&self) -> String {
        CSV_COLUMNS
            .iter()
            .map(|c| match self.0.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => csv_escape(s),
                Some(v) => v.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The record as one JSON line.
    pub fn json_line(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into()
    }
}

/// A result set as read: its good records, and why each bad line was
/// skipped (file and line named).
#[derive(Debug, Default)]
pub struct ResultSet {
    /// The records that parsed.
    pub records: Vec<Record>,
    /// One message per line that did not.
    pub skipped: Vec<String>,
}

/// Read a result set: a directory holding `raw.jsonl`, or a `.jsonl` file.
/// A truncated or corrupt line (a run cut short, a hand edit) is skipped
/// and reported; the set fails only when it cannot be read or holds no
/// good record.
pub fn read_set(path: &Path) -> Result<ResultSet, BenchError> {
    let file: PathBuf = if path.is_dir() {
        path.join("raw.jsonl")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file)
        .map_err(|e| BenchError::Io(format!("cannot read result set {}: {e}", file.display())))?;
    parse_set(&bytes, &file.display().to_string())
}

/// Parse the lines of a result set read from `origin` (see [`read_set`]).
pub fn parse_set(bytes: &[u8], origin: &str) -> Result<ResultSet, BenchError> {
    // Lossy: a line cut inside a UTF-8 sequence is one bad line, not a bad set.
    let text = String::from_utf8_lossy(bytes);
    let mut set = ResultSet::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match Record::parse(line, &format!("{origin} line {}", i + 1)) {
            Ok(r) => set.records.push(r),
            Err(e) => set.skipped.push(e.to_string()),
        }
    }
    if set.records.is_empty() {
        let why = set
            .skipped
            .first()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        return Err(BenchError::Parse(format!(
            "{origin}: no usable records{why}"
        )));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(extra: &str) -> String {
        format!(
            r#"{{"record_version":1,"system":"spindle","order":250,"threads":2,"simtime":1000.0,"sim_time":0.1{extra}}}"#
        )
    }

    #[test]
    fn parse_and_key() {
        let r = Record::parse(&rec(r#","label":"a,b""#), "t").unwrap();
        assert_eq!(r.key().order, 250);
        assert_eq!(r.key().threads, 2);
        assert!(r.csv_line().contains("\"a,b\""));
        assert_eq!(
            r.csv_line().split(',').count(),
            Record::csv_header().split(',').count() + 1
        );
    }

    #[test]
    fn bad_records_are_refused() {
        assert!(
            Record::parse("{\"record_version\":1", "t")
                .unwrap_err()
                .to_string()
                .contains("not a JSON")
        );
        let v2 = rec("").replace("\"record_version\":1", "\"record_version\":2");
        assert!(
            Record::parse(&v2, "t")
                .unwrap_err()
                .to_string()
                .contains("incompatible")
        );
        assert!(Record::parse("{\"record_version\":1}", "t").is_err());
    }

    #[test]
    fn truncated_sets_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("raw.jsonl");
        std::fs::write(&p, format!("{}\n{}\n{}", rec(""), &rec("")[..20], rec(""))).unwrap();
        let set = read_set(dir.path()).unwrap();
        assert_eq!(set.records.len(), 2, "the good rows are kept");
        assert_eq!(set.skipped.len(), 1);
        assert!(
            set.skipped[0].contains("raw.jsonl line 2"),
            "{:?}",
            set.skipped
        );
        std::fs::write(&p, &rec("")[..20]).unwrap();
        let err = read_set(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(read_set(&dir.path().join("missing")).is_err());
        std::fs::write(&p, rec("").replace("\"order\":250", "\"order\":\"x\"")).unwrap();
        assert!(
            read_set(dir.path()).is_err(),
            "a non-numeric order is refused"
        );
    }

    proptest::proptest! {
        /// Cut a good set anywhere and flip any byte: the reader keeps
        /// every line that is still a whole record, names each bad line,
        /// and never panics.
        #[test]
        fn damaged_sets_keep_their_good_rows(
            cut in 0usize..400,
            flip in proptest::option::of((0usize..400, proptest::num::u8::ANY)),
        ) {
            let good = rec("");
            let mut bytes = format!("{good}\n{good}\n{good}\n").into_bytes();
            if let Some((at, byte)) = flip {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            bytes.truncate(cut.min(bytes.len()));
            let lines = String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()).count();
            let whole = String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| *l == good)
                .count();
            match parse_set(&bytes, "set.jsonl") {
                Ok(set) => {
                    proptest::prop_assert!(set.records.len() >= whole);
                    proptest::prop_assert_eq!(set.records.len() + set.skipped.len(), lines);
                    for why in &set.skipped {
                        proptest::prop_assert!(why.starts_with("set.jsonl line "), "{}", why);
                    }
                }
                Err(e) => {
                    proptest::prop_assert_eq!(whole, 0);
                    proptest::prop_assert!(e.to_string().contains("set.jsonl"));
                }
            }
        }
    }
}
