//! `spindle history` on the committed result sets, `spindle compare`
//! between machines, and the history page as a browser draws it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn spindle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn results(set: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("results")
        .join(set)
        .display()
        .to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `spindle history` on `results/` into `out`.
fn history(out: &Path) -> Output {
    spindle(&["history", &results(""), "--out", out.to_str().unwrap()])
}

#[test]
fn the_committed_results_group_by_machine_and_show_the_fused_update_step() {
    let tmp = tempfile::tempdir().unwrap();
    let o = history(tmp.path());
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    // 1: a machine's newest set is slower somewhere (the Xeon's build
    // times after the bitmaps); never 2 (bad input).
    assert!(matches!(o.status.code(), Some(0 | 1)), "{out}\n{err}");
    let md = std::fs::read_to_string(tmp.path().join("history.md")).unwrap();
    let page = std::fs::read_to_string(tmp.path().join("history.html")).unwrap();
    // The AMD and Intel boxes are machines of their own.
    for machine in [
        "| AMD EPYC (family 25 model 17), AVX-512, 2 cores |",
        "| AMD EPYC (family 25 model 1), AVX2, 2 cores |",
        "| Intel(R) Xeon(R) Processor (family 6 model 207), AVX-512, 16 cores |",
    ] {
        assert!(md.contains(machine), "{machine} missing:\n{md}");
    }
    // The fused update and bitmap delivery: 0.85 -> 0.50 s on 1 thread,
    // named by the first commit after the step.
    let step = md
        .lines()
        .find(|l| {
            l.starts_with("| spindle order=2500 seed threads=1 1000.0ms | sim_time | AMD EPYC (family 25 model 17)")
        })
        .unwrap_or_else(|| panic!("no step on the Zen 4 box:\n{md}"));
    assert!(step.contains("7caeb55-dirty"), "{step}");
    assert!(step.contains("faster"), "{step}");
    assert!(
        out.contains("7caeb55-dirty (2026-11-26-three-systems-bitmaps)"),
        "{out}"
    );
    // Sets that are not runs are named with the reason.
    assert!(
        err.contains("skipped 2026-11-30-nest-examples: nest.json"),
        "{err}"
    );
    assert!(md.contains("`2026-11-25-isa`: no run records"), "{md}");
    // The first records, without a version, are read.
    assert!(md.contains("2026-11-25-engine-core"), "{md}");
    assert!(page.contains("<svg class=\"plot\""));
}

#[test]
fn compare_refuses_absolute_times_across_machines_and_shows_peer_ratios() {
    let zen4 = results("2026-11-26-three-systems-huge");
    let zen3 = results("2026-11-30-brunel-delta-2500/alpha_same_box_raw.jsonl");
    let o = spindle(&["compare", &zen4, &zen3]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("OLD and NEW come from DIFFERENT machines"),
        "{first}"
    );
    assert!(first.contains("family/model/stepping"), "{first}");
    assert!(!out.contains("figures compared"), "{out}");
    // NEST over Spindle at order 2500, 1 thread: about 60x on the Zen 4
    // box, 32x on the Zen 3 one, side by side.
    let row = out
        .lines()
        .find(|l| l.starts_with("nest order=2500 seed threads=1 "))
        .unwrap_or_else(|| panic!("{out}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert!(
        cells.iter().filter(|c| c.ends_with('x')).count() == 2,
        "{row}"
    );
    common::assert_one_line_error(&o, "across machines", "--across-machines");

    let o = spindle(&["compare", &zen4, &zen3, "--across-machines"]);
    let out = text(&o.stdout);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{out}");
    assert!(out.contains("figures compared"), "{out}");
    assert!(out.contains("peer ratios"), "{out}");
}

#[test]
fn compare_within_one_machine_says_so_and_judges_as_before() {
    let o = spindle(&[
        "compare",
        &results("2026-11-26-three-systems"),
        &results("2026-11-26-three-systems-bitmaps"),
    ]);
    let out = text(&o.stdout);
    // As before: Spindle faster; its build and memory larger beyond noise
    // (the bitmaps), so exit 1.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.starts_with(
            "OLD and NEW come from the same machine as far as they record (OLD does not record vector path"
        ),
        "{out}"
    );
    let seed = out
        .lines()
        .find(|l| {
            l.starts_with("spindle order=2500 seed threads=1 1000.0ms") && l.contains("sim_time")
        })
        .unwrap_or_else(|| panic!("{out}"));
    assert!(seed.contains("faster"), "{seed}");
    assert!(!out.contains("peer ratios"), "{out}");
}

#[test]
fn history_refuses_bad_input_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("h");
    let o = out.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["history", "/nonexistent/results", "--out", o],
            "no result set or folder",
        ),
        (
            vec!["history", &results(""), "--threshold", "-1", "--out", o],
            "--threshold",
        ),
        (
            vec!["history", tmp.path().to_str().unwrap(), "--out", o],
            "could be read",
        ),
    ] {
        let r = spindle(&args);
        common::assert_one_line_error(&r, &format!("{args:?}"), needle);
    }
    assert!(!out.join("history.html").exists());
}

/// The browser: Debian's `chromium` (`.ci/run` installs it; elsewhere the
/// test says it skipped).
fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn the_history_page_draws_its_plots_in_a_headless_browser() {
    let Some(browser) = browser() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium");
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = history(tmp.path());
    assert!(matches!(o.status.code(), Some(0 | 1)));
    let page = tmp.path().join("history.html");
    let profile = tmp.path().join("profile");
    let o = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("the browser runs");
    let (dom, log) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{log}");
    // The page logs nothing: any console line is an error or a warning.
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console output:\n{}",
        console.join("\n")
    );
    let attr = |name: &str| -> usize {
        let at = dom.find(&format!("{name}=\"")).unwrap_or_else(|| {
            panic!(
                "the page's script did not run ({name} missing):\n{}",
                &dom[..dom.len().min(2000)]
            )
        });
        let rest = &dom[at + name.len() + 2..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    let (drawn, plots) = (attr("data-drawn"), attr("data-plots"));
    assert!(plots > 20, "{plots} plots");
    assert_eq!(drawn, plots, "every plot holds a series");
}
