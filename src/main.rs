//! `surrogate-lab`: no command (or only window options) opens the window; commands run headless.
//! Built for the web (wasm32), the same binary is the page: `main` starts the window in the
//! page's canvas and returns, and the browser drives it from then on.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use surrogate_lab::cli;

    surrogate_lab::memory::keep_freed_memory();
    let code = match cli::parse(std::env::args_os()) {
        Ok(cli::Cli {
            command: Some(command),
            ..
        }) => cli::run(command),
        Ok(cli::Cli {
            command: None,
            window,
        }) => cli::open_window(window),
        Err(code) => code,
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {
    surrogate_lab::web::start();
}
