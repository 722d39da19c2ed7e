//! The shared time cursor: hovering a time in the raster, the traces, the readout or the
//! inspector marks it in all of them; a click pins it until the next click.

use eframe::egui;
use egui_plot::{PlotPoint, PlotResponse, PlotUi, VLine};

use crate::app::Action;

const COLOR: egui::Color32 = egui::Color32::from_rgb(250, 220, 90);

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeCursor {
    /// The time (ms) under the pointer in some time plot, as of the last frame.
    pub hover: Option<f64>,
    /// The time last clicked.
    pub pinned: Option<f64>,
    /// Collected during this frame; becomes `hover` at its end.
    next_hover: Option<f64>,
}

impl TimeCursor {
    /// The time every plot marks: the hovered one, else the pinned one.
    pub fn shown(&self) -> Option<f64> {
        self.hover.or(self.pinned)
    }

    pub fn hovered(&mut self, t: f64) {
        self.next_hover = Some(t);
    }

    /// Closes a frame; true when the marked time changed (the window then repaints once).
    pub fn end_frame(&mut self) -> bool {
        let before = self.hover;
        self.hover = self.next_hover.take();
        before != self.hover
    }
}

/// Draws the cursor's line in a plot whose x axis is time in ms.
pub fn draw(plot_ui: &mut PlotUi, t: Option<f64>) {
    if let Some(t) = t {
        plot_ui.vline(VLine::new("", t).color(COLOR).width(1.0));
    }
}

/// The plot point under the pointer, if it is over the plot.
pub fn pointer<R>(plot: &PlotResponse<R>) -> Option<PlotPoint> {
    let pos = plot.response.hover_pos()?;
    plot.transform
        .frame()
        .contains(pos)
        .then(|| plot.transform.value_from_position(pos))
}

/// The cursor actions of a time plot: hover moves it, a click pins it.
pub fn actions<R>(plot: &PlotResponse<R>) -> Vec<Action> {
    let Some(p) = pointer(plot) else {
        return Vec::new();
    };
    let mut out = vec![Action::HoverTime(p.x)];
    if plot.response.clicked() {
        out.push(Action::PinTime(Some(p.x)));
    }
    out
}
