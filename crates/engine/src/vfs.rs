//! Reading files by path: the file system natively; in the page, which has none, the files the
//! user handed it (through the page's file picker) and those the program wrote, held in memory
//! by path. Readers call [`read`] and [`read_to_string`] instead of `std::fs`, so the code that
//! opens an experiment, a lesson or a data file is the same in both.
//!
//! In the page, [`crate::atomic::write_atomic`] keeps what it writes here; a write under
//! [`DOWNLOADS`] is also handed to the browser as a download with the file's name.

use std::io;
use std::path::Path;

/// In the page: the folder whose files are saved as downloads (the save "dialog" answers a
/// path in it).
pub const DOWNLOADS: &str = "/downloads";

/// In the page: the folder that holds the files the user opened.
pub const UPLOADS: &str = "/uploads";

#[cfg(not(target_arch = "wasm32"))]
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn len(path: &Path) -> io::Result<u64> {
    std::fs::metadata(path).map(|m| m.len())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn is_file(path: &Path) -> bool {
    path.is_file()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(target_arch = "wasm32")]
pub use page::{files_under, insert, is_dir, is_file, len, read, remove, write};

#[cfg(target_arch = "wasm32")]
mod page {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::rc::Rc;

    thread_local! {
        static FILES: RefCell<BTreeMap<PathBuf, Rc<[u8]>>> = RefCell::new(BTreeMap::new());
    }

    fn not_found(path: &Path) -> io::Error {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no such file in the page (open it with the page's file picker): {}",
                path.display()
            ),
        )
    }

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        FILES.with_borrow(|f| {
            f.get(path)
                .map(|b| b.to_vec())
                .ok_or_else(|| not_found(path))
        })
    }

    pub fn len(path: &Path) -> io::Result<u64> {
        FILES.with_borrow(|f| {
            f.get(path)
                .map(|b| b.len() as u64)
                .ok_or_else(|| not_found(path))
        })
    }

    pub fn is_file(path: &Path) -> bool {
        FILES.with_borrow(|f| f.contains_key(path))
    }

    /// A folder exists in the page while a file is held under it.
    pub fn is_dir(path: &Path) -> bool {
        FILES.with_borrow(|f| f.keys().any(|p| p != path && p.starts_with(path)))
    }

    /// Holds `bytes` as the file at `path` (a file the user opened).
    pub fn insert(path: PathBuf, bytes: Vec<u8>) {
        FILES.with_borrow_mut(|f| f.insert(path, Rc::from(bytes)));
    }

    pub fn remove(path: &Path) {
        FILES.with_borrow_mut(|f| f.remove(path));
    }

    /// The paths held under `dir`.
    pub fn files_under(dir: &Path) -> Vec<PathBuf> {
        FILES.with_borrow(|f| f.keys().filter(|p| p.starts_with(dir)).cloned().collect())
    }

    /// Keeps `bytes` at `path`; under [`super::DOWNLOADS`] the browser also downloads them.
    pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
        if path.starts_with(super::DOWNLOADS) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "download".into());
            download(&name, bytes)?;
        }
        insert(path.to_path_buf(), bytes.to_vec());
        Ok(())
    }

    /// Hands `bytes` to the browser as a file called `name`: a Blob URL on a link that is
    /// clicked and let go.
    fn download(name: &str, bytes: &[u8]) -> io::Result<()> {
        use wasm_bindgen::JsCast;
        let fail =
            |what: &str| io::Error::other(format!("the browser refused the download ({what})"));
        let window = web_sys::window().ok_or_else(|| fail("no window"))?;
        let document = window.document().ok_or_else(|| fail("no document"))?;
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/octet-stream");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|_| fail("blob"))?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("url"))?;
        let link: web_sys::HtmlAnchorElement = document
            .create_element("a")
            .map_err(|_| fail("link"))?
            .dyn_into()
            .map_err(|_| fail("link"))?;
        link.set_href(&url);
        link.set_download(name);
        link.click();
        // The click has started the download; the URL may go once this task ends.
        let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
        Ok(())
    }
}
