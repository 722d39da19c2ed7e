//! `surrogate-lab`: no command (or only window options) opens the window; commands run headless.

use surrogate_lab::cli;

fn main() {
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
