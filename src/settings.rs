//! Resolved, validated settings: what commands actually run on.
//!
//! Flags, `PATCHPILOT_*` environment variables and files are merged here, once,
//! and every mistake is reported before any host is contacted. Commands take
//! these types, never clap's.

use std::io::IsTerminal;

use crate::cli::{ColorArg, FormatArg, GlobalArgs};
use crate::output::{ColorChoice, Format};

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
fn default_operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}
