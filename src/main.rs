//! `surrogate-lab`: no arguments (or window options) open the window; subcommands run headless.

fn main() {
    surrogate_lab::memory::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match surrogate_lab::app::launch::parse(&args) {
        Some(Ok(options)) => surrogate_lab::app::run(options),
        Some(Err(surrogate_lab::cli::UsageError(m))) => {
            eprintln!("error: {m}");
            2
        }
        None => surrogate_lab::cli::main_with_args(args),
    };
    std::process::exit(code);
}
