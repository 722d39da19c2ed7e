//! Each study's figure and Markdown table.

use super::{Study, StudySweep};
use crate::sweep::csv::Row;
use crate::sweep::grid::Sweep;
use crate::sweep::plot::{Chart, Series, Style};
use crate::sweep::{Aggregate, aggregate, paper};

impl Study {
    /// The figure, from the rows of each sweep (in the order of [`Study::sweeps`]).
    pub fn chart(self, rows: &[Vec<Row>]) -> Chart {
        self.chart_with_best(rows, &[], &[])
    }

    /// The figure, with the grids' sweeps and the best-point seeds' rows for the paper-size
    /// studies (the others ignore both).
    pub fn chart_with_best(self, rows: &[Vec<Row>], sweeps: &[StudySweep], best: &[Row]) -> Chart {
        if self.is_paper_size() {
            let grids: Vec<(&Sweep, &[Row])> = sweeps
                .iter()
                .zip(rows)
                .map(|(s, r)| (&s.sweep, r.as_slice()))
                .collect();
            return paper::chart(self.title(), &grids, best, self.decisive());
        }
        let empty = Vec::new();
        let first = rows.first().unwrap_or(&empty);
        match self {
            Study::Beta => {
                let agg = aggregate(first);
                let mut series: Vec<Series> = ["super_spike", "sigmoid", "esser"]
                    .iter()
                    .enumerate()
                    .map(|(i, shape)| Series {
                        name: paper::shape_label(shape),
                        points: curve(&agg, |a| a.values[0] == *shape, 1, |a| a.test_acc),
                        style: Style::Line,
                        color: i,
                    })
                    .collect();
                for (i, shape) in ["super_spike", "sigmoid", "esser"].iter().enumerate() {
                    series.push(seeds(first, |r| r.values[0] == *shape, 1, i));
                }
                let refs = aggregate(rows.get(1).unwrap_or(&empty));
                for (i, r) in refs.iter().enumerate() {
                    series.push(Series {
                        name: format!("{} ({:.2})", paper::shape_label(&r.values[0]), r.test_acc.0),
                        points: vec![(1.0, r.test_acc.0, 0.0)],
                        style: Style::Reference,
                        // Yellow-orange and black; chance is grey.
                        color: [4, 7][i % 2],
                    });
                }
                series.push(seeds_legend());
                series.push(chance());
                Chart {
                    title: "Randman: test accuracy against surrogate scale β".into(),
                    x_label: "β (log scale)".into(),
                    y_label: "test accuracy at the best-validation epoch (mean ± sd over seeds)"
                        .into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series,
                }
            }
            Study::Reset => {
                let agg = aggregate(first);
                let mut series = Vec::new();
                for (i, shape) in ["super_spike", "asymptotic_super_spike"].iter().enumerate() {
                    for detached in ["true", "false"] {
                        series.push(Series {
                            name: format!(
                                "{}, {} reset",
                                paper::shape_label(shape),
                                if detached == "true" {
                                    "detached"
                                } else {
                                    "differentiable"
                                }
                            ),
                            points: curve(
                                &agg,
                                |a| a.values[0] == *shape && a.values[1] == detached,
                                2,
                                |a| a.test_acc,
                            ),
                            style: if detached == "true" {
                                Style::Line
                            } else {
                                Style::Dashed
                            },
                            color: i,
                        });
                        series.push(seeds(
                            first,
                            |r| r.values[0] == *shape && r.values[1] == detached,
                            2,
                            i,
                        ));
                    }
                }
                series.push(seeds_legend());
                series.push(chance());
                Chart {
                    title: "Randman: normalised vs asymptotic SuperSpike, reset detached or not"
                        .into(),
                    x_label: "β (log scale)".into(),
                    y_label: "test accuracy at the best-validation epoch (mean ± sd over seeds)"
                        .into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series,
                }
            }
            // Sparsity; the paper-size studies returned above.
            _ => {
                let agg = aggregate(first);
                let mut means: Vec<(f64, f64, f64)> = agg
                    .iter()
                    .map(|a| (a.rate_hz.0, a.final_test_acc.0, a.final_test_acc.1))
                    .collect();
                means.sort_by(|a, b| a.0.total_cmp(&b.0));
                let seeds: Vec<(f64, f64, f64)> = first
                    .iter()
                    .map(|r| (r.rate_hz as f64, r.final_test_acc as f64, 0.0))
                    .collect();
                let size = if self == Study::SparsityPaper {
                    " (paper size)"
                } else {
                    ""
                };
                Chart {
                    title: format!(
                        "Randman{size}: accuracy against activity as the upper-bound λ grows"
                    ),
                    x_label: "mean hidden firing rate, Hz (log scale)".into(),
                    y_label: "final test accuracy".into(),
                    x_log: true,
                    y_range: (0.0, 1.0),
                    series: vec![
                        Series {
                            name: "mean over seeds, one point per λ".into(),
                            points: means,
                            style: Style::Line,
                            color: 0,
                        },
                        Series {
                            name: "each seed".into(),
                            points: seeds,
                            style: Style::Markers,
                            color: 1,
                        },
                        chance(),
                    ],
                }
            }
        }
    }

