//! The colours of sweep results, the same in the window's Sweep view and in the PNG figures:
//! the colour-blind-safe Okabe–Ito palette, then grey and black.

const PALETTE: [[u8; 3]; 8] = [
    [0, 114, 178],
    [213, 94, 0],
    [0, 158, 115],
    [204, 121, 167],
    [230, 159, 0],
    [86, 180, 233],
    [120, 120, 120],
    [0, 0, 0],
];

/// Colour `i` as RGB; the palette repeats after eight.
pub fn rgb(i: usize) -> [u8; 3] {
    PALETTE[i % PALETTE.len()]
}
