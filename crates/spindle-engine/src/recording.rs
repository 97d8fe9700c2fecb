//! What recorders hold after a run, and NEST's ASCII file format.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use spindle_core::NodeId;

/// The events of one `spike_recorder`, sorted by time, then sender.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpikeEvents {
    /// Senders.
    pub senders: Vec<NodeId>,
    /// Emission times [ms].
    pub times: Vec<f64>,
}

impl SpikeEvents {
    /// Number of events (NEST's `n_events`).
    pub fn len(&self) -> usize {
        self.senders.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.senders.is_empty()
    }
}

/// The events of one `weight_recorder`, sorted by time, then sender,
/// then target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightEvents {
    /// The spikes' senders.
    pub senders: Vec<NodeId>,
    /// The synapses' targets.
    pub targets: Vec<NodeId>,
    /// The spikes' times [ms].
    pub times: Vec<f64>,
    /// The weight each spike was delivered with.
    pub weights: Vec<f64>,
    /// The receptor type each reached.
    pub receptors: Vec<u32>,
}

/// The samples of one `multimeter`, sorted by time, then sender.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MultimeterEvents {
    /// Sampled neurons.
    pub senders: Vec<NodeId>,
    /// Sample times [ms].
    pub times: Vec<f64>,
    /// Each recorded quantity by NEST's name, in the multimeter's
    /// `record_from` order, one value per sample.
    pub values: Vec<(String, Vec<f64>)>,
}

impl MultimeterEvents {
    /// The samples at times up to `horizon` [ms] only (what NEST's
    /// multimeter holds: see `Simulation::multimeter_horizon`).
    pub fn until(self, horizon: f64) -> Self {
        self.keep(|t| t <= horizon)
    }

    /// The samples at times after `since` [ms] only (what a file
    /// truncated at a `Prepare` at `since` holds).
    pub fn after(self, since: f64) -> Self {
        self.keep(|t| t > since)
    }

    /// The samples whose time `keep` accepts.
    fn keep(mut self, keep: impl Fn(f64) -> bool) -> Self {
        let kept: Vec<bool> = self.times.iter().map(|&t| keep(t)).collect();
        let mut k = kept.iter();
        self.senders.retain(|_| *k.next().expect("one per sample"));
        let mut k = kept.iter();
        self.times.retain(|_| *k.next().expect("one per sample"));
        for (_, values) in &mut self.values {
            let mut k = kept.iter();
            values.retain(|_| *k.next().expect("one per sample"));
        }
        self
    }

    /// The values of recordable `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// How recorders' files are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNames {
    /// `<prefix><label>-<node id>.dat`: one file per recorder (the
    /// `spindle` command's names).
    Spindle,
    /// NEST's names, `<prefix><label>-<node id>-<vp>.dat`, the node id
    /// zero-padded to the digits of the number of nodes and the virtual
    /// process to those of the number of virtual processes (NEST's
    /// `RecordingBackendASCII`). NEST writes one file per virtual process;
    /// Spindle writes all of a recorder's events into the file of virtual
    /// process 0, which scripts that read every `<label>-<node id>-*.dat`
    /// find as they find NEST's.
    Nest {
        /// Nodes in the network.
        nodes: usize,
        /// Virtual processes (threads times ranks).
        vps: usize,
    },
}

/// The `.dat` path of a recorder named as `names` says.
pub fn dat_path(
    dir: &Path,
    prefix: &str,
    label: &str,
    recorder: NodeId,
    names: FileNames,
) -> PathBuf {
    let label = if label.is_empty() {
        "spike_recorder"
    } else {
        label
    };
    match names {
        FileNames::Spindle => dir.join(format!("{prefix}{label}-{recorder}.dat")),
        FileNames::Nest { nodes, vps } => {
            let digits = |n: usize| n.max(1).ilog10() as usize + 1;
            let (w, v) = (digits(nodes), digits(vps));
            dir.join(format!("{prefix}{label}-{recorder:0w$}-{:0v$}.dat", 0))
        }
    }
}

/// Write a multimeter's samples `events` in NEST 3's ASCII format
/// (`RecordingBackendASCII` version 2: two `#` header lines, a
/// tab-separated column header of sender, time and the recorded names,
/// every number with 3 decimals). Complete or not at all, as `write_dat`.
pub fn write_meter_dat(path: &Path, events: &MultimeterEvents) -> std::io::Result<()> {
    atomically(path, |w| {
        writeln!(w, "# Spindle version: {}", env!("CARGO_PKG_VERSION"))?;
        writeln!(w, "# RecordingBackendASCII version: 2")?;
        write!(w, "sender\ttime_ms")?;
        for (name, _) in &events.values {
            write!(w, "\t{name}")?;
        }
        writeln!(w)?;
        for (i, (s, t)) in events.senders.iter().zip(&events.times).enumerate() {
            write!(w, "{s}\t{t:.3}")?;
            for (_, values) in &events.values {
                write!(w, "\t{:.3}", values[i])?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
}

/// Write `path` through `body`, beside its final name first and renamed
/// when complete, so that the file appears whole or not at all.
fn atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("dat.tmp");
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        body(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match result {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Write `events` in NEST 3's ASCII format (`RecordingBackendASCII`
/// version 2: two `#` header lines, a tab-separated column header, times
/// with 3 decimals; with `steps` on grid `h`, NEST's `time_in_steps`
/// columns: the step and an offset of 0). The file appears complete or not
/// at all: it is written beside its final name and renamed.
pub fn write_dat(path: &Path, events: &SpikeEvents, steps: Option<f64>) -> std::io::Result<()> {
    atomically(path, |w| {
        writeln!(w, "# Spindle version: {}", env!("CARGO_PKG_VERSION"))?;
        writeln!(w, "# RecordingBackendASCII version: 2")?;
        match steps {
            None => {
                writeln!(w, "sender\ttime_ms")?;
                for (s, t) in events.senders.iter().zip(&events.times) {
                    writeln!(w, "{s}\t{t:.3}")?;
                }
            }
            Some(h) => {
                writeln!(w, "sender\ttime_step\ttime_offset")?;
                for (s, t) in events.senders.iter().zip(&events.times) {
                    writeln!(w, "{s}\t{}\t0.000", (t / h).round() as i64)?;
                }
            }
        }
        Ok(())
    })
}
