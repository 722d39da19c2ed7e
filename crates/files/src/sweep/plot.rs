//! Line charts of sweep results as PNG files: plotters' pixel backend, text drawn by ab_glyph
//! with a font egui already embeds (Ubuntu Light), encoded by the `image` crate. Pure Rust.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::error::PlotError;
use crate::atomic::write_atomic;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// Solid line through the points, with markers and error bars.
    Line,
    /// Dashed line through the points, with markers and error bars.
    Dashed,
    /// Markers only (e.g. one per seed).
    Markers,
    /// Every run at a point, as hollow markers just right of its x (so they do not hide the
    /// curve's marker there); each point's error is ignored.
    Seeds,
    /// A mean with its interval (y ± error) as a bar and a filled square, right of the
    /// [`Style::Seeds`] it summarises.
    Interval,
    /// A dashed horizontal line across the whole chart at the first point's y (a value that
    /// does not depend on x, such as the straight-through estimator's accuracy).
    Reference,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    /// (x, y, error): the error bar spans y ± error; 0 draws none.
    pub points: Vec<(f64, f64, f64)>,
    pub style: Style,
    /// Index into the palette; series that share it share a colour.
    pub color: usize,
}

#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Logarithmic x axis (every x must be > 0; others are left out).
    pub x_log: bool,
    pub y_range: (f64, f64),
    pub series: Vec<Series>,
}

/// Colour `i` of the sweep palette (shared with the window's Sweep view).
pub fn color(i: usize) -> RGBColor {
    let [r, g, b] = super::palette::rgb(i);
    RGBColor(r, g, b)
}

// plotters has no font registry on wasm32 (it leaves text to the browser's canvas there).
#[cfg(target_arch = "wasm32")]
fn register_font() {}

#[cfg(not(target_arch = "wasm32"))]
fn register_font() {
    use plotters::style::FontStyle;
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font compiled into the binary; a failure would only
        // leave text out.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// Renders `chart` into a PNG of `size` pixels at `path` (written atomically).
pub fn save_png(chart: &Chart, path: &std::path::Path, size: (u32, u32)) -> Result<(), PlotError> {
    let png = render_png(chart, size)?;
    Ok(write_atomic(path, &png)?)
}

/// Renders `chart` to PNG bytes, `w` wide and at least `h` tall (taller where the legend
/// needs it).
pub fn render_png(chart: &Chart, (w, h): (u32, u32)) -> Result<Vec<u8>, PlotError> {
    register_font();
    let h = h.max(TITLE_H + legend_height(chart));
    let cannot_draw = |e: &dyn std::fmt::Display| PlotError::Draw {
        title: chart.title.clone(),
        message: e.to_string(),
    };
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(chart, &root).map_err(|e| cannot_draw(&e))?;
        root.present().map_err(|e| cannot_draw(&e))?;
    }
    let img = image::RgbImage::from_raw(w, h, buf).ok_or(PlotError::Buffer)?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png)?;
    Ok(bytes.into_inner())
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error + 'static>>;

/// x as plotted: log10(x) on a log axis.
fn tx(chart: &Chart, x: f64) -> Option<f64> {
    if chart.x_log {
        (x > 0.0).then(|| x.log10())
    } else {
        x.is_finite().then_some(x)
    }
}

fn x_range(chart: &Chart) -> (f64, f64) {
    let xs: Vec<f64> = chart
        .series
        .iter()
        .filter(|s| s.style != Style::Reference)
        .flat_map(|s| s.points.iter().filter_map(|p| tx(chart, p.0)))
        .collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if chart.x_log {
        // Whole decades, so that the ticks fall on powers of ten.
        let (lo, hi) = (lo.floor(), hi.ceil());
        (lo, if hi > lo { hi } else { lo + 1.0 })
    } else {
        let pad = ((hi - lo) * 0.05).max(1e-9);
        (lo - pad, hi + pad)
    }
}

fn format_decade(v: f64) -> String {
    let x = 10f64.powf(v);
    if (v - v.round()).abs() > 1e-6 {
        return String::new();
    }
    if (1e-3..1e5).contains(&x) {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("1e{}", v.round() as i64)
    }
}

/// Width of the legend's panel right of the plot: the legend never covers data.
const LEGEND_W: u32 = 360;
/// Characters per legend line, and the height of one, at the legend's font size.
const LEGEND_CHARS: usize = 38;
const LEGEND_LINE: i32 = 19;
const TITLE_H: u32 = 44;

