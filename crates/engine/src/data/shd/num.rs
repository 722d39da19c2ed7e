//! The number types SHD files store spike times, units and labels in, decoded to f64.

use hdf5_reader::{ByteOrder, Datatype};

/// A number type found in the file, with its byte order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Num {
    Float {
        size: usize,
        big: bool,
    },
    Int {
        size: usize,
        signed: bool,
        big: bool,
    },
}

impl Num {
    pub(super) fn of(dt: &Datatype) -> Option<Num> {
        let big = |o: &ByteOrder| matches!(o, ByteOrder::BigEndian);
        match dt {
            Datatype::FloatingPoint { size, byte_order } if matches!(size, 2 | 4 | 8) => {
                Some(Num::Float {
                    size: *size as usize,
                    big: big(byte_order),
                })
            }
            Datatype::FixedPoint {
                size,
                signed,
                byte_order,
            } if matches!(size, 1 | 2 | 4 | 8) => Some(Num::Int {
                size: *size as usize,
                signed: *signed,
                big: big(byte_order),
            }),
            _ => None,
        }
    }

    pub(super) fn size(self) -> usize {
        match self {
            Num::Float { size, .. } | Num::Int { size, .. } => size,
        }
    }

    /// One value as f64 (integers above 2⁵³ lose precision: irrelevant for units and labels,
    /// which are checked against small ranges).
    pub(super) fn decode(self, b: &[u8]) -> f64 {
        let mut buf = [0u8; 8];
        let n = self.size();
        let big = match self {
            Num::Float { big, .. } | Num::Int { big, .. } => big,
        };
        // Normalise to little-endian in buf[..n].
        for (k, slot) in buf.iter_mut().take(n).enumerate() {
            *slot = if big { b[n - 1 - k] } else { b[k] };
        }
        match self {
            Num::Float { size: 2, .. } => half::f16::from_le_bytes([buf[0], buf[1]]).to_f64(),
            Num::Float { size: 4, .. } => {
                f64::from(f32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]))
            }
            Num::Float { .. } => f64::from_le_bytes(buf),
            Num::Int { signed: false, .. } => u64::from_le_bytes(buf) as f64,
            Num::Int {
                size, signed: true, ..
            } => {
                // Sign-extend from `size` bytes.
                let shift = 64 - 8 * size as u32;
                ((i64::from_le_bytes(buf) << shift) >> shift) as f64
            }
        }
    }

    pub(super) fn decode_all(self, bytes: &[u8]) -> Vec<f64> {
        bytes
            .chunks_exact(self.size())
            .map(|c| self.decode(c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_decode_in_every_width_and_order() {
        let f16 = Num::Float {
            size: 2,
            big: false,
        };
        assert_eq!(f16.decode(&half::f16::from_f32(0.25).to_le_bytes()), 0.25);
        let f32be = Num::Float { size: 4, big: true };
        assert_eq!(f32be.decode(&1.5f32.to_be_bytes()), 1.5);
        let i16le = Num::Int {
            size: 2,
            signed: true,
            big: false,
        };
        assert_eq!(i16le.decode(&(-3i16).to_le_bytes()), -3.0);
        let u32be = Num::Int {
            size: 4,
            signed: false,
            big: true,
        };
        assert_eq!(u32be.decode(&699u32.to_be_bytes()), 699.0);
        let i8 = Num::Int {
            size: 1,
            signed: true,
            big: false,
        };
        assert_eq!(i8.decode(&[0xff]), -1.0);
    }
}
