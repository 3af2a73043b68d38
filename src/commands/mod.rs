//! One file per subcommand: orchestration only, domain work lives elsewhere.

mod assess;
mod pending;

use crate::cli::Command;
use crate::output::Printer;
use crate::settings::GlobalSettings;

/// Runs a subcommand and returns the process exit code.
pub fn run(command: Command, global: &GlobalSettings, printer: &Printer) -> anyhow::Result<i32> {
    match command {
        Command::Inventory(_) => Ok(pending::not_built("inventory", printer)),
        Command::Assess(args) => assess::run(&args, global, printer),
        Command::Plan(_) => Ok(pending::not_built("plan", printer)),
        Command::Approve(_) => Ok(pending::not_built("approve", printer)),
        Command::Stage(_) => Ok(pending::not_built("stage", printer)),
        Command::Rollout(_) => Ok(pending::not_built("rollout", printer)),
        Command::Validate(_) => Ok(pending::not_built("validate", printer)),
        Command::Report(_) => Ok(pending::not_built("report", printer)),
    }
    .inspect(|_| tracing::debug!(operator = %global.operator, "command finished"))
}
