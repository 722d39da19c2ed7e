//! Lessons: an experiment, a title, steps of text, which controls a student sees, and what
//! each step points at — one small TOML file a teacher writes and hands out.
//!
//! ```toml
//! title = "The scale β"
//! hide = ["network", "data"]          # or show = [...]; never both
//! [experiment]                        # the keys of an experiment file
//! surrogate.beta = 10
//! [[step]]
//! text = "Press ▶ Start and watch the gradient norm."
//! point_at = "gradients"              # optional
//! ```
//!
//! Every refusal is one line naming the file and the key (`beta.toml: step[2].point_at: …`).

use std::path::Path;

use super::keys::value_leaves;
use super::{Config, ConfigError, known_keys};

/// Names read from a lesson file, parsed once there: a typo is refused with the list of
/// names, never carried to the window as a string.
macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The name a lesson file uses.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }

            /// Every name, for a refusal's list.
            pub fn keys() -> String {
                Self::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

named! {
    /// The left panel's sections a lesson can show or hide.
    Control {
        Surrogate = "surrogate",
        Regularizer = "regularizer",
        Optimizer = "optimizer",
        Network = "network",
        Data = "data",
        Backend = "backend",
        Runs = "runs",
    }
}

named! {
    /// The live plots, in reading order.
    Plot {
        Loss = "loss",
        Accuracy = "accuracy",
        Gradients = "gradients",
        Rates = "rates",
        RateHistogram = "rate_histogram",
        Membrane = "membrane",
        Raster = "raster",
        Readout = "readout",
    }
}

/// What a step can point at: a control section or a plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Control(Control),
    Plot(Plot),
}

impl Target {
    pub fn key(self) -> &'static str {
        match self {
            Target::Control(c) => c.key(),
            Target::Plot(p) => p.key(),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Control::from_key(key)
            .map(Target::Control)
            .or_else(|| Plot::from_key(key).map(Target::Plot))
    }

    /// Every name, for a refusal's list.
    pub fn keys() -> String {
        format!("{}, {}", Control::keys(), Plot::keys())
    }
}

const TOP_KEYS: [&str; 5] = ["title", "experiment", "show", "hide", "step"];
const STEP_KEYS: [&str; 2] = ["text", "point_at"];

/// The lessons shipped in `assets/lessons/`, by name (the file's stem).
pub const BUILT_IN: [(&str, &str); 4] = [
    ("beta", include_str!("../../../../assets/lessons/beta.toml")),
    (
        "shape",
        include_str!("../../../../assets/lessons/shape.toml"),
    ),
    (
        "asymptotic",
        include_str!("../../../../assets/lessons/asymptotic.toml"),
    ),
    (
        "sparse",
        include_str!("../../../../assets/lessons/sparse.toml"),
    ),
];

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub title: String,
    pub experiment: Config,
    /// Control sections hidden while the lesson is open.
    pub hidden: Vec<Control>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: String,
    pub point_at: Option<Target>,
}

/// A refused lesson: `{origin}: {key}: {why}`, the key empty for a file that does not parse.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{origin}: {}{why}", if key.is_empty() { String::new() } else { format!("{key}: ") })]
pub struct LessonError {
    /// The file, or `built-in NAME`.
    pub origin: String,
    pub key: String,
    pub why: String,
}

impl Lesson {
    /// Reads a lesson file; errors name the file.
    pub fn load(path: &Path) -> Result<Lesson, LessonError> {
        let source = path.display().to_string();
        let text = crate::vfs::read_to_string(path).map_err(|e| LessonError {
            origin: source.clone(),
            key: String::new(),
            why: format!("cannot read: {e}"),
        })?;
        Lesson::parse(&text, &source)
    }

