//! `surrogate-lab`: no command (or only window options) opens the window; commands run headless.

use surrogate_lab::{app, cli};

fn main() {
    surrogate_lab::memory::keep_freed_memory();
    let code = match cli::parse(std::env::args_os()) {
        Ok(cli::Cli {
            command: Some(cli::Command::Lesson(cli::LessonArgs { file, mut window })),
            ..
        }) => {
            if window.lesson.is_some() {
                cli::CliError::Usage("give the lesson once: `lesson FILE` or --lesson".into())
                    .report()
            } else {
                window.lesson = Some(file);
                open_window(window)
            }
        }
        Ok(cli::Cli {
            command: Some(command),
            ..
        }) => cli::run(command),
        Ok(cli::Cli {
            command: None,
            window,
        }) => open_window(window),
        Err(code) => code,
    };
    std::process::exit(code);
}

fn open_window(window: cli::WindowArgs) -> i32 {
    match app::launch::options(window) {
        Ok(options) => app::run(options),
        Err(e) => e.report(),
    }
}
