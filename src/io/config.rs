//! The whole experiment as one plain, serde-backed configuration.
//!
//! Every field has a default (the paper's where it gives one), so a file names only what it
//! changes. Keys are addressed by their TOML path (`surrogate.beta`, `model.hidden`), both in
//! files and in `--set key=value` on the command line; unknown keys and out-of-range values are
//! refused with one line naming the key and what is allowed.

use serde::{Deserialize, Serialize};

use crate::snn::surrogate::SurrogateShape;

/// Bumped when a key changes meaning; files of a newer version are refused.
pub const CONFIG_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub version: u32,
    /// Seeds weight initialization and batch order (the data set has its own seed).
    pub seed: u64,
    /// `flex` (default CPU), `ndarray` or `wgpu`, among those compiled in.
    pub backend: String,
    pub data: DataConfig,
    pub model: ModelConfig,
    pub surrogate: SurrogateConfig,
    pub reg: RegConfig,
    pub optim: OptimConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            seed: 42,
            backend: "flex".into(),
            data: DataConfig::default(),
            model: ModelConfig::default(),
            surrogate: SurrogateConfig::default(),
            reg: RegConfig::default(),
            optim: OptimConfig::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Random manifolds, generated (`data.randman`).
    Randman,
    /// The 5,000 MNIST digits embedded in the binary, encoded by `data.encoding`.
    #[serde(rename = "mnist5k")]
    Mnist5k,
    /// A folder (`data.path`) of the four standard IDX files, gzip or not: MNIST or
    /// Fashion-MNIST, encoded by `data.encoding`.
    Idx,
    /// Spiking Heidelberg Digits (HDF5): `data.path` the training file, `data.test_path` the
    /// test file, binned by `data.shd`.
    Shd,
}

impl DataKind {
    pub const ALL: [DataKind; 4] = [
        DataKind::Randman,
        DataKind::Mnist5k,
        DataKind::Idx,
        DataKind::Shd,
    ];

    /// A name for menus.
    pub fn label(self) -> &'static str {
        match self {
            DataKind::Randman => "Randman (generated)",
            DataKind::Mnist5k => "MNIST (5k, bundled)",
            DataKind::Idx => "MNIST / Fashion-MNIST (IDX folder)",
            DataKind::Shd => "SHD (HDF5 files)",
        }
    }

    /// Whether the data set is read from `data.path` (and `data.test_path`).
    pub fn needs_path(self) -> bool {
        matches!(self, DataKind::Idx | DataKind::Shd)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    pub kind: DataKind,
    /// Time steps per sample, T.
    pub steps: usize,
    /// `idx`: the folder holding the four IDX files; `shd`: the training file.
    pub path: String,
    /// `shd`: the test file; empty means `path` with "train" in its file name read as "test".
    pub test_path: String,
    /// How images (`mnist5k`, `idx`) become spikes.
    pub encoding: EncodingConfig,
    pub shd: ShdConfig,
    pub randman: RandmanConfig,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            kind: DataKind::Randman,
            steps: 100,
            path: String::new(),
            test_path: String::new(),
            encoding: EncodingConfig::default(),
            shd: ShdConfig::default(),
            randman: RandmanConfig::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingKind {
    /// One spike per pixel x > θ, at step τ·ln(x/(x−θ)): bright pixels fire first.
    Latency,
    /// Independent spikes each step with probability `max_rate`·x.
    Poisson,
}

/// Image → spike raster. Pixels are scaled to x ∈ [0, 1].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncodingConfig {
    pub kind: EncodingKind,
    /// Latency: membrane time constant τ of the encoding, in time steps.
    pub tau: f64,
    /// Latency: threshold θ; pixels x ≤ θ never fire.
    pub theta: f64,
    /// Poisson: spike probability per time step of a pixel x = 1.
    pub max_rate: f64,
    /// Poisson: seed of the spike trains (same seed → same data).
    pub seed: u64,
}

impl Default for EncodingConfig {
    fn default() -> Self {
        Self {
            kind: EncodingKind::Latency,
            tau: 20.0,
            theta: 0.2,
            max_rate: 0.2,
            seed: 1,
        }
    }
}

/// Spiking Heidelberg Digits: spike times in seconds on `inputs` channels, binned into
/// `data.steps` bins over `duration_s` (t ≥ duration_s falls in the last bin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShdConfig {
    /// Input channels; a unit ≥ this is refused.
    pub inputs: usize,
    /// Trial length covered by the bins, seconds.
    pub duration_s: f64,
}

