//! The committed studies' results (`reproduction/*.csv`), which the window reads from the
//! repository it runs in. The page has no repository: it carries them (40 KB) and puts them in
//! its memory (`vfs`) under the same paths, so Open results reads them as the window does.

macro_rules! committed {
    ($($name:literal,)*) => {
        /// The files, by name in [`super::RESULTS_DIR`].
        pub const NAMES: &[&str] = &[$($name),*];

        #[cfg(target_arch = "wasm32")]
        const FILES: &[(&str, &[u8])] =
            &[$(($name, include_bytes!(concat!("../../../reproduction/", $name)))),*];
    };
}

committed! {
    "beta.csv",
    "beta_reference.csv",
    "depth.csv",
    "depth_best_0.csv",
    "depth_best_1.csv",
    "depth_best_2.csv",
    "depth_best_3.csv",
    "depth_best_4.csv",
    "depth_best_5.csv",
    "recurrent.csv",
    "recurrent_best_0.csv",
    "recurrent_best_1.csv",
    "recurrent_best_2.csv",
    "recurrent_best_3.csv",
    "reset.csv",
    "scale.csv",
    "scale_best_0.csv",
    "scale_best_1.csv",
    "scale_best_2.csv",
    "scale_best_3.csv",
    "shape.csv",
    "shape_best_0.csv",
    "shape_best_1.csv",
    "shape_best_2.csv",
    "shape_mnist.csv",
    "shape_mnist_best_0.csv",
    "shape_mnist_best_1.csv",
    "shape_mnist_best_2.csv",
    "shape_mnist_reference.csv",
    "shape_mnist_reference_best_0.csv",
    "shape_mnist_reference_best_1.csv",
    "shape_reference.csv",
    "shape_reference_best_0.csv",
    "shape_reference_best_1.csv",
    "sparsity.csv",
    "sparsity_paper.csv",
}

/// Puts the committed results where the Sweep tab looks for them.
#[cfg(target_arch = "wasm32")]
pub fn install() {
    let dir = std::path::Path::new(super::RESULTS_DIR);
    for (name, bytes) in FILES {
        crate::vfs::insert(dir.join(name), bytes.to_vec());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_committed_results_file_is_carried_by_the_page() {
        let mut on_disk: Vec<String> = std::fs::read_dir(super::super::RESULTS_DIR)
            .expect("reproduction/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        on_disk.sort();
        let mut carried: Vec<String> = super::NAMES.iter().map(|n| n.to_string()).collect();
        carried.sort();
        assert_eq!(
            carried, on_disk,
            "list the new file in src/app/sweep_view/committed.rs"
        );
    }
}
