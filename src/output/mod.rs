//! Everything patchpilot prints goes through here.
//!
//! Data (tables, artifacts) goes to stdout; progress, status, warnings and
//! errors go to stderr. One [`Printer`] owns both streams behind locks so that
//! output from parallel host workers never interleaves mid-line. Errors are
//! rendered as `error: …`, indented `caused by: …` lines and an optional
//! `hint: …`, with values in backticks so they read without colour.

mod progress;

use std::fmt::{Display, Write as _};
use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

pub use progress::Progress;

/// How data is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Whether colour escapes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Decides for a stream; `NO_COLOR` (any non-empty value) turns `auto` off.
    fn enabled_for(self, is_terminal: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        }
    }
}

/// An error the operator can act on: carries a hint and the exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
    pub code: i32,
}

impl UserError {
    /// A usage error: bad arguments, configuration or input.
    pub fn usage(message: impl Into<String>) -> Self {
        UserError { message: message.into(), hint: None, code: crate::exit_code::USAGE }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The exit code an error maps to: the first [`UserError`] in its chain
/// decides, anything else is a plain failure.
pub fn exit_code_of(error: &anyhow::Error) -> i32 {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<UserError>().map(|user| user.code))
        .unwrap_or(crate::exit_code::FAILURE)
}

/// The single writer of stdout and stderr.
#[derive(Debug)]
#[expect(clippy::struct_excessive_bools, reason = "independent switches, not a state machine")]
pub struct Printer {
    format: Format,
    quiet: bool,
    stderr_color: bool,
    stdout_color: bool,
    stderr_is_terminal: bool,
    stdout: Mutex<io::Stdout>,
    stderr: Mutex<io::Stderr>,
}

impl Printer {
    pub fn new(format: Format, color: ColorChoice, quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let stderr_is_terminal = io::stderr().is_terminal();
        Printer {
            format,
            quiet,
            stderr_color: color.enabled_for(stderr_is_terminal, no_color),
            stdout_color: color.enabled_for(io::stdout().is_terminal(), no_color),
            stderr_is_terminal,
            stdout: Mutex::new(io::stdout()),
            stderr: Mutex::new(io::stderr()),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Whether tables on stdout may carry colour.
    pub fn stdout_color(&self) -> bool {
        self.stdout_color
    }

    /// Progress bars are drawn only on a terminal, only for people, and never
    /// under `--quiet`.
    pub fn wants_progress(&self) -> bool {
        self.stderr_is_terminal && self.format == Format::Human && !self.quiet
    }

    /// Writes data to stdout, followed by a newline.
    pub fn data(&self, text: impl Display) {
        let mut stdout = lock(&self.stdout);
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }

    /// Writes a value as pretty JSON to stdout.
    pub fn json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        self.json_in(value, crate::artifact::Layout::Pretty)
    }

    /// Writes a value as JSON in an artifact's own layout to stdout.
    pub fn json_in<T: Serialize>(
        &self,
        value: &T,
        layout: crate::artifact::Layout,
    ) -> anyhow::Result<()> {
        let mut stdout = lock(&self.stdout);
        crate::artifact::write_layout(&mut *stdout, value, layout)?;
        let _ = stdout.flush();
        Ok(())
    }

    /// Writes one JSON Lines event to stderr (machine-readable progress).
    pub fn event<T: Serialize>(&self, event: &T) {
        if let Ok(line) = serde_json::to_string(event) {
            self.stderr_line(&line);
        }
    }

    /// A status line on stderr for people; silent under `--quiet` and `--format json`.
    pub fn status(&self, text: impl Display) {
        if !self.quiet && self.format == Format::Human {
            self.stderr_line(&text.to_string());
        }
    }

    /// A warning the operator should act on.
    pub fn warning(&self, text: impl Display) {
        if !self.quiet {
            let label = self.paint_stderr("warning:", AnsiColor::Yellow);
            self.stderr_line(&format!("{label} {text}"));
        }
    }

    /// Renders an error with its causes and hint.
    pub fn error(&self, error: &anyhow::Error) {
        let mut text = format!("{} {error}", self.paint_stderr("error:", AnsiColor::Red));
        let mut hint = None;
        for cause in error.chain() {
            if let Some(user) = cause.downcast_ref::<UserError>() {
                hint = hint.or(user.hint.clone());
            }
        }
        for cause in error.chain().skip(1) {
            let _ = write!(text, "\n  caused by: {cause}");
        }
        if let Some(hint) = hint {
            let _ = write!(text, "\n\n{} {hint}", self.paint_stderr("hint:", AnsiColor::Cyan));
        }
        self.stderr_line(&text);
    }

    fn paint_stderr(&self, label: &str, color: AnsiColor) -> String {
        if self.stderr_color {
            let style = Style::new().bold().fg_color(Some(color.into()));
            format!("{style}{label}{style:#}")
        } else {
            label.to_string()
        }
    }

    fn stderr_line(&self, line: &str) {
        let mut stderr = lock(&self.stderr);
        let _ = writeln!(stderr, "{line}");
    }
}

/// A poisoned lock only means another thread panicked while printing; the
/// stream itself is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sets up `tracing` on stderr: warnings by default, `-v` debug, `-vv` trace.
/// `PATCHPILOT_LOG` (an env-filter directive) overrides.
pub fn init_logging(verbosity: u8, quiet: bool, color: bool) {
    let default = match (quiet, verbosity) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "patchpilot=debug",
        (false, _) => "patchpilot=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PATCHPILOT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(color)
        .with_target(false)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_auto_off_but_not_always() {
        assert!(!ColorChoice::Auto.enabled_for(true, true));
        assert!(ColorChoice::Auto.enabled_for(true, false));
        assert!(!ColorChoice::Auto.enabled_for(false, false));
        assert!(ColorChoice::Always.enabled_for(false, true));
        assert!(!ColorChoice::Never.enabled_for(true, false));
    }

    #[test]
    fn user_error_deep_in_chain_sets_exit_code() {
        let error = anyhow::Error::new(UserError::usage("bad field")).context("reading hosts.toml");
        assert_eq!(exit_code_of(&error), crate::exit_code::USAGE);
        assert_eq!(exit_code_of(&anyhow::anyhow!("disk")), crate::exit_code::FAILURE);
    }
}