    /// A built-in lesson by name (see [`BUILT_IN`]).
    pub fn built_in(name: &str) -> Option<Result<Lesson, LessonError>> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Lesson::parse(text, &format!("built-in lesson {n}")))
    }

    /// A file when `spec` names one that exists or ends in `.toml`, else a built-in name.
    pub fn find(spec: &str) -> Result<Lesson, LessonError> {
        let path = Path::new(spec);
        if path.exists() || spec.ends_with(".toml") {
            return Lesson::load(path);
        }
        Lesson::built_in(spec).unwrap_or_else(|| {
            Err(LessonError {
                origin: spec.into(),
                key: String::new(),
                why: format!(
                    "no such file, and no built-in lesson of that name (built-in: {})",
                    BUILT_IN.map(|(n, _)| n).join(", ")
                ),
            })
        })
    }

    /// Parses a lesson's text; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Lesson, LessonError> {
        let fail = |key: &str, why: String| LessonError {
            origin: source.into(),
            key: key.into(),
            why,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| fail("", format!("invalid TOML: {}", one_line(&e))))?;
        if let Some(k) = table.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            return Err(fail(
                k,
                format!("unknown key; known keys: {}", TOP_KEYS.join(", ")),
            ));
        }
        let title = match table.remove("title") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(_) => return Err(fail("title", "expected a non-empty string".into())),
            None => return Err(fail("title", "missing; every lesson has a title".into())),
        };
        let experiment = match table.remove("experiment") {
            Some(toml::Value::Table(t)) => {
                experiment(t).map_err(|e| fail(&format!("experiment.{}", e.key()), e.problem()))?
            }
            Some(_) => {
                return Err(fail(
                    "experiment",
                    "expected a table of experiment keys".into(),
                ));
            }
            None => Config::default(),
        };
        let names = |key: &str, v: toml::Value| -> Result<Vec<Control>, LessonError> {
            let list = v
                .as_array()
                .ok_or_else(|| fail(key, "expected a list of control names".into()))?;
            list.iter()
                .map(|n| {
                    n.as_str().and_then(Control::from_key).ok_or_else(|| {
                        fail(
                            key,
                            format!("{n} is not a control; controls: {}", Control::keys()),
                        )
                    })
                })
                .collect()
        };
        let hidden = match (table.remove("show"), table.remove("hide")) {
            (Some(_), Some(_)) => {
                return Err(fail("show", "give show or hide, not both".into()));
            }
            (Some(show), None) => {
                let shown = names("show", show)?;
                Control::ALL
                    .iter()
                    .copied()
                    .filter(|c| !shown.contains(c))
                    .collect()
            }
            (None, Some(hide)) => names("hide", hide)?,
            (None, None) => Vec::new(),
        };
        let steps = match table.remove("step") {
            Some(toml::Value::Array(steps)) if !steps.is_empty() => steps
                .into_iter()
                .enumerate()
                .map(|(i, s)| step(s, i + 1).map_err(|(k, why)| fail(&k, why)))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(fail("step", "expected one or more [[step]] tables".into())),
            None => {
                return Err(fail(
                    "step",
                    "missing; a lesson has at least one [[step]]".into(),
                ));
            }
        };
        Ok(Lesson {
            title,
            experiment,
            hidden,
            steps,
        })
    }

    pub fn hides(&self, control: Control) -> bool {
        self.hidden.contains(&control)
    }
}

fn step(value: toml::Value, n: usize) -> Result<Step, (String, String)> {
    let key = |k: &str| format!("step[{n}].{k}");
    let toml::Value::Table(mut t) = value else {
        return Err((format!("step[{n}]"), "expected a table".into()));
    };
    if let Some(k) = t.keys().find(|k| !STEP_KEYS.contains(&k.as_str())) {
        return Err((
            key(k),
            format!("unknown key; known keys: {}", STEP_KEYS.join(", ")),
        ));
    }
    let text = match t.remove("text") {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err((key("text"), "expected a non-empty string".into())),
    };
    let point_at = match t.remove("point_at") {
        None => None,
        Some(other) => match other.as_str().and_then(Target::from_key) {
            Some(target) => Some(target),
            None => {
                return Err((
                    key("point_at"),
                    format!("{other} is not a target; targets: {}", Target::keys()),
                ));
            }
        },
    };
    Ok(Step { text, point_at })
}