    fn title(self) -> &'static str {
        match self {
            Study::Shape => "Randman (paper size): best-η test accuracy against β, per shape",
            Study::Scale => {
                "Randman (paper size): normalised vs asymptotic SuperSpike, reset detached or not"
            }
            Study::Depth => "Randman (paper size): 1, 2, 3 hidden layers, reset differentiable",
            Study::Recurrent => {
                "Randman (paper size): recurrent layer, gradient through V propagated or detached"
            }
            Study::ShapeMnist => "MNIST-5k: best-η test accuracy against β, per shape",
            _ => "",
        }
    }

    /// A Markdown table of the results (means ± sd over seeds), for REPRODUCTION.md.
    pub fn table(self, sweeps: &[StudySweep], rows: &[Vec<Row>]) -> String {
        self.table_with_best(sweeps, rows, &[])
    }

    /// The table, with the best-point seeds' rows for the paper-size studies.
    pub fn table_with_best(self, sweeps: &[StudySweep], rows: &[Vec<Row>], best: &[Row]) -> String {
        if self.is_paper_size() {
            let grids: Vec<(&Sweep, &[Row])> = sweeps
                .iter()
                .zip(rows)
                .map(|(s, r)| (&s.sweep, r.as_slice()))
                .collect();
            let mut out = paper::table(&grids, best, self.decisive());
            out.push('\n');
            out.push_str(&runs_footer(rows.iter().flatten().chain(best)));
            return out;
        }
        let mut out = String::new();
        for (s, r) in sweeps.iter().zip(rows) {
            let keys = s.sweep.keys();
            out.push_str(&format!(
                "| {} | seeds | val acc (chosen epoch) | test acc (chosen epoch): mean ± sd, 95 % CI (n) | final test acc | rate (Hz) |\n",
                keys.join(" | ")
            ));
            out.push_str(&format!("|{}\n", " --- |".repeat(keys.len() + 5)));
            for a in aggregate(r) {
                let at: Vec<&Row> = r.iter().filter(|row| row.values == a.values).collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {:.1} ± {:.1} |\n",
                    a.values.join(" | "),
                    a.n,
                    pm(a.val_acc),
                    paper::seeds_summary(&at),
                    pm(a.final_test_acc),
                    a.rate_hz.0,
                    a.rate_hz.1
                ));
            }
            out.push('\n');
        }
        out.push_str(&runs_footer(rows.iter().flatten()));
        out
    }
}

/// How many runs a study's files hold, how many diverged (counted apart, never folded into a
/// mean's n), and their training time: each run's own wall time added up, the study's cost
/// across every sitting it took (at two jobs its wall time is about half of it).
fn runs_footer<'a>(rows: impl Iterator<Item = &'a Row>) -> String {
    let (mut n, mut diverged, mut seconds) = (0usize, 0usize, 0f64);
    for r in rows {
        n += 1;
        diverged += usize::from(r.status != "ok");
        seconds += r.seconds.max(0.0);
    }
    let minutes = (seconds / 60.0).round() as u64;
    format!(
        "{n} runs, {diverged} of them diverged; their own training times add up to {} h {:02} min.\n",
        minutes / 60,
        minutes % 60
    )
}

/// Mean ± sample sd, or "—" where there is none (v1 files have no validation accuracy).
fn pm((m, s): (f64, f64)) -> String {
    if m.is_finite() {
        format!("{m:.3} ± {s:.3}")
    } else {
        "—".to_string()
    }
}

/// Points (x from value `x_col` parsed as a number, y ± sd) of the aggregates `keep` selects.
fn curve(
    agg: &[Aggregate],
    keep: impl Fn(&Aggregate) -> bool,
    x_col: usize,
    y: impl Fn(&Aggregate) -> (f64, f64),
) -> Vec<(f64, f64, f64)> {
    let mut pts: Vec<(f64, f64, f64)> = agg
        .iter()
        .filter(|a| keep(a))
        .filter_map(|a| {
            let x: f64 = a.values.get(x_col)?.parse().ok()?;
            let (m, s) = y(a);
            Some((x, m, s))
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// Every seed's run that `keep` selects, as (x from value `x_col`, test accuracy) markers
/// beside the curve's mean, so the spread behind each mean ± sd is seen.
fn seeds(rows: &[Row], keep: impl Fn(&Row) -> bool, x_col: usize, color: usize) -> Series {
    Series {
        name: String::new(),
        points: rows
            .iter()
            .filter(|r| keep(r))
            .filter_map(|r| Some((r.values.get(x_col)?.parse().ok()?, r.test_acc as f64, 0.0)))
            .collect(),
        style: Style::Seeds,
        color,
    }
}

/// The legend's line for the [`seeds`] markers.
fn seeds_legend() -> Series {
    Series {
        name: "each seed's run, beside its mean".into(),
        points: Vec::new(),
        style: Style::Seeds,
        color: 6,
    }
}

fn chance() -> Series {
    Series {
        name: "chance (10 classes)".into(),
        points: vec![(1.0, 0.1, 0.0)],
        style: Style::Reference,
        color: 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footer_counts_runs_divergences_and_their_summed_time() {
        let row = |status: &str, seconds: f64| Row {
            point: 0,
            values: vec![],
            seed: 0,
            val_acc: 0.5,
            chosen_epoch: 1,
            test_acc: 0.5,
            final_test_acc: 0.5,
            final_test_loss: 1.0,
            final_train_acc: 0.5,
            rate_hz: 1.0,
            epochs: 1,
            seconds,
            status: status.into(),
        };
        let rows = [
            row("ok", 3000.0),
            row("non_finite_gradient@3", 1000.0),
            row("ok", 620.0),
        ];
        // 4,620 s = 77 min.
        assert_eq!(
            runs_footer(rows.iter()),
            "3 runs, 1 of them diverged; their own training times add up to 1 h 17 min.\n"
        );
    }
}
