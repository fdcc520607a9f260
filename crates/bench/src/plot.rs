//! The benchmark's PNG: words/s against document length (log scale) and against jobs.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use plotters::prelude::*;
use plotters::style::FontStyle;

/// One line of a panel: a name and its (x, words/s) points.
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
}

/// Fonts tried for the labels (plotters draws text with ab_glyph from a TrueType file).
const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

fn register_font() -> Result<()> {
    let path = FONTS
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow!("no TrueType font for the labels (looked for {FONTS:?})"))?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // plotters keeps fonts for the life of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("{} is not a usable TrueType font", path.display()))
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Writes a 1400×560 PNG with two panels: `by_length` (x: words in the document, log scale)
/// and `by_jobs` (x: jobs).
pub fn write_png(path: &Path, title: &str, by_length: &[Series], by_jobs: &[Series]) -> Result<()> {
    register_font()?;
    let root = BitMapBackend::new(path, (1400, 560)).into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| anyhow!("drawing {}: {e:?}", path.display());
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled(title, ("sans-serif", 20))
        .map_err(|e| anyhow!("drawing {}: {e:?}", path.display()))?;
    let (left, right) = root.split_horizontally(700);

    let max_y = |series: &[Series]| {
        series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(1.0_f64, f64::max)
            * 1.15
    };

    // Left: words/s against document length, log x.
    let (x_lo, x_hi) = by_length
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold((f64::MAX, 1.0_f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let x_lo = if x_lo == f64::MAX { 1.0 } else { x_lo };
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "lede, full analysis, --jobs 1: words/s by document length",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x_lo * 0.8..x_hi * 1.25).log_scale(), 0.0..max_y(by_length))
        .map_err(|e| anyhow!("drawing {}: {e:?}", path.display()))?;
    chart
        .configure_mesh()
        .x_desc("words in the document (log scale)")
        .y_desc("words/s")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| anyhow!("drawing {}: {e:?}", path.display()))?;
    draw_series(&mut chart, by_length).map_err(|e| anyhow!("drawing {}: {e}", path.display()))?;

    // Right: words/s against jobs.
    let max_jobs = by_jobs
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0_f64, f64::max);
    let mut chart = ChartBuilder::on(&right)
        .caption(
            "300 articles: words/s by jobs (model loading included)",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.5..max_jobs + 0.5, 0.0..max_y(by_jobs))
        .map_err(|e| anyhow!("drawing {}: {e:?}", path.display()))?;
    chart
        .configure_mesh()
        .x_desc("jobs (processes for spaCy, threads for the Python encoder)")
        .y_desc("words/s")
        .x_labels(max_jobs as usize + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| anyhow!("drawing {}: {e:?}", path.display()))?;
    draw_series(&mut chart, by_jobs).map_err(|e| anyhow!("drawing {}: {e}", path.display()))?;

    root.present()
        .map_err(|e| anyhow!("writing {}: {e:?}", path.display()))?;
    Ok(())
}

fn draw_series<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    series: &[Series],
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| format!("{e:?}"))?
            .label(s.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(|e| format!("{e:?}"))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| format!("{e:?}"))
}
