//! The page (wasm32): starts the window in the page's canvas, with the experiment or lesson a
//! shared link carries in its fragment, and reports the run's progress in the tab's title (which
//! a reader sees at a glance, and the browser test reads back).

use wasm_bindgen::JsCast;

use crate::app::dialogs::WebDialogs;
use crate::app::share::{Link, parse_link};
use crate::app::{ExplorerApp, Message};
use crate::config::{Config, Lesson};

/// The canvas `index.html` holds for the window.
const CANVAS_ID: &str = "surrogate_lab_canvas";

pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let canvas = match document
        .get_element_by_id(CANVAS_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    {
        Some(c) => c,
        None => {
            web_sys::console::error_1(
                &format!("no <canvas id=\"{CANVAS_ID}\"> in the page").into(),
            );
            return;
        }
    };
    crate::app::sweep_view::committed::install();
    let (link, link_error) = match parse_link(&fragment()) {
        Ok(link) => (link, None),
        Err(why) => (Link::default(), Some(why)),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let runner = eframe::WebRunner::new();
        let started = runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(move |cc| Ok(Box::new(open(&cc.egui_ctx, link, link_error)))),
            )
            .await;
        if let Err(e) = started {
            let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
            show_failure(&format!("The lab cannot start in this browser: {why}"));
        }
        // The runner must live as long as the page.
        std::mem::forget(runner);
    });
}

/// The window for `link`: its lesson (with the link's experiment if it has one), or its
/// experiment, or the default.
fn open(ctx: &eframe::egui::Context, link: Link, link_error: Option<String>) -> ExplorerApp {
    let lesson = link.lesson.as_deref().and_then(Lesson::built_in);
    let (config, lesson, error) = match lesson {
        Some(Ok(mut lesson)) => {
            if let Some(experiment) = link.experiment {
                lesson.experiment = experiment;
            }
            (lesson.experiment.clone(), Some(lesson), link_error)
        }
        Some(Err(e)) => (Config::default(), None, Some(e.to_string())),
        None => (link.experiment.unwrap_or_default(), None, link_error),
    };
    let mut app = ExplorerApp::new(ctx, config, Box::new(WebDialogs::default()));
    if let Some(lesson) = lesson {
        app = app.with_lesson(lesson);
    }
    if let Some(text) = error {
        app = app.with_message(Message {
            text,
            is_error: true,
        });
    }
    app
}

/// The URL's fragment, `#` included (empty when there is none).
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the loading line with `text` (the window could not be shown).
fn show_failure(text: &str) {
    web_sys::console::error_1(&text.into());
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("status"))
    {
        el.set_text_content(Some(text));
    }
}
