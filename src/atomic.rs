//! Atomic file writes: a temporary file in the same folder, synced, then renamed into place,
//! so a crash or a full disk never leaves a half-written file where a good one was.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes the temporary files of writes running at once in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A write that did not happen; the file that was there is untouched.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}: not a file path")]
    NotAFile(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| WriteError::NotAFile(path.display().to_string()))?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        WriteError::Io {
            path: path.display().to_string(),
            source,
        }
    })
}
