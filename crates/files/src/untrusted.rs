//! Every reader of bytes a user can hand the program, by name, fed the way the program feeds
//! them: the fuzz targets (`fuzz/`) and the corpus replay test (`tests/files/fuzz_corpus.rs`) call
//! these, so both exercise exactly the same code. A reader may refuse its input (that is its
//! job); it must not panic, and what it accepts must survive being written and read back.

use burn::tensor::Device;

use crate::config::Config;
use crate::config::lesson::Lesson;
use crate::data::encoding::Encoder;
use crate::data::encoding::EncodingConfig;
use crate::data::idx::{self, LabelledImages};
use crate::data::shd::ShdConfig;
use crate::data::shd::{self, ShdFile};
use crate::io::weights;
use crate::nir;
use crate::sweep::csv::ResultsFile;

/// A reader run on one input.
pub type Reader = fn(&[u8]);

/// Each reader by the name of its fuzz target and corpus folder (`fuzz/corpus/<name>/`).
pub const READERS: [(&str, Reader); 8] = [
    ("idx", idx),
    ("shd", shd),
    ("safetensors", safetensors),
    ("experiment", experiment),
    ("config_set", config_set),
    ("sweep_csv", sweep_csv),
    ("nir", nir),
    ("lesson", lesson),
];

/// An MNIST-style IDX file (images or labels, gzip or not), encoded as spikes when it parses
/// as images.
pub fn idx(bytes: &[u8]) {
    for name in ["fuzz-ubyte", "fuzz-ubyte.gz"] {
        let Ok(raw) = idx::decompress(name, bytes) else {
            continue;
        };
        let _ = idx::parse_labels(name, &raw);
        if let Ok(images) = idx::parse_images(name, &raw) {
            let data = LabelledImages {
                labels: vec![0; images.count],
                images,
            };
            let _ = idx::encode(&data, 16, &Encoder::new(&EncodingConfig::default()), 0);
        }
    }
}

/// An SHD HDF5 file, opened and binned like a training file.
pub fn shd(bytes: &[u8]) {
    let Ok(file) = ShdFile::from_bytes("fuzz.h5", bytes.to_vec()) else {
        return;
    };
    let classes = file.classes();
    let _ = shd::bin_file(&file, &ShdConfig::default(), 100, classes);
}

/// A safetensors weight file, decoded and turned into the network's matrices.
pub fn safetensors(bytes: &[u8]) {
    if let Ok(file) = weights::decode_weight_file(bytes) {
        let _ = weights::weights_from_file(&file, &Device::flex());
    }
}

/// An experiment file, as TOML and as JSON; one that is accepted is saved and reopened to
/// itself.
pub fn experiment(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for json in [false, true] {
        if let Ok(config) = Config::from_str_format(&text, json) {
            let saved = config.to_toml();
            let reopened = Config::from_str_format(&saved, false);
            assert_eq!(
                reopened.as_ref(),
                Ok(&config),
                "an accepted experiment does not reopen as itself:\n{saved}"
            );
        }
    }
}

/// A `--set key=value` assignment (also a `--grid` value), on the default experiment.
pub fn config_set(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(config) = Config::default().set(&text) {
        assert_eq!(
            Config::from_str_format(&config.to_toml(), false).as_ref(),
            Ok(&config),
            "an accepted --set does not reopen as itself: {text}"
        );
    }
}

/// A sweep's results CSV; one that is accepted writes back to a file that reads the same.
pub fn sweep_csv(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(file) = ResultsFile::parse(&text) {
        let written = file.to_csv();
        let reread = ResultsFile::parse(&written)
            .unwrap_or_else(|e| panic!("an accepted results file does not reread: {e}\n{written}"));
        assert_eq!(reread.to_csv(), written, "rereading changed the file");
    }
}

/// A NIR graph file, mapped to a layered stack and built into a network as Norse would run it.
pub fn nir(bytes: &[u8]) {
    let Ok(graph) = nir::read::read_bytes(bytes.to_vec()) else {
        return;
    };
    if let Ok(stack) = nir::map::to_stack(graph) {
        let _ = nir::model::to_network(
            &stack,
            &nir::model::Conventions::norse(1e-4),
            &Device::flex(),
        );
    }
}

/// A lesson file; the experiment of an accepted one saves and reopens to itself, and it hides
/// only controls the window has.
pub fn lesson(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let Ok(lesson) = Lesson::parse(&text, "fuzz.toml") else {
        return;
    };
    let saved = lesson.experiment.to_toml();
    assert_eq!(
        Config::from_str_format(&saved, false).as_ref(),
        Ok(&lesson.experiment),
        "an accepted lesson's experiment does not reopen as itself:\n{saved}"
    );
    assert!(!lesson.steps.is_empty() && !lesson.title.is_empty());
}
