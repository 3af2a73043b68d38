//! What was typed: clap definitions and nothing else.
//!
//! These types mirror the command line one to one. They are resolved into
//! validated [`crate::settings`] before any command runs, so commands never
//! see clap types and every mistake is reported before a host is contacted.
//! Completions and the man page are generated from [`command`].

mod approve;
mod assess;
mod inventory;
mod plan;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

pub use approve::ApproveArgs;
pub use assess::AssessArgs;
pub use inventory::{DiscoverArgs, HostKeyPolicyArg, InventoryArgs, InventoryCommand};
pub use plan::{CheckPolicyArgs, DiffArgs, PlanArgs, PlanCommand, ShowArgs};

/// Take a fleet of servers through the whole patch lifecycle.
///
/// Each step reads the JSON artifact of the step before it and writes its own:
/// inventory -> assess -> plan -> stage -> rollout -> validate -> report.
#[derive(Debug, Parser)]
#[command(name = "patchpilot", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// How results are printed on stdout: tables for people or JSON for programs.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human,
          env = "PATCHPILOT_FORMAT", help_heading = "Output")]
    pub format: FormatArg,

    /// When to colour output. `NO_COLOR` in the environment means `never` under `auto`.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto,
          help_heading = "Output")]
    pub color: ColorArg,

    /// More log detail on stderr: -v for decisions, -vv for every remote command.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// Only errors on stderr; no progress, no summary.
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Output")]
    pub quiet: bool,

    /// Who is running this, recorded in every artifact and audit entry.
    /// Defaults to `SUDO_USER`, then `USER`.
    #[arg(long, global = true, env = "PATCHPILOT_OPERATOR", help_heading = "Output")]
    pub operator: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    /// One row per record, for spreadsheets (commands that list records,
    /// such as `assess`; others print `human`).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reach hosts, gather facts, reconcile with a CMDB and write inventory.json.
    Inventory(Box<InventoryArgs>),

    /// Match installed packages against advisories and write assessment.json.
    ///
    /// Reads the inventory, every advisory feed given (OSV directories or zips
    /// for Debian, Ubuntu, Alpine, AlmaLinux, Rocky and Red Hat; Debian
    /// security-tracker DSA/DLA lists; Alpine secdb; Red Hat CSAF), CISA KEV and
    /// EPSS, and the host's own pending security updates. Each finding is
    /// classified emergency, scheduled or deferrable by the policy's `[risk]`
    /// rules and given a deadline from its tier, severity and regulatory tags.
    /// With `--previous`, first-seen dates carry over and fixed findings are
    /// listed as resolved. Nothing is fetched from the network.
    ///
    /// `--format human` prints summary tables, `--format json` the summary as
    /// JSON, `--format csv` one row per finding for spreadsheets; the artifact
    /// always goes to `--output`.
    Assess(AssessArgs),

    /// Apply a policy to an assessment and write an approvable plan.json.
    Plan(PlanArgs),

    /// Sign a plan's digest for a role, in the OpenSSH sshsig format.
    Approve(ApproveArgs),

    /// Run a plan on staging hosts with hooks, checks and a sign-off.
    Stage(PendingArgs),

    /// Execute a plan on production in phased, resumable batches.
    Rollout(PendingArgs),

    /// Rescan for compliance, compare with baselines and diagnose failures.
    Validate(PendingArgs),

    /// Compliance, time-to-patch and exception reports.
    Report(PendingArgs),
}

/// Arguments of a subcommand that is not built yet: accepted and ignored, so
/// the command can say so plainly instead of failing on an unknown flag.
#[derive(Debug, Args)]
pub struct PendingArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

/// The full clap command, for completions, the man page and tests.
pub fn command() -> clap::Command {
    Cli::command()
}