/// The experiment table on top of the defaults, refused with the key at fault: an unknown key,
/// then a value of the wrong type, then one out of range.
fn experiment(table: toml::Table) -> Result<Config, ConfigError> {
    let value = toml::Value::Table(table);
    let given = value_leaves(value.clone());
    let known = known_keys(&Config::default());
    if let Some((key, _)) = given.iter().find(|(k, _)| !known.contains(k)) {
        return Err(ConfigError::UnknownKey {
            key: key.clone(),
            known: known.join(", "),
        });
    }
    match value.try_into::<Config>() {
        Ok(config) => {
            config.validate()?;
            Ok(config)
        }
        Err(whole) => {
            // Find the leaf the whole table failed on by setting each alone on the defaults.
            for (key, v) in &given {
                Config::default().set(&format!("{key}={v}"))?;
            }
            Err(ConfigError::Toml(one_line(&whole)))
        }
    }
}

fn one_line(e: &toml::de::Error) -> String {
    super::file::one_line(e.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "β"
hide = ["network", "data"]
[experiment]
surrogate.beta = 1000
model.hidden = [32]
[[step]]
text = "one"
point_at = "gradients"
[[step]]
text = "two"
"#;

    #[test]
    fn a_lesson_carries_its_experiment_steps_and_hidden_controls() {
        let l = Lesson::parse(GOOD, "x.toml").expect("valid");
        assert_eq!(l.title, "β");
        assert_eq!(l.experiment.surrogate.beta, 1000.0);
        assert_eq!(l.experiment.model.hidden, vec![32]);
        assert_eq!(l.experiment.optim.lr, Config::default().optim.lr);
        assert_eq!(l.hidden, vec![Control::Network, Control::Data]);
        assert_eq!(l.steps.len(), 2);
        assert_eq!(l.steps[0].point_at, Some(Target::Plot(Plot::Gradients)));
    }

    #[test]
    fn show_hides_every_other_control() {
        let text = GOOD.replace("hide = [\"network\", \"data\"]", "show = [\"surrogate\"]");
        let l = Lesson::parse(&text, "x.toml").expect("valid");
        assert_eq!(l.hidden.len(), Control::ALL.len() - 1);
        assert!(!l.hides(Control::Surrogate) && l.hides(Control::Network));
    }

    fn refusal(text: &str) -> String {
        let e = Lesson::parse(text, "x.toml").expect_err("refused");
        let line = e.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("x.toml: "), "{line}");
        line
    }

    #[test]
    fn every_refusal_is_one_line_naming_the_file_and_key() {
        let cases = [
            (
                GOOD.replace("beta = 1000", "beta = -1"),
                "experiment.surrogate.beta",
            ),
            (
                GOOD.replace("beta = 1000", "bta = 3"),
                "experiment.surrogate.bta: unknown key",
            ),
            (
                GOOD.replace("beta = 1000", "beta = \"big\""),
                "experiment.surrogate.beta",
            ),
            (
                GOOD.replace("\"gradients\"", "\"nowhere\""),
                "step[1].point_at",
            ),
            (
                GOOD.replace("\"data\"]", "\"knobs\"]"),
                "hide: \"knobs\" is not a control",
            ),
            (GOOD.replace("title = \"β\"", ""), "title: missing"),
            (
                GOOD.replace("text = \"two\"", "txt = \"two\""),
                "step[2].txt: unknown key",
            ),
            (format!("{GOOD}\ncolour = 1"), "colour: unknown key"),
            ("title = \"t\"\n[experiment]".into(), "step: missing"),
            ("title = ".into(), "invalid TOML"),
        ];
        for (text, expected) in cases {
            let line = refusal(&text);
            assert!(line.contains(expected), "{expected:?} not in {line:?}");
        }
    }

    #[test]
    fn every_built_in_lesson_parses_and_names_a_distinct_experiment() {
        let lessons: Vec<Lesson> = BUILT_IN
            .iter()
            .map(|(n, _)| Lesson::built_in(n).expect("listed").expect("valid"))
            .collect();
        assert!(lessons.len() >= 4);
        for (i, a) in lessons.iter().enumerate() {
            for b in &lessons[i + 1..] {
                assert_ne!(a.title, b.title);
            }
        }
    }

    #[test]
    fn find_takes_a_built_in_name_or_refuses_with_the_list() {
        assert!(Lesson::find("beta").is_ok());
        let e = Lesson::find("nosuch").expect_err("refused").to_string();
        assert!(e.contains("beta, shape, asymptotic, sparse"), "{e}");
    }
}