/// The legend's entries: named series, each name once, wrapped into lines.
fn legend_entries(chart: &Chart) -> Vec<(&Series, Vec<String>)> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for s in &chart.series {
        if s.name.is_empty() || seen.contains(&s.name.as_str()) {
            continue;
        }
        seen.push(&s.name);
        out.push((s, wrap(&s.name, LEGEND_CHARS)));
    }
    out
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Pixels the legend needs, top to bottom.
fn legend_height(chart: &Chart) -> u32 {
    legend_entries(chart)
        .iter()
        .map(|(_, lines)| lines.len() as u32 * LEGEND_LINE as u32 + 8)
        .sum::<u32>()
        + 24
}

fn draw(chart: &Chart, root: &Area<'_>) -> DrawResult {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (title, body) = root.split_vertically(TITLE_H.min(h));
    title.draw(&Text::new(
        chart.title.clone(),
        (16, 12),
        ("sans-serif", 22).into_font(),
    ))?;
    let (plot_area, legend_area) = body.split_horizontally(w.saturating_sub(LEGEND_W));
    let (x0, x1) = x_range(chart);
    let (y0, y1) = chart.y_range;
    let mut ctx = ChartBuilder::on(&plot_area)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let decades = (x1 - x0).round().max(1.0) as usize;
    let log = chart.x_log;
    let fmt_x = move |v: &f64| {
        if log {
            format_decade(*v)
        } else {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    let mut mesh = ctx.configure_mesh();
    mesh.x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&fmt_x)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .light_line_style(RGBColor(244, 244, 244));
    if log {
        mesh.x_labels(decades + 1);
    }
    mesh.draw()?;
    // Seeds and their summary sit a little right of their x, in that order, each colour a
    // little further than the last so that variants seeded at one x stay apart (left of x at
    // the right edge, where the right would be cut off).
    let step = (x1 - x0) * 0.006;
    let dx = |x: f64| if x + 22.0 * step > x1 { -step } else { step };

    // At an x seeded by several series, each takes the next lane; an Interval shares the
    // lanes of the Seeds series before it.
    let mut seeded_xs: Vec<f64> = Vec::new();
    let mut lanes: Vec<(f64, f64)> = Vec::new();
    let lane_at = |lanes: &[(f64, f64)], x: f64| {
        lanes
            .iter()
            .find(|l| (l.0 - x).abs() < 1e-9)
            .map_or(1.0, |l| l.1)
    };
    for s in &chart.series {
        let c = color(s.color);
        let pts: Vec<(f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(x, y, e)| Some((tx(chart, x)?, y, e)))
            .filter(|p| p.1.is_finite())
            .collect();
        let line_style = c.stroke_width(2);
        match s.style {
            Style::Reference => {
                let Some(&(_, y, _)) = s.points.iter().find(|p| p.1.is_finite()) else {
                    continue;
                };
                ctx.draw_series(DashedLineSeries::new(
                    vec![(x0, y), (x1, y)],
                    10,
                    6,
                    line_style,
                ))?;
            }
            Style::Markers => {
                ctx.draw_series(
                    pts.iter()
                        .map(|&(x, y, _)| Circle::new((x, y), 4, c.mix(0.7).filled())),
                )?;
            }
            Style::Seeds => {
                lanes.clear();
                for &(x, _, _) in &pts {
                    if lanes.iter().all(|l| (l.0 - x).abs() >= 1e-9) {
                        let before = seeded_xs.iter().filter(|v| (*v - x).abs() < 1e-9).count();
                        lanes.push((x, 1.0 + 1.6 * before as f64));
                    }
                }
                seeded_xs.extend(lanes.iter().map(|l| l.0));
                ctx.draw_series(pts.iter().enumerate().map(|(i, &(x, y, _))| {
                    // A small spread in x so that equal accuracies stay countable.
                    let x = x + dx(x) * (lane_at(&lanes, x) + 0.3 * (i % 5) as f64);
                    Circle::new((x, y), 3, c.stroke_width(1))
                }))?;
            }
            Style::Interval => {
                for &(x, y, e) in &pts {
                    let x = x + dx(x) * (lane_at(&lanes, x) + 0.9);
                    ctx.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y - e), (x, y + e)],
                        c.stroke_width(2),
                    )))?;
                    for end in [y - e, y + e] {
                        ctx.draw_series(std::iter::once(
                            EmptyElement::at((x, end))
                                + PathElement::new(vec![(-4, 0), (4, 0)], c.stroke_width(2)),
                        ))?;
                    }
                    ctx.draw_series(std::iter::once(
                        EmptyElement::at((x, y)) + Rectangle::new([(-3, -3), (3, 3)], c.filled()),
                    ))?;
                }
            }
            Style::Line | Style::Dashed => {
                for &(x, y, e) in &pts {
                    if e > 0.0 {
                        ctx.draw_series(std::iter::once(PathElement::new(
                            vec![(x, y - e), (x, y + e)],
                            c.stroke_width(1),
                        )))?;
                    }
                }
                ctx.draw_series(
                    pts.iter()
                        .map(|&(x, y, _)| Circle::new((x, y), 4, c.filled())),
                )?;
                for xy in joined(chart, &pts) {
                    if s.style == Style::Line {
                        ctx.draw_series(LineSeries::new(xy, line_style))?;
                    } else {
                        ctx.draw_series(DashedLineSeries::new(xy, 10, 6, line_style))?;
                    }
                }
            }
        }
    }
    draw_legend(chart, &legend_area)
}

