//! `history.md`: the machines, the steps found, the newest sets against
//! their predecessors, each configuration's series, and the sets not read.

use std::fmt::Write;

use super::{FIGURES, History, When, short_commit, shown};
use crate::compare::Verdict;

fn fmt_value(figure: usize, v: f64) -> String {
    if FIGURES[figure].0 == "peak_rss_bytes" {
        format!("{:.1} MB", shown(figure, v))
    } else {
        format!("{v:.4} s")
    }
}

fn when(w: &When) -> String {
    format!("{} ({})", short_commit(&w.commit), w.date)
}

/// The page.
pub fn render(h: &History, elapsed: std::time::Duration) -> String {
    let mut o = String::new();
    let set = |i: usize| h.sets[i].name.as_str();
    let _ = writeln!(o, "# Spindle's figures over time\n");
    let _ = writeln!(
        o,
        "{} result sets read ({} runs) in {:.2} s; {} could not be read (last section). \
         Series are per machine and configuration, in commit-date order. A **step** is a \
         change between consecutive sets by `spindle compare`'s rule (the repeats do not \
         overlap and the medians differ by more than {:.0} % plus both sets' spread) that \
         persists over the later sets; it is named by the first commit after it.\n",
        h.sets.len(),
        h.runs(),
        elapsed.as_secs_f64(),
        h.unreadable.len(),
        h.threshold * 100.0
    );
    let _ = writeln!(o, "## Machines\n");
    let _ = writeln!(o, "| machine | details | sets |\n|---|---|---|");
    for (m, sets) in &h.machines {
        let names: Vec<&str> = sets.iter().map(|&i| set(i)).collect();
        let _ = writeln!(o, "| {} | {} | {} |", m.short(), m.line(), names.join(", "));
    }
    let _ = writeln!(
        o,
        "\nRecords without CPU details (the first formats) are grouped by what they \
         record: they may come from more than one box.\n"
    );
    let _ = writeln!(o, "## Steps found\n");
    let steps = h.steps();
    if steps.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(
            o,
            "| configuration | figure | machine | first commit after the step | before → after | ratio | commits dated in between |\n|---|---|---|---|---|---|---|"
        );
        for (c, fi, s, st) in steps {
            let (a, b) = (&s.points[st.index - 1], &s.points[st.index]);
            let between = if a.when.from_commit && b.when.from_commit {
                let list = h.commits.between(a.when.time, b.when.time);
                format!(
                    "{} ({}..{})",
                    list.len(),
                    short_commit(&a.when.commit),
                    short_commit(&b.when.commit)
                )
            } else {
                "—".into()
            };
            let dir = match st.verdict {
                Verdict::Faster => "faster",
                _ => "SLOWER",
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} in {}{} | {} → {} | {:.3} ({dir}) | {between} |",
                c.key,
                FIGURES[fi].0,
                s.machine.short(),
                when(&b.when),
                set(b.set),
                if st.provisional {
                    " (newest: provisional)"
                } else {
                    ""
                },
                fmt_value(fi, st.before),
                fmt_value(fi, st.after),
                st.after / st.before
            );
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "## Each machine's newest set against the set before it\n"
    );
    if h.regressions.is_empty() {
        let _ = writeln!(
            o,
            "No machine's newest set is slower than the set before it in any configuration.\n"
        );
    } else {
        for r in &h.regressions {
            let _ = writeln!(
                o,
                "- **SLOWER**: {} {} on {}: {} in {} → {} in {} ({:.3}×)",
                r.key,
                FIGURES[r.figure].0,
                r.machine.short(),
                fmt_value(r.figure, r.before.spread.median),
                set(r.before.set),
                fmt_value(r.figure, r.after.spread.median),
                set(r.after.set),
                r.after.spread.median / r.before.spread.median
            );
        }
        let _ = writeln!(o);
    }
    for c in &h.configs {
        let _ = writeln!(o, "## {}\n", c.key);
        for (fi, series) in c.figures.iter().enumerate() {
            for s in series {
                let _ = writeln!(o, "### {} on {}\n", FIGURES[fi].1, s.machine.short());
                let _ = writeln!(
                    o,
                    "| commit | date | set | median | range | n | step |\n|---|---|---|---|---|---|---|"
                );
                for (i, p) in s.points.iter().enumerate() {
                    let step = s
                        .steps
                        .iter()
                        .find(|st| st.index == i)
                        .map(|st| format!("{:.3}×", st.after / st.before))
                        .unwrap_or_default();
                    let _ = writeln!(
                        o,
                        "| {} | {} | {} | {} | {}–{} | {} | {step} |",
                        short_commit(&p.when.commit),
                        p.when.date,
                        set(p.set),
                        fmt_value(fi, p.spread.median),
                        fmt_value(fi, p.spread.min),
                        fmt_value(fi, p.spread.max),
                        p.spread.n
                    );
                }
                let _ = writeln!(o);
            }
        }
        for r in &c.ratios {
            let _ = writeln!(
                o,
                "### {} / Spindle (simulation time, one sweep) on {}\n",
                r.peer,
                r.machine.short()
            );
            let _ = writeln!(o, "| commit | date | set | ratio |\n|---|---|---|---|");
            for (si, w, v) in &r.points {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {v:.1}× |",
                    short_commit(&w.commit),
                    w.date,
                    set(*si)
                );
            }
            let _ = writeln!(o);
        }
    }
    let _ = writeln!(o, "## Sets not read\n");
    if h.unreadable.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for u in &h.unreadable {
        let _ = writeln!(o, "- `{}`: {}", u.name, u.reason);
    }
    let partial: Vec<_> = h.sets.iter().filter(|s| !s.skipped.is_empty()).collect();
    if !partial.is_empty() {
        let _ = writeln!(o, "\nFiles or lines skipped within sets that were read:\n");
        for s in partial {
            let _ = writeln!(o, "- `{}`: {}", s.name, s.skipped.join("; "));
        }
    }
    o
}
