//! Spindle's figures, drawn with plotters on a headless machine: the
//! output format follows the file extension (`.png` or `.svg`) and the
//! font is embedded (Ubuntu Light, from `epaint_default_fonts`), so nothing
//! needs installing. Files appear complete or not at all.
#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

/// Why a figure could not be drawn.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The extension names no format we write.
    #[error("plot file {0} must end in .png or .svg")]
    Format(String),
    /// Nothing to draw.
    #[error("nothing to plot: {0}")]
    Empty(String),
    /// Drawing or writing failed.
    #[error("cannot draw {0}: {1}")]
    Draw(String, String),
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

enum Format {
    Png,
    Svg,
}

fn format_of(path: &Path) -> Result<Format, PlotError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(PlotError::Format(path.display().to_string())),
    }
}

/// Check that `path` names a format we write, before any work is done.
pub fn check_path(path: &Path) -> Result<(), PlotError> {
    format_of(path).map(|_| ())
}

type DrawResult = Result<(), String>;

/// Draw with `f` into `path` (by extension), via a temporary file.
fn render(
    path: &Path,
    size: (u32, u32),
    f: &dyn Fn(DrawingArea<BitMapBackend, Shift>) -> DrawResult,
    g: &dyn Fn(DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<(), PlotError> {
    register_font();
    let fmt = format_of(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("png")
        .to_string();
    let tmp = path.with_extension(format!("tmp.{ext}"));
    let err = |e: String| PlotError::Draw(path.display().to_string(), e);
    let drawn = match fmt {
        Format::Png => f(BitMapBackend::new(&tmp, size).into_drawing_area()),
        Format::Svg => g(SVGBackend::new(&tmp, size).into_drawing_area()),
    };
    match drawn.and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string())) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(err(e))
        }
    }
}

fn s<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The seed's figure (`nest.raster_plot.from_device(spikes, hist=True)`):
/// a raster of `senders` against `times` [ms], and under it the population
/// rate [Hz] of the `n_neurons` recorded neurons in bins of `bin_ms`.
pub struct Raster<'a> {
    /// Title above the raster.
    pub title: &'a str,
    /// Sender of each spike.
    pub senders: &'a [u32],
    /// Time of each spike [ms].
    pub times: &'a [f64],
    /// Right end of the time axis [ms].
    pub t_max: f64,
    /// Neurons recorded (for the rate).
    pub n_neurons: usize,
    /// Histogram bin [ms] (NEST's default: 5).
    pub bin_ms: f64,
}

impl Raster<'_> {
    /// Counts per bin, as a rate per neuron [Hz].
    pub fn histogram(&self) -> Vec<f64> {
        let bins = (self.t_max / self.bin_ms).ceil().max(1.0) as usize;
        let mut counts = vec![0u64; bins];
        for &t in self.times {
            let b = ((t / self.bin_ms) as usize).min(bins - 1);
            counts[b] += 1;
        }
        let scale = 1000.0 / (self.bin_ms * self.n_neurons.max(1) as f64);
        counts.into_iter().map(|c| c as f64 * scale).collect()
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(s)?;
        let (top, bottom) = root.split_vertically((root.dim_in_pixel().1 as f64 * 0.65) as u32);
        let id_min = self.senders.iter().copied().min().unwrap_or(0) as f64;
        let id_max = self.senders.iter().copied().max().unwrap_or(1) as f64;
        let mut raster = ChartBuilder::on(&top)
            .caption(self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(20)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..self.t_max, (id_min - 1.0)..(id_max + 1.0))
            .map_err(s)?;
        raster
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("Neuron ID")
            .draw()
            .map_err(s)?;
        raster
            .draw_series(
                self.senders
                    .iter()
                    .zip(self.times)
                    .map(|(&id, &t)| Circle::new((t, id as f64), 1, BLUE.filled())),
            )
            .map_err(s)?;
        let hist = self.histogram();
        let top_rate = hist.iter().cloned().fold(1.0, f64::max) * 1.1;
        let mut rates = ChartBuilder::on(&bottom)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..self.t_max, 0.0..top_rate)
            .map_err(s)?;
        rates
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("Time (ms)")
            .y_desc("Rate (Hz)")
            .draw()
            .map_err(s)?;
        rates
            .draw_series(hist.iter().enumerate().map(|(i, &r)| {
                let x0 = i as f64 * self.bin_ms;
                Rectangle::new([(x0, 0.0), (x0 + self.bin_ms, r)], BLUE.mix(0.6).filled())
            }))
            .map_err(s)?;
        root.present().map_err(s)
    }

    /// Write the figure to `path` (`.png` or `.svg`).
    pub fn write(&self, path: &Path) -> Result<(), PlotError> {
        if self.times.is_empty() {
            return Err(PlotError::Empty("the recorder holds no spikes".into()));
        }
        render(path, (1000, 700), &|a| self.draw(a), &|a| self.draw(a))
    }
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub label: String,
    /// (x, y) points, in x order.
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed and grey (a reference such as ideal scaling).
    pub reference: bool,
}

/// A line chart with logarithmic axes (scaling plots).
pub struct LineChart<'a> {
    /// Title.
    pub title: &'a str,
    /// x axis label.
    pub x_label: &'a str,
    /// y axis label.
    pub y_label: &'a str,
    /// The lines.
    pub series: &'a [Series],
}

/// A tick label with at most 3 significant digits.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

