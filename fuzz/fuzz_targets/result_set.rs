//! The result-set reader and what consumes its records (`compare`, the
//! summary): corrupt JSONL gives skipped lines or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spindle_bench::record::parse_set;
use spindle_bench::{compare, summary};

fuzz_target!(|data: &[u8]| {
    let Ok(set) = parse_set(data, "fuzz.jsonl") else {
        return;
    };
    let report = compare::compare(&set.records, &set.records, 0.05);
    let _ = report.render(0.05);
    let _ = summary::markdown(&set.records);
});
