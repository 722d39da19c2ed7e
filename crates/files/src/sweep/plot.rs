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

/// Renders `chart` to PNG bytes.
pub fn render_png(chart: &Chart, (w, h): (u32, u32)) -> Result<Vec<u8>, PlotError> {
    register_font();
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

fn draw(chart: &Chart, root: &Area<'_>) -> DrawResult {
    root.fill(&WHITE)?;
    let (x0, x1) = x_range(chart);
    let (y0, y1) = chart.y_range;
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 24))
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

    for s in &chart.series {
        let c = color(s.color);
        let pts: Vec<(f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(x, y, e)| Some((tx(chart, x)?, y, e)))
            .filter(|p| p.1.is_finite())
            .collect();
        let line_style = c.stroke_width(2);
        let legend_style = line_style;
        let anno = match s.style {
            Style::Reference => {
                let Some(&(_, y, _)) = s.points.iter().find(|p| p.1.is_finite()) else {
                    continue;
                };
                ctx.draw_series(DashedLineSeries::new(
                    vec![(x0, y), (x1, y)],
                    10,
                    6,
                    line_style,
                ))?
            }
            Style::Markers => ctx.draw_series(
                pts.iter()
                    .map(|&(x, y, _)| Circle::new((x, y), 4, c.mix(0.7).filled())),
            )?,
            Style::Line | Style::Dashed => {
                let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
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
                if s.style == Style::Line {
                    ctx.draw_series(LineSeries::new(xy, line_style))?
                } else {
                    ctx.draw_series(DashedLineSeries::new(xy, 10, 6, line_style))?
                }
            }
        };
        if s.name.is_empty() {
            continue;
        }
        let dashed = matches!(s.style, Style::Dashed | Style::Reference);
        anno.label(s.name.as_str()).legend(move |(x, y)| {
            if dashed {
                PathElement::new(vec![(x, y), (x + 8, y)], legend_style)
            } else {
                PathElement::new(vec![(x, y), (x + 20, y)], legend_style)
            }
        });
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 16))
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
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
}
