//! The safetensors format, read and written directly: an 8-byte little-endian header length,
//! a JSON header naming each tensor's dtype, shape and byte range, then the raw data.
//! Small enough to own, and it keeps every check (offsets, sizes, dtypes) under our control.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// One f32 tensor, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Serializes tensors and string metadata (stored under `__metadata__`).
pub fn encode(tensors: &[NamedTensor], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut header = Map::new();
    if !metadata.is_empty() {
        header.insert("__metadata__".into(), json!(metadata));
    }
    let mut offset = 0usize;
    for t in tensors {
        let bytes = t.data.len() * 4;
        header.insert(
            t.name.clone(),
            json!({"dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]}),
        );
        offset += bytes;
    }
    let mut head = Value::Object(header).to_string().into_bytes();
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    while !(head.len() + 8).is_multiple_of(8) {
        head.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + head.len() + offset);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    for t in tensors {
        for v in &t.data {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// A buffer that is not a safetensors file of F32/F64 tensors.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FormatError {
    #[error("file is shorter than the 8-byte safetensors header length")]
    TooShort,
    #[error("header length {0} runs past the end of the file")]
    HeaderPastEnd(u64),
    #[error("header is not a JSON object: {0}")]
    HeaderNotJson(String),
    #[error("__metadata__ is not an object")]
    MetadataNotObject,
    #[error("metadata {0:?} is not a string")]
    MetadataNotString(String),
    #[error("tensor {name:?} has dtype {dtype:?}; F32 or F64 expected")]
    Dtype { name: String, dtype: String },
    #[error("tensor {0:?} has no shape")]
    NoShape(String),
    #[error("tensor {0:?} has a non-integer dimension")]
    NonIntegerDimension(String),
    #[error("tensor {0:?} has no valid data_offsets")]
    NoOffsets(String),
    #[error("tensor {name:?} shape {shape:?} overflows")]
    Overflow { name: String, shape: Vec<usize> },
    #[error(
        "tensor {name:?}: bytes {begin}..{end} do not hold {count} {dtype} values within the {data_len}-byte data section"
    )]
    Bytes {
        name: String,
        begin: usize,
        end: usize,
        count: usize,
        dtype: String,
        data_len: usize,
    },
}

/// Parses a safetensors buffer; every inconsistency is an error saying what is wrong.
pub fn decode(bytes: &[u8]) -> Result<(Vec<NamedTensor>, BTreeMap<String, String>), FormatError> {
    let len_bytes: [u8; 8] = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or(FormatError::TooShort)?;
    let header_len = u64::from_le_bytes(len_bytes);
    let data_start = 8u64
        .checked_add(header_len)
        .filter(|&end| end <= bytes.len() as u64)
        .ok_or(FormatError::HeaderPastEnd(header_len))? as usize;
    let header: Map<String, Value> = serde_json::from_slice(&bytes[8..data_start])
        .map_err(|e| FormatError::HeaderNotJson(e.to_string()))?;
    let data = &bytes[data_start..];
    let mut metadata = BTreeMap::new();
    let mut tensors = Vec::new();
    for (name, entry) in header {
        if name == "__metadata__" {
            let Value::Object(m) = entry else {
                return Err(FormatError::MetadataNotObject);
            };
            for (k, v) in m {
                let Value::String(s) = v else {
                    return Err(FormatError::MetadataNotString(k));
                };
                metadata.insert(k, s);
            }
            continue;
        }
        let dtype = entry["dtype"].as_str().unwrap_or("");
        let elem = match dtype {
            "F32" => 4,
            "F64" => 8,
            other => {
                return Err(FormatError::Dtype {
                    name,
                    dtype: other.into(),
                });
            }
        };
        let shape: Vec<usize> = entry["shape"]
            .as_array()
            .ok_or_else(|| FormatError::NoShape(name.clone()))?
            .iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect::<Option<_>>()
            .ok_or_else(|| FormatError::NonIntegerDimension(name.clone()))?;
        let offsets: Vec<usize> = entry["data_offsets"]
            .as_array()
            .filter(|a| a.len() == 2)
            .and_then(|a| a.iter().map(|o| o.as_u64().map(|o| o as usize)).collect())
            .ok_or_else(|| FormatError::NoOffsets(name.clone()))?;
        let (begin, end) = (offsets[0], offsets[1]);
        let overflow = || FormatError::Overflow {
            name: name.clone(),
            shape: shape.clone(),
        };
        let count = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(overflow)?;
        let bytes = count.checked_mul(elem).ok_or_else(overflow)?;
        if begin > end || end > data.len() || end - begin != bytes {
            return Err(FormatError::Bytes {
                name,
                begin,
                end,
                count,
                dtype: dtype.into(),
                data_len: data.len(),
            });
        }
        let raw = &data[begin..end];
        let values = if elem == 4 {
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        } else {
            raw.chunks_exact(8)
                .map(|c| {
                    f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32
                })
                .collect()
        };
        tensors.push(NamedTensor {
            name,
            shape,
            data: values,
        });
    }
    Ok((tensors, metadata))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact() {
        let t = vec![
            NamedTensor {
                name: "a".into(),
                shape: vec![2, 3],
                data: vec![1.0, -2.5, 3.25, f32::MIN_POSITIVE, 0.0, 7e-8],
            },
            NamedTensor {
                name: "b".into(),
                shape: vec![1],
                data: vec![42.0],
            },
        ];
        let mut meta = BTreeMap::new();
        meta.insert("k".to_string(), "v".to_string());
        let bytes = encode(&t, &meta);
        assert_eq!(
            (8 + u64::from_le_bytes(bytes[..8].try_into().unwrap())) % 8,
            0
        );
        let (back, meta_back) = decode(&bytes).unwrap();
        assert_eq!(meta_back, meta);
        let mut back = back;
        back.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(back, t);
    }

    #[test]
    fn truncated_and_garbage_files_are_refused() {
        let bytes = encode(
            &[NamedTensor {
                name: "a".into(),
                shape: vec![4],
                data: vec![1.0; 4],
            }],
            &BTreeMap::new(),
        );
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode(&bytes[..5]).is_err());
        assert!(decode(b"\xff\xff\xff\xff\xff\xff\xff\xffjunk").is_err());
        let mut bad = bytes.clone();
        bad[8] = b'[';
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn a_shape_whose_byte_size_overflows_is_refused() {
        // 2⁶² + 1 elements of 4 bytes wrap to 4 bytes if the product is not checked.
        let header =
            r#"{"w":{"dtype":"F32","shape":[4611686018427387905,1],"data_offsets":[0,4]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        let err = decode(&bytes).expect_err("overflowing shape").to_string();
        assert!(err.contains("overflows"), "{err}");
    }
}