/// The runs of points (plotted x, y) a line may join: on a log axis, neighbours at most a
/// decade apart (a line across two decades would draw values nobody measured).
pub fn joined(chart: &Chart, pts: &[(f64, f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    for &(x, y, _) in pts {
        match runs.last_mut() {
            Some(run) if !chart.x_log || run.last().is_some_and(|p| x - p.0 <= 1.0 + 1e-9) => {
                run.push((x, y))
            }
            _ => runs.push(vec![(x, y)]),
        }
    }
    runs
}

/// The legend in its own panel: a sample of each named series' style, then its name.
fn draw_legend(chart: &Chart, area: &Area<'_>) -> DrawResult {
    let font = ("sans-serif", 15).into_font();
    let mut y = 20;
    for (s, lines) in legend_entries(chart) {
        let c = color(s.color);
        let mid = y + LEGEND_LINE / 2;
        let style = c.stroke_width(2);
        match s.style {
            Style::Line => {
                area.draw(&PathElement::new(vec![(6, mid), (34, mid)], style))?;
                area.draw(&Circle::new((20, mid), 4, c.filled()))?;
            }
            Style::Dashed | Style::Reference => {
                for (a, b) in [(6, 14), (19, 27), (32, 36)] {
                    area.draw(&PathElement::new(vec![(a, mid), (b, mid)], style))?;
                }
            }
            Style::Markers => area.draw(&Circle::new((20, mid), 4, c.mix(0.7).filled()))?,
            Style::Seeds => {
                for x in [14, 20, 26] {
                    area.draw(&Circle::new((x, mid + (x % 4) - 1), 3, c.stroke_width(1)))?;
                }
            }
            Style::Interval => {
                area.draw(&PathElement::new(vec![(20, mid - 7), (20, mid + 7)], style))?;
                area.draw(&Rectangle::new([(17, mid - 3), (23, mid + 3)], c.filled()))?;
            }
        }
        for line in &lines {
            area.draw(&Text::new(line.clone(), (44, y + 2), font.clone()))?;
            y += LEGEND_LINE;
        }
        y += 8;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decades_are_labelled_plainly() {
        assert_eq!(format_decade(0.0), "1");
        assert_eq!(format_decade(-1.0), "0.1");
        assert_eq!(format_decade(3.0), "1000");
        assert_eq!(format_decade(6.0), "1e6");
        assert_eq!(format_decade(0.5), "");
    }

    #[test]
    fn lines_join_neighbours_at_most_a_decade_apart_on_a_log_axis() {
        let chart = |x_log| Chart {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            x_log,
            y_range: (0.0, 1.0),
            series: Vec::new(),
        };
        // log10 of β = 1, 3, 10 and then 1000: the last stands alone.
        let pts = [0.0, 0.477, 1.0, 3.0].map(|x| (x, 0.5, 0.0));
        let runs = joined(&chart(true), &pts);
        assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 1]);
        assert_eq!(joined(&chart(false), &pts).len(), 1);
    }

    #[test]
    fn legend_names_wrap_at_spaces_and_keep_long_words_whole() {
        assert_eq!(
            wrap("asymptotic SuperSpike (a), through the reset (DR)", 20),
            vec!["asymptotic", "SuperSpike (a),", "through the reset", "(DR)"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcdefghij"]);
        assert!(wrap("", 10).is_empty());
    }
}
