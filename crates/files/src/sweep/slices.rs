//! Slices of a sweep's results for the window's Sweep view: β × learning-rate heatmaps per
//! surrogate shape, accuracy against β, and accuracy against firing rate. Pure functions of
//! the grid's axes and the rows finished so far, so a view can redraw them every frame while
//! rows keep arriving.

use super::{Aggregate, GridAxis, Row, aggregate, first_best, mean_std};

pub const BETA: &str = "surrogate.beta";
pub const LR: &str = "optim.lr";
pub const SHAPE: &str = "surrogate.shape";

/// One heatmap: best test accuracy (mean over seeds and other keys) per β (columns) and
/// learning rate (rows); `None` until a row of that cell has finished.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub betas: Vec<String>,
    pub lrs: Vec<String>,
    /// `cells[lr][beta]`.
    pub cells: Vec<Vec<Option<f64>>>,
}

impl Heatmap {
    pub fn filled(&self) -> usize {
        self.cells.iter().flatten().filter(|c| c.is_some()).count()
    }

    pub fn size(&self) -> usize {
        self.betas.len() * self.lrs.len()
    }
}

fn column(axes: &[GridAxis], key: &str) -> Option<usize> {
    axes.iter().position(|a| a.key == key)
}

/// Each value of the shape axis, or a single `None` (every row) when the shape is not swept.
fn shapes(axes: &[GridAxis]) -> Vec<Option<&String>> {
    match column(axes, SHAPE) {
        Some(si) => axes[si].values.iter().map(Some).collect(),
        None => vec![None],
    }
}

/// Whether `values` (a row's or an aggregate's) belong to `shape`.
fn of_shape(values: &[String], si: Option<usize>, shape: Option<&String>) -> bool {
    match (si, shape) {
        (Some(si), Some(sh)) => values[si] == *sh,
        _ => true,
    }
}

/// β × learning-rate heatmaps, one per surrogate shape (or a single one when the shape is not
/// swept). Empty when β or the learning rate is not swept.
pub fn heatmaps(axes: &[GridAxis], rows: &[Row]) -> Vec<Heatmap> {
    let (Some(bi), Some(li)) = (column(axes, BETA), column(axes, LR)) else {
        return Vec::new();
    };
    let si = column(axes, SHAPE);
    let (betas, lrs) = (&axes[bi].values, &axes[li].values);
    shapes(axes)
        .into_iter()
        .map(|shape| {
            let cells = lrs
                .iter()
                .map(|lr| {
                    betas
                        .iter()
                        .map(|b| {
                            let accs = rows.iter().filter(|r| {
                                r.values[bi] == *b
                                    && r.values[li] == *lr
                                    && of_shape(&r.values, si, shape)
                            });
                            let (m, _) = mean_std(accs.map(|r| r.test_acc as f64));
                            m.is_finite().then_some(m)
                        })
                        .collect()
                })
                .collect();
            Heatmap {
                title: shape.cloned().unwrap_or_else(|| "all rows".into()),
                betas: betas.clone(),
                lrs: lrs.clone(),
                cells,
            }
        })
        .collect()
}

/// Test accuracy against log10 β, one curve per shape: for each β the point of the other
/// keys with the best mean validation accuracy over seeds (`Aggregate::score`), its mean test
/// accuracy. β values that are not positive numbers are left out.
pub fn beta_curves(axes: &[GridAxis], rows: &[Row]) -> Vec<(String, Vec<[f64; 2]>)> {
    let Some(bi) = column(axes, BETA) else {
        return Vec::new();
    };
    let si = column(axes, SHAPE);
    let agg = aggregate(rows);
    shapes(axes)
        .into_iter()
        .map(|shape| {
            let mut pts: Vec<[f64; 2]> = Vec::new();
            for b in &axes[bi].values {
                let Ok(beta) = b.parse::<f64>() else { continue };
                if beta <= 0.0 {
                    continue;
                }
                let chosen = first_best(
                    agg.iter()
                        .filter(|a| a.values[bi] == *b && of_shape(&a.values, si, shape)),
                    Aggregate::score,
                    |a| a.test_acc.0.is_finite(),
                );
                if let Some(a) = chosen {
                    pts.push([beta.log10(), a.test_acc.0]);
                }
            }
            (shape.cloned().unwrap_or_else(|| "all".into()), pts)
        })
        .collect()
}

