use clap::Parser;

fn main() -> std::process::ExitCode {
    normtrack::telemetry::init();
    let cli = normtrack::cli::Cli::parse();
    match normtrack::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("normtrack: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