impl Default for ShdConfig {
    fn default() -> Self {
        Self {
            inputs: 700,
            duration_s: 1.4,
        }
    }
}

/// Random manifolds (Zenke & Vogels 2021, Sec. 4.1.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandmanConfig {
    pub classes: usize,
    pub units: usize,
    pub manifold_dim: usize,
    /// Smoothness α of the random Fourier series: coefficient k is scaled by 1/k^α.
    pub alpha: f64,
    pub spikes_per_unit: usize,
    pub samples_per_class: usize,
    /// Fractions of each class for training and validation; the rest is the test set.
    pub train_frac: f64,
    pub valid_frac: f64,
    /// Spikes fall in the first `step_frac` of the trial.
    pub step_frac: f64,
    pub seed: u64,
}

impl Default for RandmanConfig {
    fn default() -> Self {
        Self {
            classes: 10,
            units: 20,
            manifold_dim: 1,
            alpha: 1.0,
            spikes_per_unit: 1,
            samples_per_class: 1000,
            train_frac: 0.8,
            valid_frac: 0.1,
            step_frac: 0.5,
            seed: 1,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// U ← 0 after a spike (the paper's default).
    Zero,
    /// U ← U − ϑ after a spike.
    Subtract,
    /// No reset: the membrane integrates through spikes.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Cross-entropy of max_n U_out[n] (the paper's).
    MaxOverTime,
    /// Cross-entropy of the time-average of U_out (a sum over time, scaled by 1/T).
    SumOverTime,
    /// Cross-entropy of U_out at the last step.
    LastStep,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum InitKind {
    /// The paper's U(−√k, √k), k = 1/fan_in: leaves a (1−β)-scaled network nearly silent.
    Uniform,
    /// N(0, (gain/√fan_in)²), as SpyTorch.
    Normal { gain: f64 },
    /// σ_w chosen per layer so the free membrane's standard deviation is `target`·ϑ.
    Fluctuation { target: f64 },
}

impl InitKind {
    pub fn describe(&self) -> String {
        match self {
            InitKind::Uniform => "uniform U(−√k, √k), k = 1/fan_in (paper)".into(),
            InitKind::Normal { gain } => format!("normal N(0, ({gain}/√fan_in)²)"),
            InitKind::Fluctuation { target } => {
                format!("fluctuation-driven: membrane std = {target}·ϑ")
            }
        }
    }
}

/// Per-layer flag that also accepts one value for every layer (`model.recurrent = true`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PerLayer {
    All(bool),
    Each(Vec<bool>),
}

impl PerLayer {
    pub fn get(&self, layer: usize) -> bool {
        match self {
            PerLayer::All(v) => *v,
            PerLayer::Each(v) => v.get(layer).copied().unwrap_or(false),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// Width of each hidden layer (1–4 layers).
    pub hidden: Vec<usize>,
    pub recurrent: PerLayer,
    pub dt_ms: f64,
    pub tau_syn_ms: f64,
    pub tau_mem_ms: f64,
    pub tau_out_ms: f64,
    pub threshold: f64,
    pub reset: ResetMode,
    /// Reset term cut from the graph (default), or differentiated through.
    pub reset_detached: bool,
    /// Scale the synaptic input to the membrane by (1 − β_mem), as the paper does.
    pub input_factor: bool,
    pub loss: LossKind,
    pub init: InitKind,
    /// Run each layer's time loop as one fused op (CPU backends; wgpu always runs per step).
    pub fused: bool,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            hidden: vec![100],
            recurrent: PerLayer::All(false),
            dt_ms: 1.0,
            tau_syn_ms: 5.0,
            tau_mem_ms: 10.0,
            tau_out_ms: 20.0,
            threshold: 1.0,
            reset: ResetMode::Zero,
            reset_detached: true,
            input_factor: true,
            loss: LossKind::MaxOverTime,
            init: InitKind::Normal { gain: 5.0 },
            fused: true,
        }
    }
}

impl ModelConfig {
    pub fn is_recurrent(&self, layer: usize) -> bool {
        self.recurrent.get(layer)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurrogateConfig {
    pub shape: SurrogateShape,
    pub beta: f64,
}

impl Default for SurrogateConfig {
    fn default() -> Self {
        Self {
            shape: SurrogateShape::SuperSpike,
            beta: 10.0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    L1,
    L2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegScope {
    /// Each neuron's spike count against θ.
    Neuron,
    /// The layer's mean spike count against θ.
    Population,
}

/// One bound on spike counts ζ = Σ_n s[n]: λ · mean([θ − ζ]₊^p) (lower) or [ζ − θ]₊^p (upper).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoundConfig {
    pub lambda: f64,
    /// In spikes per sample.
    pub theta: f64,
    pub norm: Norm,
    pub scope: RegScope,
}

impl Default for BoundConfig {
    fn default() -> Self {
        Self {
            lambda: 0.0,
            theta: 0.0,
            norm: Norm::L2,
            scope: RegScope::Neuron,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegConfig {
    pub lower: BoundConfig,
    pub upper: BoundConfig,
}

impl Default for RegConfig {
    fn default() -> Self {
        Self {
            // The paper's lower bound: L2, per neuron, λ = 100, θ = 10⁻³ (keeps neurons from dying).
            lower: BoundConfig {
                lambda: 100.0,
                theta: 1e-3,
                norm: Norm::L2,
                scope: RegScope::Neuron,
            },
            // Off by default; e.g. λ = 0.1–1, θ = a few spikes, population, for sparse activity.
            upper: BoundConfig {
                lambda: 0.0,
                theta: 2.0,
                norm: Norm::L2,
                scope: RegScope::Population,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Adam,
    Sgd,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimConfig {
    pub kind: OptimizerKind,
    pub lr: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Adam's β₁, β₂ (paper and PyTorch defaults).
    pub adam_betas: [f64; 2],
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Adam,
            lr: 0.02,
            batch_size: 250,
            epochs: 20,
            adam_betas: [0.9, 0.999],
        }
    }
}

/// A refused configuration: which key, and what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

/// Refuses a value outside an interval; NaN is always refused.
fn check_range(key: &str, value: f64, lo: f64, hi: f64, what: &str) -> Result<(), ConfigError> {
    if value.is_nan() || value < lo || value > hi {
        return Err(err(key, format!("{value} is out of range: {what}")));
    }
    Ok(())
}

fn check_positive(key: &str, value: f64) -> Result<(), ConfigError> {
    if !(value.is_finite() && value > 0.0) {
        return Err(err(
            key,
            format!("{value} is not allowed: must be a finite number > 0"),
        ));
    }
    Ok(())
}

pub const MAX_HIDDEN_LAYERS: usize = 4;
pub const MAX_WIDTH: usize = 16_384;
/// Above this β·|x| underflows every normalised shape to 0 for any membrane that matters.
pub const MAX_BETA: f64 = 1e6;

impl Config {
    /// Checks every value a user can set; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.version > CONFIG_VERSION {
            return Err(err(
                "version",
                format!(
                    "{} is newer than this program understands (≤ {CONFIG_VERSION})",
                    self.version
                ),
            ));
        }
        crate::backend::check_backend_name(&self.backend).map_err(|m| err("backend", m))?;
        let d = &self.data;
        if !(1..=10_000).contains(&d.steps) {
            return Err(err(
                "data.steps",
                format!("{} is out of range: 1–10000 time steps", d.steps),
            ));
        }
        if d.kind == DataKind::Randman {
            let r = &d.randman;
            let int_range = |key: &str, v: usize, lo: usize, hi: usize| {
                if v < lo || v > hi {
                    Err(err(key, format!("{v} is out of range: {lo}–{hi}")))
                } else {
                    Ok(())
                }
            };
            int_range("data.randman.classes", r.classes, 2, 1000)?;
            int_range("data.randman.units", r.units, 1, 100_000)?;
            int_range("data.randman.manifold_dim", r.manifold_dim, 1, 16)?;
            int_range("data.randman.spikes_per_unit", r.spikes_per_unit, 1, 100)?;
            int_range(
                "data.randman.samples_per_class",
                r.samples_per_class,
                3,
                1_000_000,
            )?;
            check_range("data.randman.alpha", r.alpha, 0.0, 10.0, "0–10")?;
            check_range(
                "data.randman.train_frac",
                r.train_frac,
                0.01,
                0.98,
                "0.01–0.98",
            )?;
            check_range("data.randman.valid_frac", r.valid_frac, 0.0, 0.9, "0–0.9")?;
            if r.train_frac + r.valid_frac >= 1.0 {
                return Err(err(
                    "data.randman.valid_frac",
                    "train_frac + valid_frac must leave a test set (sum < 1)",
                ));
            }
            let (train, _, test) = crate::data::randman::split_sizes(r);
            if train == 0 || test == 0 {
                return Err(err(
                    "data.randman.samples_per_class",
                    format!(
                        "{} samples per class split as train_frac {} / valid_frac {} leave {train} for training and {test} for testing: each needs at least one",
                        r.samples_per_class, r.train_frac, r.valid_frac
                    ),
                ));
            }
            check_range("data.randman.step_frac", r.step_frac, 0.01, 1.0, "0.01–1")?;
        }
        if matches!(d.kind, DataKind::Mnist5k | DataKind::Idx) {
            let e = &d.encoding;
            match e.kind {
                EncodingKind::Latency => {
                    check_range(
                        "data.encoding.tau",
                        e.tau,
                        1e-3,
                        1e4,
                        "τ must be 0.001–10000 time steps",
                    )?;
                    check_range(
                        "data.encoding.theta",
                        e.theta,
                        0.0,
                        0.999,
                        "θ must be 0–0.999 (pixels are 0–1)",
                    )?;
                }
                EncodingKind::Poisson => {
                    check_range(
                        "data.encoding.max_rate",
                        e.max_rate,
                        1e-6,
                        1.0,
                        "a spike probability per step, 0.000001–1",
                    )?;
                }
            }
        }
        if d.kind == DataKind::Shd {
            if !(1..=100_000).contains(&d.shd.inputs) {
                return Err(err(
                    "data.shd.inputs",
                    format!("{} is out of range: 1–100000 channels", d.shd.inputs),
                ));
            }
            check_range(
                "data.shd.duration_s",
                d.shd.duration_s,
                1e-6,
                1e6,
                "0.000001–1000000 seconds",
            )?;
        }

        let m = &self.model;
        if m.hidden.is_empty() || m.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(err(
                "model.hidden",
                format!(
                    "{} layers given: 1–{MAX_HIDDEN_LAYERS} hidden layers allowed",
                    m.hidden.len()
                ),
            ));
        }
        for (i, &w) in m.hidden.iter().enumerate() {
            if w == 0 || w > MAX_WIDTH {
                return Err(err(
                    "model.hidden",
                    format!(
                        "layer {} has width {w}: widths must be 1–{MAX_WIDTH}",
                        i + 1
                    ),
                ));
            }
        }
        if let PerLayer::Each(flags) = &m.recurrent
            && flags.len() != m.hidden.len()
        {
            return Err(err(
                "model.recurrent",
                format!(
                    "{} flags for {} hidden layers: give one per layer, or a single true/false",
                    flags.len(),
                    m.hidden.len()
                ),
            ));
        }
        check_positive("model.dt_ms", m.dt_ms)?;
        check_positive("model.tau_syn_ms", m.tau_syn_ms)?;
        check_positive("model.tau_mem_ms", m.tau_mem_ms)?;
        check_positive("model.tau_out_ms", m.tau_out_ms)?;
        check_positive("model.threshold", m.threshold)?;
        match m.init {
            InitKind::Uniform => {}
            InitKind::Normal { gain } => check_range("model.init.gain", gain, 0.0, 1e3, "0–1000")?,
            InitKind::Fluctuation { target } => check_range(
                "model.init.target",
                target,
                1e-3,
                100.0,
                "0.001–100 (in units of ϑ)",
            )?,
        }

        check_range(
            "surrogate.beta",
            self.surrogate.beta,
            0.0,
            MAX_BETA,
            &format!("β must be ≥ 0 and ≤ {MAX_BETA:e}"),
        )?;

        for (name, b) in [
            ("reg.lower", &self.reg.lower),
            ("reg.upper", &self.reg.upper),
        ] {
            check_range(
                &format!("{name}.lambda"),
                b.lambda,
                0.0,
                1e6,
                "λ must be 0–1e6",
            )?;
            check_range(
                &format!("{name}.theta"),
                b.theta,
                0.0,
                1e6,
                "θ must be 0–1e6 spikes",
            )?;
        }

        let o = &self.optim;
        check_range(
            "optim.lr",
            o.lr,
            1e-9,
            10.0,
            "learning rate must be in 1e-9–10",
        )?;
        if o.lr <= 0.0 {
            return Err(err("optim.lr", "must be > 0"));
        }
        if o.batch_size == 0 || o.batch_size > 100_000 {
            return Err(err(
                "optim.batch_size",
                format!("{} is out of range: 1–100000", o.batch_size),
            ));
        }
        if o.epochs > 1_000_000 {
            return Err(err(
                "optim.epochs",
                format!("{} is out of range: 0–1000000", o.epochs),
            ));
        }
        for (i, b) in o.adam_betas.iter().enumerate() {
            check_range(
                &format!("optim.adam_betas[{i}]"),
                *b,
                0.0,
                0.999_999,
                "0 ≤ β < 1",
            )?;
        }
        Ok(())
    }

    /// Parses TOML (or JSON when `json` is set), filling missing keys with defaults.
    pub fn from_str_format(text: &str, json: bool) -> Result<Config, ConfigError> {
        let config: Config = if json {
            serde_json::from_str(text)
                .map_err(|e| err("", format!("invalid experiment JSON: {e}")))?
        } else {
            toml::from_str(text).map_err(|e| {
                err(
                    "",
                    format!("invalid experiment TOML: {}", one_line(&e.to_string())),
                )
            })?
        };
        config.validate()?;
        Ok(config)
    }

    /// Reads an experiment file: JSON when its extension says so, TOML otherwise. The window's
    /// Open and `--config` both come here; errors name the file.
    pub fn load(path: &std::path::Path) -> Result<Config, String> {
        let shown = path.display();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        Config::from_str_format(&text, is_json(path)).map_err(|e| format!("{shown}: {e}"))
    }

    /// Writes the experiment atomically, as JSON or TOML by the path's extension.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        let text = if is_json(path) {
            serde_json::to_string_pretty(self).map_err(|e| format!("cannot encode JSON: {e}"))?
        } else {
            self.to_toml()
        };
        crate::io::atomic::write_atomic(path, text.as_bytes())
    }

    pub fn to_toml(&self) -> String {
        // Serializing plain structs of numbers, strings and enums cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Applies `key=value` with `key` a TOML path (`surrogate.beta`, `model.hidden`) and `value`
    /// any TOML value; a bare word is taken as a string (`surrogate.shape=esser`).
    pub fn set(&self, assignment: &str) -> Result<Config, ConfigError> {
        let (key, raw) = assignment
            .split_once('=')
            .ok_or_else(|| err(assignment, "expected key=value"))?;
        let key = key.trim();
        let raw = raw.trim();
        let value = parse_value(raw);

        let mut root = toml::Value::try_from(self).map_err(|e| err(key, e.to_string()))?;
        let path: Vec<&str> = key.split('.').collect();
        let slot = lookup_mut(&mut root, &path).ok_or_else(|| {
            err(
                key,
                format!("unknown key; known keys: {}", known_keys(self).join(", ")),
            )
        })?;
        *slot = value;
        let updated: Config = root.try_into().map_err(|e: toml::de::Error| {
            err(
                key,
                format!("cannot take {raw:?}: {}", one_line(e.message())),
            )
        })?;
        updated.validate()?;
        Ok(updated)
    }
}

fn is_json(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_value(raw: &str) -> toml::Value {
    // A TOML value needs a key to parse; anything that does not parse is a bare string.
    let doc = format!("v = {raw}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.into()),
    }
}

fn lookup_mut<'a>(root: &'a mut toml::Value, path: &[&str]) -> Option<&'a mut toml::Value> {
    let mut cur = root;
    for part in path {
        cur = cur.as_table_mut()?.get_mut(*part)?;
    }
    Some(cur)
}

/// Every leaf of a configuration as (TOML path, value), in key order.
pub fn leaves(config: &Config) -> Vec<(String, toml::Value)> {
    fn walk(prefix: &str, v: toml::Value, out: &mut Vec<(String, toml::Value)>) {
        match v {
            toml::Value::Table(t) => {
                for (k, child) in t {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, child, out);
                }
            }
            other => out.push((prefix.to_string(), other)),
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = toml::Value::try_from(config) {
        walk("", v, &mut out);
    }
    out
}

/// Every settable leaf key of a configuration, as TOML paths.
pub fn known_keys(config: &Config) -> Vec<String> {
    leaves(config).into_iter().map(|(k, _)| k).collect()
}
