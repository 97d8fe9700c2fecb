//! `history.html`: one self-contained page (inline SVG and a few lines of
//! script, nothing fetched) with, per configuration, a plot of each figure
//! and of the peer ratios; one series per machine, each point linked to
//! its set and commit (tables at the end of the page), steps marked.
//!
//! The plots are drawn here, not by the script, so the page reads without
//! it; the script only lets a reader hide a machine's series and reports
//! how many plots hold data (`#status`), which the browser test checks.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::{Config, FIGURES, History, When, short_commit, shown};
use crate::compare::Verdict;
use crate::machine::MachineId;

const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];
const W: f64 = 320.0;
const H: f64 = 240.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 62.0;

/// Text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One point to plot.
struct Dot {
    x: usize,
    y: f64,
    lo: f64,
    hi: f64,
    tip: String,
    set: usize,
}

/// One line to plot.
struct Line {
    machine: usize,
    label: String,
    dots: Vec<Dot>,
    /// (x of the first set after the step, label).
    steps: Vec<(usize, String)>,
    /// Written at the last point, dashed when given (peer ratios: the
    /// peer's name, one line per peer in the machine's colour).
    tag: Option<String>,
}

/// 1, 2 or 5 times a power of ten, about `span / 4`.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 4.0).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

fn chart(o: &mut String, title: &str, xlabels: &[String], lines: &[Line]) {
    let ymax = lines
        .iter()
        .flat_map(|l| l.dots.iter().map(|d| d.hi.max(d.y)))
        .fold(0.0f64, f64::max)
        * 1.1;
    let ymax = if ymax > 0.0 { ymax } else { 1.0 };
    let n = xlabels.len().max(1);
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let x = |i: usize| LEFT + pw * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| TOP + ph * (1.0 - v / ymax);
    let _ = write!(
        o,
        r#"<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{t}"><text x="8" y="16" class="title">{t}</text>"#,
        t = esc(title)
    );
    let step = tick_step(ymax);
    let mut v = 0.0;
    while v <= ymax + 1e-12 {
        let _ = write!(
            o,
            r#"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" class="grid"/><text x="{}" y="{:.1}" class="ytick">{}</text>"#,
            W - RIGHT,
            LEFT - 4.0,
            y(v) + 3.5,
            trim_num(v),
            yy = y(v)
        );
        v += step;
    }
    let _ = write!(
        o,
        r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{}" class="axis"/><line x1="{LEFT}" x2="{}" y1="{b}" y2="{b}" class="axis"/>"#,
        H - BOTTOM,
        W - RIGHT,
        b = H - BOTTOM
    );
    for (i, l) in xlabels.iter().enumerate() {
        let _ = write!(
            o,
            r#"<text transform="translate({:.1},{:.1}) rotate(-45)" class="xtick">{}</text>"#,
            x(i) + 3.0,
            H - BOTTOM + 10.0,
            esc(l)
        );
    }
    for l in lines {
        let color = COLORS[l.machine % COLORS.len()];
        let _ = write!(
            o,
            r#"<g class="series" data-machine="m{}" style="color:{color}"><title>{}</title>"#,
            l.machine,
            esc(&l.label)
        );
        for (sx, label) in &l.steps {
            let xs = x(*sx) - pw / n as f64 / 2.0;
            let _ = write!(
                o,
                r#"<line x1="{xs:.1}" x2="{xs:.1}" y1="{TOP}" y2="{}" class="step"/><text x="{:.1}" y="{}" class="steplabel">{}</text>"#,
                H - BOTTOM,
                xs + 3.0,
                TOP + 10.0,
                esc(label)
            );
        }
        let pts: Vec<String> = l
            .dots
            .iter()
            .map(|d| format!("{:.1},{:.1}", x(d.x), y(d.y)))
            .collect();
        let dash = match l.tag.as_deref() {
            Some("brian2") => r#" stroke-dasharray="5 3""#,
            _ => "",
        };
        let _ = write!(
            o,
            r#"<polyline points="{}" class="line"{dash}/>"#,
            pts.join(" ")
        );
        if let (Some(tag), Some(d)) = (&l.tag, l.dots.last()) {
            let _ = write!(
                o,
                r#"<text x="{:.1}" y="{:.1}" class="tag">{}</text>"#,
                x(d.x) + 5.0,
                y(d.y) - 4.0,
                esc(tag)
            );
        }
        for d in &l.dots {
            let _ = write!(
                o,
                r##"<a href="#set-{}"><line x1="{xx:.1}" x2="{xx:.1}" y1="{:.1}" y2="{:.1}" class="range"/><circle cx="{xx:.1}" cy="{:.1}" r="3.5"><title>{}</title></circle></a>"##,
                d.set,
                y(d.lo),
                y(d.hi),
                y(d.y),
                esc(&d.tip),
                xx = x(d.x)
            );
        }
        let _ = write!(o, "</g>");
    }
    let _ = write!(o, "</svg>");
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// The x positions of a configuration: its distinct (time, set) in order.
fn x_axis(c: &Config, h: &History) -> (BTreeMap<(i64, usize), usize>, Vec<String>) {
    let mut keys: Vec<(i64, String, usize, String)> = Vec::new();
    let mut add = |w: &When, set: usize| {
        keys.push((
            w.time,
            h.sets[set].name.clone(),
            set,
            short_commit(&w.commit),
        ));
    };
    for s in c.figures.iter().flatten() {
        for p in &s.points {
            add(&p.when, p.set);
        }
    }
    for r in &c.ratios {
        for (s, w, _) in &r.points {
            add(w, *s);
        }
    }
    keys.sort();
    keys.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
    let index = keys
        .iter()
        .enumerate()
        .map(|(i, k)| ((k.0, k.2), i))
        .collect();
    (index, keys.into_iter().map(|k| k.3).collect())
}

/// The page; `base` is the folder it is written to (links to sets are
/// relative to it).
pub fn render(h: &History, base: &Path) -> String {
    let machine_index: BTreeMap<&MachineId, usize> = h
        .machines
        .iter()
        .enumerate()
        .map(|(i, (m, _))| (m, i))
        .collect();
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Spindle: figures over time</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222}}
h2{{margin-top:1.6em;border-bottom:1px solid #ddd}}
.plots{{display:flex;flex-wrap:wrap;gap:8px}}
svg.plot{{background:#fff;border:1px solid #e3e3e3}}
.title{{font-size:13px;font-weight:600}}
.ytick{{font-size:10px;text-anchor:end}} .xtick{{font-size:9px;text-anchor:end}}
.grid{{stroke:#eee}} .axis{{stroke:#888}}
.series .line{{fill:none;stroke:currentColor;stroke-width:1.5}}
.series circle{{fill:currentColor}} .series .range{{stroke:currentColor;stroke-width:1}}
.tag{{font-size:10px;fill:currentColor}}
.step{{stroke:currentColor;stroke-dasharray:4 3}} .steplabel{{font-size:10px;fill:currentColor}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border:1px solid #ddd;padding:2px 6px;text-align:left}}
.legend span{{cursor:pointer;margin-right:1.2em}} .legend span.off{{opacity:.35}}
.swatch{{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}}
:target{{background:#ffd}}
</style></head><body>
<h1>Spindle: figures over time</h1>
<p id="status">plots not checked (the page's script did not run)</p>
<p>{} result sets, {} runs; threshold {:.0} %. A step (dashed) is a change between consecutive sets by <code>spindle compare</code>'s rule that persists; its label is after/before. Each point is the median of a set's repeats, its bar their range; click a point for its set and commit.</p>
<p class="legend">Machines (click to hide or show): "#,
        h.sets.len(),
        h.runs(),
        h.threshold * 100.0
    );
    for (i, (m, _)) in h.machines.iter().enumerate() {
        let _ = write!(
            o,
            r#"<span data-toggle="m{i}" title="{}"><span class="swatch" style="background:{}"></span>{}</span>"#,
            esc(&m.line()),
            COLORS[i % COLORS.len()],
            esc(&m.short())
        );
    }
    let _ = writeln!(o, "</p>");
    let steps = h.steps();
    let in_sim = steps.iter().filter(|(_, fi, _, _)| *fi == 0).count();
    let _ = writeln!(
        o,
        "<details><summary>{} steps found, {in_sim} of them in simulation time (table)</summary>",
        steps.len()
    );
    if steps.is_empty() {
        let _ = writeln!(o, "<p>None.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><tr><th>configuration</th><th>figure</th><th>machine</th><th>first commit after</th><th>after/before</th></tr>"
        );
        for (c, fi, s, st) in steps {
            let p = &s.points[st.index];
            let _ = writeln!(
                o,
                r##"<tr><td><a href="#cfg-{}">{}</a></td><td>{}</td><td>{}</td><td><a href="#set-{}">{}</a> {}</td><td>{:.3} {}</td></tr>"##,
                cfg_id(h, c),
                esc(&c.key.to_string()),
                FIGURES[fi].0,
                esc(&s.machine.short()),
                p.set,
                esc(&short_commit(&p.when.commit)),
                esc(&p.when.date),
                st.after / st.before,
                match st.verdict {
                    Verdict::Faster => "faster",
                    _ => "SLOWER",
                }
            );
        }
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(o, "</details>");
    for (ci, c) in h.configs.iter().enumerate() {
        let (xi, xlabels) = x_axis(c, h);
        let _ = writeln!(
            o,
            r#"<section id="cfg-{ci}"><h2>{}</h2><div class="plots">"#,
            esc(&c.key.to_string())
        );
        for (fi, series) in c.figures.iter().enumerate() {
            let lines: Vec<Line> = series
                .iter()
                .map(|s| Line {
                    machine: machine_index[&s.machine],
                    label: s.machine.short(),
                    dots: s
                        .points
                        .iter()
                        .map(|p| Dot {
                            x: xi[&(p.when.time, p.set)],
                            y: shown(fi, p.spread.median),
                            lo: shown(fi, p.spread.min),
                            hi: shown(fi, p.spread.max),
                            tip: format!(
                                "{} · {} · {} · median {:.4} (range {:.4}–{:.4}, n={})",
                                short_commit(&p.when.commit),
                                p.when.date,
                                h.sets[p.set].name,
                                shown(fi, p.spread.median),
                                shown(fi, p.spread.min),
                                shown(fi, p.spread.max),
                                p.spread.n
                            ),
                            set: p.set,
                        })
                        .collect(),
                    steps: s
                        .steps
                        .iter()
                        .map(|st| {
                            let p = &s.points[st.index];
                            (
                                xi[&(p.when.time, p.set)],
                                format!("{:.2}×", st.after / st.before),
                            )
                        })
                        .collect(),
                    tag: None,
                })
                .collect();
            chart(&mut o, FIGURES[fi].1, &xlabels, &lines);
        }
        if !c.ratios.is_empty() {
            let lines: Vec<Line> = c
                .ratios
                .iter()
                .map(|r| Line {
                    machine: machine_index[&r.machine],
                    label: format!("{} / Spindle on {}", r.peer, r.machine.short()),
                    dots: r
                        .points
                        .iter()
                        .map(|(s, w, v)| Dot {
                            x: xi[&(w.time, *s)],
                            y: *v,
                            lo: *v,
                            hi: *v,
                            tip: format!(
                                "{} / Spindle {v:.1}× · {} · {}",
                                r.peer,
                                short_commit(&w.commit),
                                h.sets[*s].name
                            ),
                            set: *s,
                        })
                        .collect(),
                    steps: Vec::new(),
                    tag: Some(r.peer.clone()),
                })
                .collect();
            let peers: Vec<&str> = c
                .ratios
                .iter()
                .map(|r| r.peer.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            chart(
                &mut o,
                &format!("{} ÷ Spindle (one sweep)", peers.join(", ")),
                &xlabels,
                &lines,
            );
        }
        let _ = writeln!(o, "</div></section>");
    }
    let _ = writeln!(
        o,
        "<h2>Sets</h2><table><tr><th>set</th><th>machine</th><th>commits (date)</th><th>runs</th></tr>"
    );
    let mut commits_of: BTreeMap<usize, Vec<&When>> = BTreeMap::new();
    for c in &h.configs {
        for s in c.figures.iter().flatten() {
            for p in &s.points {
                let v = commits_of.entry(p.set).or_default();
                if !v.iter().any(|w| w.commit == p.when.commit) {
                    v.push(&p.when);
                }
            }
        }
    }
    for (i, (m, sets)) in h.machines.iter().enumerate() {
        for &si in sets {
            let set = &h.sets[si];
            let href = relative(base, &set.path);
            let commits: Vec<String> = commits_of
                .get(&si)
                .map(|v| {
                    v.iter()
                        .map(|w| {
                            let subject = h
                                .commits
                                .find(&w.commit)
                                .map(|c| format!(": {}", c.subject))
                                .unwrap_or_default();
                            format!(
                                "<span title=\"{}\">{}</span> ({})",
                                esc(&format!("{}{subject}", w.commit)),
                                esc(&short_commit(&w.commit)),
                                esc(&w.date)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let _ = writeln!(
                o,
                r#"<tr id="set-{si}"><td><a href="{}">{}</a></td><td data-machine="m{i}">{}</td><td>{}</td><td>{}</td></tr>"#,
                esc(&href),
                esc(&set.name),
                esc(&m.short()),
                commits.join("<br>"),
                set.records.len()
            );
        }
    }
    let _ = writeln!(o, "</table>");
    if !h.unreadable.is_empty() {
        let _ = writeln!(o, "<h2>Sets not read</h2><ul>");
        for u in &h.unreadable {
            let _ = writeln!(
                o,
                "<li><code>{}</code>: {}</li>",
                esc(&u.name),
                esc(&u.reason)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(
        o,
        r#"<script>
(function () {{
  var plots = document.querySelectorAll("svg.plot");
  var drawn = 0;
  plots.forEach(function (svg) {{
    if (svg.querySelector(".series circle")) drawn += 1;
  }});
  document.querySelectorAll("[data-toggle]").forEach(function (el) {{
    el.addEventListener("click", function () {{
      var off = el.classList.toggle("off");
      var m = el.getAttribute("data-toggle");
      document.querySelectorAll('g[data-machine="' + m + '"]').forEach(function (g) {{
        g.style.display = off ? "none" : "";
      }});
    }});
  }});
  var status = document.getElementById("status");
  status.textContent = drawn + " of " + plots.length + " plots drawn";
  status.setAttribute("data-drawn", String(drawn));
  status.setAttribute("data-plots", String(plots.length));
}})();
</script>
</body></html>"#
    );
    o
}

fn cfg_id(h: &History, c: &Config) -> usize {
    h.configs.iter().position(|x| x.key == c.key).unwrap_or(0)
}

/// `to` relative to the folder `base` (both made absolute first).
fn relative(base: &Path, to: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (b, t) = (abs(base), abs(to));
    let bc: Vec<_> = b.components().collect();
    let tc: Vec<_> = t.components().collect();
    let common = bc.iter().zip(&tc).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); bc.len() - common];
    parts.extend(
        tc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}