/// (mean hidden rate in Hz, final test accuracy), one point per finished run.
pub fn rate_points(rows: &[Row]) -> Vec<[f64; 2]> {
    rows.iter()
        .filter(|r| r.rate_hz.is_finite() && r.final_test_acc.is_finite())
        .map(|r| [r.rate_hz as f64, r.final_test_acc as f64])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(key: &str, values: &[&str]) -> GridAxis {
        GridAxis {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn row(point: usize, seed: u64, values: &[&str], best: f32, rate: f32) -> Row {
        Row {
            point,
            values: values.iter().map(|v| v.to_string()).collect(),
            seed,
            val_acc: best,
            chosen_epoch: 1,
            test_acc: best,
            final_test_acc: best - 0.1,
            final_test_loss: 1.0,
            final_train_acc: best,
            rate_hz: rate,
            epochs: 1,
            seconds: 0.0,
            status: "ok".into(),
        }
    }

    fn grid() -> Vec<GridAxis> {
        vec![
            axis(SHAPE, &["sigmoid", "esser"]),
            axis(BETA, &["1", "10"]),
            axis(LR, &["0.01"]),
        ]
    }

    #[test]
    fn heatmap_cells_average_seeds_and_stay_empty_until_a_row_finishes() {
        let rows = vec![
            row(0, 0, &["sigmoid", "1", "0.01"], 0.5, 10.0),
            row(0, 1, &["sigmoid", "1", "0.01"], 0.7, 12.0),
            row(3, 0, &["esser", "10", "0.01"], 0.9, 8.0),
        ];
        let maps = heatmaps(&grid(), &rows);
        assert_eq!(maps.len(), 2, "one per shape");
        assert_eq!(maps[0].title, "sigmoid");
        assert_eq!(maps[0].size(), 2);
        let sigmoid_beta1 = maps[0].cells[0][0].expect("two seeds finished");
        assert!((sigmoid_beta1 - 0.6).abs() < 1e-6, "{sigmoid_beta1}");
        assert_eq!(maps[0].cells[0][1], None);
        assert_eq!(maps[1].cells[0][0], None);
        assert!((maps[1].cells[0][1].expect("one row") - 0.9).abs() < 1e-6);
        assert_eq!(maps.iter().map(Heatmap::filled).sum::<usize>(), 2);
    }

    #[test]
    fn no_heatmap_unless_beta_and_learning_rate_are_swept() {
        let axes = vec![axis(BETA, &["1", "10"])];
        let rows = vec![row(0, 0, &["1"], 0.5, 1.0)];
        assert!(heatmaps(&axes, &rows).is_empty());
        let unshaped = vec![axis(BETA, &["1"]), axis(LR, &["0.1"])];
        let maps = heatmaps(&unshaped, &[row(0, 0, &["1", "0.1"], 0.4, 1.0)]);
        assert_eq!(maps.len(), 1);
        assert_eq!(maps[0].title, "all rows");
        assert_eq!(maps[0].filled(), 1);
    }

    #[test]
    fn beta_curve_takes_the_best_mean_over_the_other_keys() {
        let axes = vec![
            axis(BETA, &["1", "100", "0", "fast"]),
            axis(LR, &["0.01", "0.1"]),
        ];
        let rows = vec![
            row(0, 0, &["1", "0.01"], 0.2, 1.0),
            row(0, 1, &["1", "0.01"], 0.4, 1.0),
            row(1, 0, &["1", "0.1"], 0.5, 1.0),
            row(2, 0, &["100", "0.01"], 0.8, 1.0),
        ];
        let curves = beta_curves(&axes, &rows);
        assert_eq!(curves.len(), 1);
        let (name, pts) = &curves[0];
        assert_eq!(name, "all");
        // β = 1: best of mean(0.2, 0.4) = 0.3 and 0.5; β = 100 at log10 = 2; 0 and "fast" left out.
        assert_eq!(pts.len(), 2, "{pts:?}");
        assert_eq!(pts[0][0], 0.0);
        assert!((pts[0][1] - 0.5).abs() < 1e-6);
        assert_eq!(pts[1][0], 2.0);
        assert!((pts[1][1] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn rate_points_leave_out_runs_without_numbers() {
        let rows = vec![
            row(0, 0, &["1"], 0.5, 10.0),
            row(1, 0, &["2"], f32::NAN, 11.0),
            row(2, 0, &["3"], 0.7, f32::NAN),
        ];
        let pts = rate_points(&rows);
        assert_eq!(pts.len(), 1);
        assert_eq!(pts[0][0], 10.0);
        assert!((pts[0][1] - 0.4).abs() < 1e-6);
    }
}
