//! Resolved, validated settings: what commands actually run on.
//!
//! Flags, `PATCHPILOT_*` environment variables and files are merged here, once,
//! and every mistake is reported before any host is contacted. Commands take
//! these types, never clap's.

use std::io::IsTerminal;

use crate::cli::{ColorArg, FormatArg, GlobalArgs};
use crate::output::{ColorChoice, Format};

mod connection;
mod inventory;

pub use connection::{ConnectionDefaults, ConnectionResolver};
pub use inventory::InventorySettings;

/// Settings every command shares.
#[derive(Debug, Clone)]
pub struct GlobalSettings {
    pub format: Format,
    pub color: ColorChoice,
    pub verbosity: u8,
    pub quiet: bool,
    /// `--format csv`: commands that list records print them as CSV;
    /// `format` is then `Human` for everything else.
    pub csv: bool,
    /// Who runs this; recorded in artifacts and audit entries.
    pub operator: String,
}

impl GlobalSettings {
    pub fn resolve(args: &GlobalArgs) -> Self {
        GlobalSettings {
            format: match args.format {
                FormatArg::Human | FormatArg::Csv => Format::Human,
                FormatArg::Json => Format::Json,
            },
            csv: args.format == FormatArg::Csv,
            color: match args.color {
                ColorArg::Auto => ColorChoice::Auto,
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
            },
            verbosity: args.verbose,
            quiet: args.quiet,
            operator: args.operator.clone().unwrap_or_else(default_operator),
        }
    }

    /// Whether log lines on stderr may carry colour.
    pub fn log_color(&self) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && !no_color,
        }
    }
}

/// `SUDO_USER` names the person behind `sudo patchpilot …`; `USER` otherwise.
pub(crate) fn default_operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// What `patchpilot plan` was asked to do, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSettings {
    Build {
        assessment: std::path::PathBuf,
        policy: std::path::PathBuf,
        output: std::path::PathBuf,
        /// `--now`, or the clock read once here; planning itself never reads it.
        now: jiff::Timestamp,
    },
    Show {
        plan: std::path::PathBuf,
    },
    Diff {
        old: std::path::PathBuf,
        new: std::path::PathBuf,
    },
    CheckPolicy {
        policy: std::path::PathBuf,
    },
}

impl PlanSettings {
    pub fn resolve(args: crate::cli::PlanArgs) -> Result<Self, crate::output::UserError> {
        use crate::cli::PlanCommand;
        Ok(match args.command {
            Some(PlanCommand::Show(show)) => PlanSettings::Show { plan: show.plan },
            Some(PlanCommand::Diff(diff)) => PlanSettings::Diff { old: diff.old, new: diff.new },
            Some(PlanCommand::CheckPolicy(check)) => {
                PlanSettings::CheckPolicy { policy: check.policy }
            }
            None => PlanSettings::Build {
                assessment: args.assessment,
                policy: args.policy,
                output: args.output,
                now: match args.now {
                    Some(text) => parse_now(&text)?,
                    None => jiff::Timestamp::now()
                        .round(jiff::Unit::Second)
                        .unwrap_or_else(|_| jiff::Timestamp::now()),
                },
            },
        })
    }
}

/// Parses `--now`: an RFC 3339 instant, or a date meaning its midnight UTC.
pub fn parse_now(text: &str) -> Result<jiff::Timestamp, crate::output::UserError> {
    if let Ok(instant) = text.parse::<jiff::Timestamp>() {
        return Ok(instant);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|date| date.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|zoned| zoned.timestamp())
        .ok_or_else(|| {
            crate::output::UserError::usage(format!("`--now {text}` is not a time")).with_hint(
                "give an RFC 3339 time like `2026-08-22T06:00:00Z` or a date like `2026-08-22`",
            )
        })
}

/// What `patchpilot approve` was asked to do, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproveSettings {
    Sign {
        plan: std::path::PathBuf,
        key: std::path::PathBuf,
        role: String,
        policy: std::path::PathBuf,
    },
    Verify {
        plan: std::path::PathBuf,
        policy: std::path::PathBuf,
    },
    AllowedSigners {
        policy: std::path::PathBuf,
    },
}

impl ApproveSettings {
    pub fn resolve(args: crate::cli::ApproveArgs) -> Result<Self, crate::output::UserError> {
        if args.allowed_signers {
            return Ok(ApproveSettings::AllowedSigners { policy: args.policy });
        }
        if args.verify {
            return Ok(ApproveSettings::Verify { plan: args.plan, policy: args.policy });
        }
        match (args.key, args.role) {
            (Some(key), Some(role)) => {
                Ok(ApproveSettings::Sign { plan: args.plan, key, role, policy: args.policy })
            }
            _ => Err(crate::output::UserError::usage("`approve` needs both `--key` and `--role`")),
        }
    }
}
