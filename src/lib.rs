//! patchpilot: take a fleet of servers through the whole patch lifecycle.
//!
//! The binary in `main.rs` only parses arguments, sets up output and maps the
//! result to an exit code. Everything else lives here, one module per
//! concept: `cli` describes what was typed, `settings` resolves it into
//! validated settings, `commands` orchestrates one subcommand each, and the
//! domain modules (`fleet`, `transport`, `facts`, `artifact`, `output`, …)
//! do the work.

pub mod advisory;
pub mod artifact;
pub mod cli;
pub mod commands;
pub mod exit_code;
pub mod output;
pub mod risk;
pub mod settings;
