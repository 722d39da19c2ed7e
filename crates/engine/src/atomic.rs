//! Atomic file writes: a temporary file in the same folder, synced, then renamed into place,
#![cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]
//! so a crash or a full disk never leaves a half-written file where a good one was.

use std::cell::Cell;
use std::io::{self, Write};
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

/// A failure an atomic write can meet, injected by tests: a full disk or a read-only folder
/// cannot be arranged where the tests run (as root, permission bits stop nothing; mounting a
/// small tmpfs is not allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Creating the temporary file fails, as in a read-only folder.
    Create,
    /// The disk fills after this many bytes of the temporary file.
    WriteAfter(usize),
    /// The sync fails, as when a full disk is only noticed at fsync (NFS, delayed allocation).
    Sync,
    /// Renaming into place fails.
    Rename,
}

thread_local! {
    static FAULT: Cell<Option<Fault>> = const { Cell::new(None) };
}

/// Runs `f` with every atomic write made on this thread meeting `fault`.
pub fn with_fault<R>(fault: Fault, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Fault>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FAULT.set(self.0);
        }
    }
    let _restore = Restore(FAULT.replace(Some(fault)));
    f()
}

fn injected(stage: Fault) -> io::Result<()> {
    match FAULT.get() {
        Some(Fault::Create) if stage == Fault::Create => Err(read_only()),
        Some(Fault::Sync) if stage == Fault::Sync => Err(disk_full()),
        Some(Fault::Rename) if stage == Fault::Rename => Err(read_only()),
        _ => Ok(()),
    }
}

fn read_only() -> io::Error {
    io::Error::new(io::ErrorKind::ReadOnlyFilesystem, "read-only file system")
}

fn disk_full() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "no space left on device")
}

/// Writes `bytes` as a full disk with `room` bytes left would: what fits, then an error.
fn write_limited(f: &mut std::fs::File, bytes: &[u8], room: usize) -> io::Result<()> {
    f.write_all(&bytes[..room.min(bytes.len())])?;
    if bytes.len() > room {
        return Err(disk_full());
    }
    Ok(())
}

/// In the page there is no file system: the bytes are kept in memory by path, and a path the
/// save prompt gave is downloaded (see `vfs`).
#[cfg(target_arch = "wasm32")]
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if path.file_name().is_none() {
        return Err(WriteError::NotAFile(path.display().to_string()));
    }
    crate::vfs::write(path, bytes).map_err(|source| WriteError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(not(target_arch = "wasm32"))]
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
    let result = (|| -> io::Result<()> {
        injected(Fault::Create)?;
        let mut f = std::fs::File::create(&tmp)?;
        match FAULT.get() {
            Some(Fault::WriteAfter(room)) => write_limited(&mut f, bytes, room)?,
            _ => f.write_all(bytes)?,
        }
        injected(Fault::Sync)?;
        f.sync_all()?;
        injected(Fault::Rename)?;
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
