//! patchpilot: take a fleet of servers through the whole patch lifecycle.
//!
//! The binary in `main.rs` only parses arguments, sets up output and maps the
//! result to an exit code. Everything else lives here, one module per
//! concept: `cli` describes what was typed, `settings` resolves it into
//! validated settings, `commands` orchestrates one subcommand each, and the
//! domain modules (`fleet`, `transport`, `facts`, `artifact`, `output`, …)
//! do the work.

pub mod advisory;
pub mod approval;
pub mod artifact;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod discovery;
pub mod eol;
pub mod execute;
pub mod exit_code;
pub mod facts;
pub mod fleet;
pub mod output;
pub mod plan;
pub mod policy;
pub mod report;
pub mod risk;
pub mod settings;
pub mod transport;