fn log_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN_POSITIVE);
    for v in values.filter(|v| *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return 0.1..10.0;
    }
    (lo / 1.5)..(hi * 1.5)
}

impl LineChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(s)?;
        let xs = log_range(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0)),
        );
        let ys = log_range(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1)),
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(self.title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(xs.log_scale(), ys.log_scale())
            .map_err(s)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| sig3(*x))
            .y_label_formatter(&|y| sig3(*y))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .draw()
            .map_err(s)?;
        for (i, series) in self.series.iter().enumerate() {
            let color = if series.reference {
                BLACK.mix(0.4)
            } else {
                Palette99::pick(i).to_rgba()
            };
            let style = ShapeStyle {
                color,
                filled: false,
                stroke_width: 2,
            };
            let pts = series.points.clone();
            if series.reference {
                chart
                    .draw_series(DashedLineSeries::new(pts, 6, 4, style))
                    .map_err(s)?
                    .label(series.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            } else {
                chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(s)?
                    .label(series.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                chart
                    .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled())))
                    .map_err(s)?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(s)?;
        root.present().map_err(s)
    }

    /// Write the chart to `path`.
    pub fn write(&self, path: &Path) -> Result<(), PlotError> {
        if self.series.iter().all(|s| s.points.is_empty()) {
            return Err(PlotError::Empty(self.title.into()));
        }
        render(path, (900, 600), &|a| self.draw(a), &|a| self.draw(a))
    }
}

/// Stacked bars: one bar per category, one layer per phase.
pub struct StackedBars<'a> {
    /// Title.
    pub title: &'a str,
    /// y axis label.
    pub y_label: &'a str,
    /// Bar names.
    pub categories: &'a [String],
    /// (layer name, value per category).
    pub layers: &'a [(String, Vec<f64>)],
}

impl StackedBars<'_> {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(s)?;
        let n = self.categories.len();
        let totals: Vec<f64> = (0..n)
            .map(|c| self.layers.iter().map(|(_, v)| v[c].max(0.0)).sum())
            .collect();
        let top = totals.iter().cloned().fold(0.0, f64::max).max(1e-9) * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(self.title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..n as f64, 0.0..top)
            .map_err(s)?;
        let cats = self.categories.to_vec();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.max(1) * 2 + 1)
            .x_label_formatter(&move |x| {
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 0.26 {
                    cats.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(self.y_label)
            .draw()
            .map_err(s)?;
        let mut base = vec![0.0; n];
        for (li, (name, values)) in self.layers.iter().enumerate() {
            let color = Palette99::pick(li).to_rgba();
            let bars: Vec<_> = (0..n)
                .map(|c| {
                    let (lo, hi) = (base[c], base[c] + values[c].max(0.0));
                    base[c] = hi;
                    Rectangle::new(
                        [(c as f64 + 0.15, lo), (c as f64 + 0.85, hi)],
                        color.filled(),
                    )
                })
                .collect();
            chart
                .draw_series(bars)
                .map_err(s)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(s)?;
        root.present().map_err(s)
    }

    /// Write the chart to `path`.
    pub fn write(&self, path: &Path) -> Result<(), PlotError> {
        if self.categories.is_empty() {
            return Err(PlotError::Empty(self.title.into()));
        }
        render(path, (900, 600), &|a| self.draw(a), &|a| self.draw(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(sig3(0.30000000000000004), "0.300");
        assert_eq!(sig3(2500.0), "2500");
        assert_eq!(sig3(1.0), "1.00");
    }

    #[test]
    fn histogram_is_a_rate() {
        let r = Raster {
            title: "t",
            senders: &[1, 2, 1],
            times: &[1.0, 2.0, 7.0],
            t_max: 10.0,
            n_neurons: 2,
            bin_ms: 5.0,
        };
        // 2 spikes in 5 ms from 2 neurons = 200 Hz
        assert_eq!(r.histogram(), vec![200.0, 100.0]);
    }

    #[test]
    fn writes_png_and_svg_and_refuses_other_formats() {
        let dir = std::env::temp_dir().join(format!("spindle-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let r = Raster {
            title: "raster",
            senders: &[1, 2, 3],
            times: &[1.0, 2.0, 7.0],
            t_max: 10.0,
            n_neurons: 3,
            bin_ms: 5.0,
        };
        for name in ["r.png", "r.svg"] {
            r.write(&dir.join(name)).unwrap();
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert!(bytes.len() > 1000, "{name} is {} bytes", bytes.len());
        }
        assert!(
            std::fs::read(dir.join("r.png"))
                .unwrap()
                .starts_with(b"\x89PNG")
        );
        assert!(
            std::fs::read_to_string(dir.join("r.svg"))
                .unwrap()
                .contains("Neuron ID")
        );
        assert!(matches!(
            r.write(&dir.join("r.pdf")),
            Err(PlotError::Format(_))
        ));
        let series = [Series {
            label: "a".into(),
            points: vec![(1.0, 2.0), (2.0, 1.0)],
            reference: false,
        }];
        LineChart {
            title: "l",
            x_label: "x",
            y_label: "y",
            series: &series,
        }
        .write(&dir.join("l.png"))
        .unwrap();
        StackedBars {
            title: "b",
            y_label: "s",
            categories: &["1".into(), "2".into()],
            layers: &[("u".into(), vec![1.0, 0.5]), ("d".into(), vec![0.2, 0.1])],
        }
        .write(&dir.join("b.svg"))
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
