use super::*;
use crate::record::sample;

fn on(cpu: &str, family: &str, commit: &str, sims: &[f64]) -> Vec<RunRecord> {
    sims.iter()
        .map(|&t| {
            let mut r = sample(2500, 1, t);
            r.cpu_model = cpu.into();
            r.cpu.family = family.into();
            r.git_commit = Some(commit.into());
            r
        })
        .collect()
}

fn write_set(root: &Path, name: &str, records: &[RunRecord]) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let lines: Vec<String> = records.iter().map(RunRecord::json_line).collect();
    std::fs::write(dir.join("raw.jsonl"), lines.join("\n")).unwrap();
}

fn commits() -> Commits {
    let log = (1..=6)
        .map(|i| {
            format!(
                "{i}{i}{i}{i}{i}{i}{i}aaaa\t{}\t2026-11-2{i}T00:00:00Z\tcommit {i}",
                1000 * i
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Commits::parse_git_log(&log)
}

#[test]
fn machines_apart_steps_at_the_first_commit_after_and_unreadable_sets_named() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // AMD: 0.85 at commits 1 and 2, 0.50 at 3 and 4: one step, at 3.
    write_set(
        root,
        "a1",
        &on("AMD EPYC", "25", "1111111aaaa", &[0.85, 0.86, 0.84]),
    );
    write_set(
        root,
        "a2",
        &on("AMD EPYC", "25", "2222222aaaa", &[0.84, 0.85, 0.86]),
    );
    write_set(
        root,
        "a3",
        &on("AMD EPYC", "25", "3333333aaaa-dirty", &[0.50, 0.51, 0.49]),
    );
    write_set(
        root,
        "a4",
        &on("AMD EPYC", "25", "4444444aaaa", &[0.50, 0.49, 0.51]),
    );
    // Intel: slower in absolute terms, never a step.
    write_set(
        root,
        "b/i1",
        &on("Intel Xeon", "6", "2222222aaaa", &[1.7, 1.71]),
    );
    write_set(
        root,
        "b/i2",
        &on("Intel Xeon", "6", "5555555aaaa", &[1.69, 1.7]),
    );
    std::fs::create_dir_all(root.join("notes")).unwrap();
    std::fs::write(root.join("notes/README.md"), "text").unwrap();
    std::fs::create_dir_all(root.join("table")).unwrap();
    std::fs::write(root.join("table/nest.json"), "{\"description\": 1}").unwrap();

    let (sets, bad) = load(&[root.to_path_buf()]);
    assert_eq!(sets.len(), 6);
    let names: Vec<_> = bad.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["notes", "table"]);
    assert!(bad[0].reason.contains("README.md"), "{bad:?}");
    assert!(bad[1].reason.contains("no format_version"), "{bad:?}");

    let h = History::build(sets, bad, commits(), 0.05);
    assert_eq!(h.machines.len(), 2);
    assert_eq!(h.configs.len(), 1);
    let sim = &h.configs[0].figures[0];
    assert_eq!(sim.len(), 2, "one series per machine");
    let steps = h.steps();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let (_, fi, series, step) = steps[0];
    assert_eq!(fi, 0);
    assert_eq!(series.machine.cpu_model, "AMD EPYC");
    assert_eq!(series.points[step.index].when.commit, "3333333aaaa-dirty");
    assert!(h.regressions.is_empty());

    let md = markdown::render(&h, std::time::Duration::from_millis(5));
    assert!(md.contains("| 3333333-dirty"), "{md}");
    assert!(md.contains("`table`: "));
    let page = html::render(&h, root);
    assert_eq!(page.matches("<svg class=\"plot\"").count(), 3);
    assert!(page.contains("class=\"step\""));
    assert!(
        !page.contains("http://")
            || page.matches("http://").count()
                == page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no link leaves the page"
    );
}

#[test]
fn the_newest_set_slower_than_the_one_before_is_a_regression() {
    let tmp = tempfile::tempdir().unwrap();
    write_set(
        tmp.path(),
        "x1",
        &on("AMD EPYC", "25", "1111111aaaa", &[1.0, 1.01]),
    );
    write_set(
        tmp.path(),
        "x2",
        &on("AMD EPYC", "25", "2222222aaaa", &[1.5, 1.51]),
    );
    let (sets, bad) = load(&[tmp.path().to_path_buf()]);
    let h = History::build(sets, bad, commits(), 0.05);
    assert_eq!(h.regressions.len(), 1);
    assert_eq!(h.regressions[0].figure, 0);
}

#[test]
fn a_commit_the_repository_lacks_is_dated_by_the_set_name() {
    let tmp = tempfile::tempdir().unwrap();
    write_set(
        tmp.path(),
        "2026-11-30-late",
        &on("AMD EPYC", "25", "9999999ffff", &[1.0]),
    );
    write_set(
        tmp.path(),
        "2026-11-20-early",
        &on("AMD EPYC", "25", "8888888ffff", &[1.0]),
    );
    let (sets, bad) = load(&[tmp.path().to_path_buf()]);
    let h = History::build(sets, bad, Commits::default(), 0.05);
    let pts = &h.configs[0].figures[0][0].points;
    assert_eq!(pts[0].when.date, "2026-11-20 (the set's name)");
    assert!(pts[0].when.time < pts[1].when.time && !pts[1].when.from_commit);
}

#[test]
fn git_log_lines_parse_and_abbreviations_resolve() {
    let c = commits();
    assert_eq!(c.find("3333333aaaa-dirty").unwrap().subject, "commit 3");
    assert!(c.find("333").is_none(), "too short to trust");
    assert_eq!(c.between(1000, 3000).len(), 2);
}
