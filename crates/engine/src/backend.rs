//! The tensor backends compiled into this build, chosen at run time by name.

use burn::tensor::{Device, Tensor};

/// Names of the backends this binary was built with, the default first.
pub fn compiled_backends() -> Vec<&'static str> {
    let mut names = vec!["flex"];
    if cfg!(feature = "ndarray") {
        names.push("ndarray");
    }
    if cfg!(feature = "wgpu") {
        names.push("wgpu");
    }
    names
}

/// A backend that cannot run here.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BackendError {
    #[error(
        "{name:?} is not compiled into this build (rebuild with --features {name}); available: {available}"
    )]
    NotCompiled { name: String, available: String },
    #[error("unknown backend {name:?}; available: {available}")]
    Unknown { name: String, available: String },
    #[error(
        "wgpu: no GPU adapter found (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers); use the flex backend"
    )]
    NoAdapter,
}

/// Refuses an unknown backend name, or one this build lacks, naming what is available.
pub fn check_backend_name(name: &str) -> Result<(), BackendError> {
    if compiled_backends().contains(&name) {
        return Ok(());
    }
    let known = ["flex", "ndarray", "wgpu"];
    let name = name.to_string();
    let available = compiled_backends().join(", ");
    if known.contains(&name.as_str()) {
        Err(BackendError::NotCompiled { name, available })
    } else {
        Err(BackendError::Unknown { name, available })
    }
}

/// The (non-autodiff) device for a backend name. For wgpu this also checks that an adapter
/// exists, so a machine without one gets a message instead of a panic mid-run.
pub fn device(name: &str) -> Result<Device, BackendError> {
    check_backend_name(name)?;
    match name {
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)]
        "ndarray" => Ok(Device::ndarray()),
        #[cfg(feature = "wgpu")]
        "wgpu" => wgpu_device(),
        _ => Ok(Device::flex()),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device, BackendError> {
    use std::sync::OnceLock;
    static PROBE: OnceLock<Result<(), BackendError>> = OnceLock::new();
    let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    let probe = PROBE.get_or_init(|| {
        let d = device.clone();
        // burn initializes wgpu lazily and panics when no adapter exists; one tiny op tells.
        std::panic::catch_unwind(move || {
            Tensor::<1>::zeros([1], &d).into_data();
        })
        .map_err(|_| BackendError::NoAdapter)
    });
    probe.clone().map(|()| device)
}

/// Whether the fused LIF op runs on this backend: a host loop on the CPU backends, a CubeCL
/// kernel on wgpu (`snn/gpu/`).
pub fn supports_fused(name: &str) -> bool {
    check_backend_name(name).is_ok()
}

/// Whether the input projection can take spikes as events (a host op: CPU backends only).
pub fn supports_sparse_input(name: &str) -> bool {
    name != "wgpu"
}

/// Whether `name` can actually run here (compiled in and, for wgpu, an adapter present).
pub fn available(name: &str) -> bool {
    device(name).is_ok()
}

/// Reads a one-element tensor back to the host.
pub fn scalar(t: Tensor<1>) -> f32 {
    t.into_data().iter::<f32>().next().unwrap_or(f32::NAN)
}
