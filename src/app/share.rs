//! Sharing what is on screen: Copy experiment puts the draft's TOML on the clipboard; Paste
//! experiment opens a box the clipboard is pasted into, and loads it only if it is a valid
//! experiment (checked like a file), so a bad paste changes nothing.

use eframe::egui;

use super::Action;
use crate::config::Config;

/// The Paste experiment box, while it is open.
#[derive(Default)]
pub struct PasteBox {
    pub text: String,
    /// Why the last Load was refused.
    pub error: Option<String>,
    /// Whether the clipboard was asked for. It is asked only once the text field holds the
    /// focus in a frame where it takes input: the platform answers with a paste event in the
    /// next frame, and a new window's first frame only measures it, so an answer to a request
    /// sent on opening would arrive before the field could take it, and be lost.
    clipboard_asked: bool,
    /// Where the window was last frame: it fits what was pasted over a few frames, which
    /// are drawn at once rather than at the next mouse move.
    last_rect: Option<egui::Rect>,
}

/// Parses pasted text as an experiment file would be; the error is one line.
pub fn parse(text: &str) -> Result<Config, String> {
    let trimmed = text.trim_start();
    // JSON when it looks like it, as a `.json` file would be read.
    let json = trimmed.starts_with('{');
    Config::from_str_format(text, json).map_err(|e| format!("pasted experiment refused: {e}"))
}

/// Draws the box; returns what the user chose.
pub fn show(ctx: &egui::Context, paste: &mut PasteBox) -> Vec<Action> {
    let mut actions = Vec::new();
    // An experiment is ~80 lines: unbounded, the field would push Load and Cancel off the
    // screen, out of reach of the pointer. The window fits its content each frame (a
    // resizable one keeps the size it had when the field was empty and clips the buttons).
    let field_height = (ctx.content_rect().height() * 0.45).max(120.0);
    let shown = egui::Window::new("Paste experiment")
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label("Paste an experiment (TOML or JSON, as Copy experiment writes it) here:");
            let edit = egui::ScrollArea::vertical()
                .max_height(field_height)
                .show(ui, |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut paste.text)
                            .id_salt("paste experiment")
                            .desired_rows(10)
                            .desired_width(420.0)
                            .code_editor()
                            .hint_text("Ctrl+V"),
                    )
                })
                .inner;
            if paste.text.is_empty() && !edit.has_focus() {
                edit.request_focus();
            }
            if !paste.clipboard_asked && edit.has_focus() && !ui.is_sizing_pass() {
                paste.clipboard_asked = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste);
            }
            if let Some(e) = &paste.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            ui.horizontal(|ui| {
                if ui.button("Load").clicked() {
                    actions.push(Action::LoadPasted);
                }
                if ui.button("Cancel").clicked() {
                    actions.push(Action::ClosePaste);
                }
            });
        });
    let rect = shown.map(|s| s.response.rect);
    if rect != paste.last_rect {
        paste.last_rect = rect;
        ctx.request_repaint();
    }
    actions
}

/// What a shared link carries in its fragment: a built-in lesson's name, an experiment, or
/// both (the lesson, opened with the teacher's settings).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub lesson: Option<String>,
    pub experiment: Option<Config>,
}

/// The fragment (without `#`) of a link to `config`, inside the built-in lesson `lesson` when
/// given: `lesson=NAME&exp=…`, the experiment's TOML deflated and in URL-safe base64, so a
/// whole experiment fits a short link that chat programs do not break.
pub fn link_fragment(config: &Config, lesson: Option<&str>) -> String {
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = z.write_all(config.to_toml().as_bytes());
    let deflated = z.finish().unwrap_or_default();
    let exp = format!("exp={}", base64url::encode(&deflated));
    match lesson {
        Some(name) => format!("lesson={name}&{exp}"),
        None => exp,
    }
}

/// Reads a link's fragment (with or without `#`); empty means none. An unknown lesson or a
/// bad experiment is one line saying so; the page then opens as if there were no link.
pub fn parse_link(fragment: &str) -> Result<Link, String> {
    use std::io::Read;
    let mut link = Link::default();
    for part in fragment.trim_start_matches('#').split('&') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key {
            "" => {}
            "lesson" => {
                if crate::config::Lesson::built_in(value).is_none() {
                    let names: Vec<&str> = crate::config::lesson::BUILT_IN
                        .iter()
                        .map(|(n, _)| *n)
                        .collect();
                    return Err(format!(
                        "link: no built-in lesson {value:?} (there are {})",
                        names.join(", ")
                    ));
                }
                link.lesson = Some(value.to_string());
            }
            "exp" => {
                let bytes = base64url::decode(value)
                    .ok_or("link: the experiment is not valid base64 (cut short?)")?;
                let mut text = String::new();
                flate2::read::DeflateDecoder::new(&bytes[..])
                    .take(1 << 20)
                    .read_to_string(&mut text)
                    .map_err(|_| "link: the experiment does not unpack (cut short?)")?;
                let config = Config::from_str_format(&text, false)
                    .map_err(|e| format!("link: experiment refused: {e}"))?;
                link.experiment = Some(config);
            }
            other => return Err(format!("link: unknown part {other:?} (lesson=, exp=)")),
        }
    }
    Ok(link)
}

/// The name of the built-in lesson titled `title`, if one is.
pub fn built_in_name(title: &str) -> Option<&'static str> {
    crate::config::lesson::BUILT_IN
        .iter()
        .find_map(|(name, _)| {
            matches!(crate::config::Lesson::built_in(name), Some(Ok(l)) if l.title == title)
                .then_some(*name)
        })
}

/// URL-safe base64 without padding (RFC 4648 §5), for links.
mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            acc = acc << 6 | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ 0xA5).collect();
            let text = base64url::encode(&bytes);
            assert!(!text.contains(['+', '/', '=']), "{text}");
            assert_eq!(base64url::decode(&text).as_deref(), Some(&bytes[..]));
        }
    }

    #[test]
    fn a_link_carries_the_lesson_and_the_experiment() {
        let mut config = Config::default();
        config.surrogate.beta = 42.0;
        let fragment = link_fragment(&config, Some("beta"));
        assert!(fragment.starts_with("lesson=beta&exp="), "{fragment}");
        let link = parse_link(&format!("#{fragment}")).expect("a valid link");
        assert_eq!(link.lesson.as_deref(), Some("beta"));
        assert_eq!(link.experiment.map(|c| c.surrogate.beta), Some(42.0));
        assert_eq!(parse_link(""), Ok(Link::default()));
    }

    #[test]
    fn a_bad_link_is_one_line() {
        for bad in ["lesson=nope", "exp=%%%", "exp=AAAA", "color=red"] {
            let e = parse_link(bad).expect_err(bad);
            assert!(e.starts_with("link: ") && !e.contains('\n'), "{e}");
        }
    }
}
