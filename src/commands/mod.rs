//! One file per subcommand: orchestration only, domain work lives elsewhere.

mod approve;
mod assess;
mod discover;
mod inventory;
mod pending;
pub mod plan;

use crate::cli::{Command, InventoryCommand};
use crate::output::Printer;
use crate::settings::GlobalSettings;

/// Runs a subcommand and returns the process exit code.
pub fn run(command: Command, global: &GlobalSettings, printer: &Printer) -> anyhow::Result<i32> {
    match command {
        Command::Inventory(args) => match &args.command {
            Some(InventoryCommand::Discover(discover_args)) => {
                discover::run(discover_args, printer)
            }
            None => inventory::run(&args, global, printer),
        },
        Command::Assess(args) => assess::run(&args, global, printer),
        Command::Plan(args) => {
            plan::run(crate::settings::PlanSettings::resolve(args)?, global, printer)
        }
        Command::Approve(args) => {
            approve::run(crate::settings::ApproveSettings::resolve(args)?, global, printer)
        }
        Command::Stage(_) => Ok(pending::not_built("stage", printer)),
        Command::Rollout(_) => Ok(pending::not_built("rollout", printer)),
        Command::Validate(_) => Ok(pending::not_built("validate", printer)),
        Command::Report(_) => Ok(pending::not_built("report", printer)),
    }
    .inspect(|_| tracing::debug!(operator = %global.operator, "command finished"))
}
