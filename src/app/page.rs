//! What the window tells the page it runs in (wasm32): the run's line in the tab's title, the
//! page's milestones for the browser test, and the page's address for shared links.

use super::ExplorerApp;

/// The page's address without its fragment: what a shared link starts with.
pub fn base_url() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_string(),
        None => href,
    }
}

/// Once a frame: the run's line in the tab's title, and the page's milestones (network built,
/// first batch trained) in `window.surrogateLabTimes`, in ms since navigation, once each.
pub fn report(app: &ExplorerApp) {
    set_title(&app.status_line());
    let live = app.live();
    if live.state.is_some() && !live.building {
        mark("ready");
    }
    if live.last_batch.is_some() {
        mark("firstBatch");
    }
}

/// Sets `window.surrogateLabTimes[name]` to now unless it is set.
fn mark(name: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = wasm_bindgen::JsValue::from_str("surrogateLabTimes");
    let times = match js_sys::Reflect::get(&window, &key) {
        Ok(t) if t.is_object() => t,
        _ => {
            let t: wasm_bindgen::JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&window, &key, &t);
            t
        }
    };
    let name = wasm_bindgen::JsValue::from_str(name);
    if js_sys::Reflect::has(&times, &name).is_ok_and(|has| !has) {
        let _ = js_sys::Reflect::set(&times, &name, &now_ms().into());
    }
}

/// Puts `text` in the tab's title (only when it changed: the browser redraws its tab strip).
fn set_title(text: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document())
        && document.title() != text
    {
        document.set_title(text);
    }
}

/// Milliseconds since the page started loading (the browser's clock).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
