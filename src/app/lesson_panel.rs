//! The open lesson: its title and steps on the right, which controls it hides, and what the
//! step on screen points at.

use eframe::egui;

use super::Action;
use crate::config::Lesson;
use crate::config::lesson::{Control, Target};

/// A lesson and the step the student is on.
#[derive(Clone, Debug)]
pub struct OpenLesson {
    pub lesson: Lesson,
    pub step: usize,
}

impl OpenLesson {
    pub fn new(lesson: Lesson) -> Self {
        Self { lesson, step: 0 }
    }

    /// What the step on screen points at (a control section or a plot), if anything.
    pub fn pointed(&self) -> Option<Target> {
        self.lesson.steps.get(self.step).and_then(|s| s.point_at)
    }
}

/// Whether `control` is hidden by the lesson open, if any.
pub fn hides(lesson: Option<&OpenLesson>, control: Control) -> bool {
    lesson.is_some_and(|l| l.lesson.hides(control))
}

/// Whether the lesson's current step points at `target`.
pub fn points_at(lesson: Option<&OpenLesson>, target: Target) -> bool {
    lesson.and_then(OpenLesson::pointed) == Some(target)
}

/// The colour of the frame around what a step points at.
pub const POINTER: egui::Color32 = egui::Color32::from_rgb(250, 200, 40);

/// Frames `rect` to show that the lesson points at it.
pub fn mark(ui: &egui::Ui, rect: egui::Rect) {
    ui.painter().rect_stroke(
        rect.expand(2.0),
        4.0,
        egui::Stroke::new(3.0, POINTER),
        egui::StrokeKind::Outside,
    );
}

pub fn show(ui: &mut egui::Ui, open: &OpenLesson) -> Vec<Action> {
    let mut actions = Vec::new();
    let steps = open.lesson.steps.len();
    ui.heading(super::glyph_safe(&open.lesson.title));
    ui.horizontal(|ui| {
        ui.label(format!("Step {} of {steps}", open.step + 1));
        if ui
            .add_enabled(open.step > 0, egui::Button::new("◀ Previous"))
            .clicked()
        {
            actions.push(Action::LessonStep(open.step - 1));
        }
        if ui
            .add_enabled(open.step + 1 < steps, egui::Button::new("Next ▶"))
            .clicked()
        {
            actions.push(Action::LessonStep(open.step + 1));
        }
    });
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        if let Some(step) = open.lesson.steps.get(open.step) {
            ui.label(super::glyph_safe(&step.text));
            if let Some(target) = step.point_at {
                ui.add_space(6.0);
                ui.label(
                    egui::RichText::new(format!("Look at: {}", target.key().replace('_', " ")))
                        .color(POINTER),
                );
            }
        }
        ui.add_space(12.0);
        if !open.lesson.hidden.is_empty() {
            ui.weak(format!(
                "Hidden in this lesson: {}",
                open.lesson
                    .hidden
                    .iter()
                    .map(|c| c.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if ui.button("✖ Close lesson").clicked() {
            actions.push(Action::CloseLesson);
        }
    });
    actions
}
