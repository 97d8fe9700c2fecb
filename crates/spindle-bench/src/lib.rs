//! Spindle's benchmark harness, beNNch-style: result records, sweeps over
//! orders and threads with repeats (each run in a fresh process), summaries
//! with speed-up and efficiency, and regression comparison of two result
//! sets (with the machines they come from), and history over many sets
//! (series over commits, steps, a Markdown and an HTML view). Sweep plots
//! live in `spindle-plot`; the `spindle bench`, `spindle compare` and
//! `spindle history` commands drive this crate.
#![forbid(unsafe_code)]

pub mod compare;
pub mod grid;
pub mod history;
pub mod io;
pub mod machine;
pub mod record;
pub mod summary;
pub mod sweep;

use thiserror::Error;

/// Why a sweep or a comparison failed.
#[derive(Debug, Error)]
pub enum BenchError {
    /// A flag's value cannot be used.
    #[error("{0}")]
    Grid(String),
    /// A result file cannot be parsed.
    #[error("{0}")]
    Parse(String),
    /// A file cannot be read or written.
    #[error("{0}")]
    Io(String),
    /// A run failed.
    #[error("{0}")]
    Run(String),
}
