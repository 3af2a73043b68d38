//! The `patchpilot` binary: parse, set up output, run, map to an exit code.

use clap::Parser;
use patchpilot::cli::Cli;
use patchpilot::output::{self, Printer};
use patchpilot::settings::GlobalSettings;

fn main() {
    let cli = Cli::parse();
    let global = GlobalSettings::resolve(&cli.global);
    output::init_logging(global.verbosity, global.quiet, global.log_color());
    let printer = Printer::new(global.format, global.color, global.quiet);

    let code = match patchpilot::commands::run(cli.command, &global, &printer) {
        Ok(code) => code,
        Err(error) => {
            printer.error(&error);
            output::exit_code_of(&error)
        }
    };

    std::process::exit(code);
}
