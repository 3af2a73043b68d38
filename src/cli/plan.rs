//! Arguments of `patchpilot plan` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Apply a policy to an assessment and write an approvable plan.json.
///
/// The plan pins every host's packages, orders hosts into a canary and
/// waves of batches, packs them into maintenance windows and lists what was
/// left out and why. The same inputs and the same `--now` always give a
/// byte-identical plan.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub command: Option<PlanCommand>,

    /// The assessment to plan from.
    #[arg(
        short,
        long,
        default_value = "assessment.json",
        env = "PATCHPILOT_ASSESSMENT",
        help_heading = "Inputs"
    )]
    pub assessment: PathBuf,

    /// The policy: windows, freezes, waves, exceptions, roles.
    #[arg(
        short,
        long,
        default_value = "policy.toml",
        env = "PATCHPILOT_POLICY",
        help_heading = "Inputs"
    )]
    pub policy: PathBuf,

    /// Plan as of this instant: RFC 3339 (`2026-08-22T06:00:00Z`) or a date
    /// (midnight UTC). Defaults to the current time.
    #[arg(long, env = "PATCHPILOT_NOW", value_name = "TIME", help_heading = "Inputs")]
    pub now: Option<String>,

    /// Where to write the plan.
    #[arg(short, long, default_value = "plan.json", help_heading = "Output")]
    pub output: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Print a plan as tables (or as JSON with `--format json`).
    Show(ShowArgs),

    /// Show what changed between two plans.
    Diff(DiffArgs),

    /// Validate a policy file and report every problem with its location.
    CheckPolicy(CheckPolicyArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The plan to show.
    #[arg(default_value = "plan.json")]
    pub plan: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older plan.
    pub old: PathBuf,
    /// The newer plan.
    pub new: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckPolicyArgs {
    /// The policy to check.
    #[arg(default_value = "policy.toml", env = "PATCHPILOT_POLICY")]
    pub policy: PathBuf,
}
