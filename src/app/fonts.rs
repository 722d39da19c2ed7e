//! The window's fonts, and text from the engine made drawable with them.

use eframe::egui;

/// Text from the engine, written for the paper's symbols, with the one the bundled fonts lack
/// (ϑ, the threshold) spelled out.
pub fn glyph_safe(text: &str) -> String {
    text.replace('ϑ', "U_th")
}

/// egui's fonts plus Hack as a fallback for proportional text, which has the arrows, norms and
/// subscripts that Ubuntu-Light lacks. Tests install the same fonts, so a glyph that would show
/// as a box in the window fails a test instead.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        let at = family.len().min(1);
        family.insert(at, "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}
