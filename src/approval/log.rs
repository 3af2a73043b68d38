//! The append-only approval log: `<plan>.approvals/log.jsonl`.
//!
//! One JSON object per line for every approval made and every refusal, so
//! a refused attempt leaves a trace even though it produced no signature.
//! Lines are only ever appended; a line is written with one `write` call so
//! concurrent writers cannot interleave within a line.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{ApprovalError, approvals_dir};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogEvent {
    Approved,
    Refused,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: Timestamp,
    pub event: LogEvent,
    pub plan_sha256: String,
    pub role: String,
    pub operator: String,
    /// The key fingerprint for an approval, the reason for a refusal.
    pub detail: String,
}

fn log_path(plan: &Path) -> PathBuf {
    approvals_dir(plan).join("log.jsonl")
}

/// Appends one entry to the plan's log, creating it if needed.
pub fn append(plan: &Path, entry: &LogEntry) -> Result<(), ApprovalError> {
    let path = log_path(plan);
    let write_error = |source| ApprovalError::Write { path: path.clone(), source };
    std::fs::create_dir_all(approvals_dir(plan)).map_err(write_error)?;

    let mut line = serde_json::to_vec(entry).map_err(|error| write_error(error.into()))?;
    line.push(b'\n');
    let mut file =
        std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(write_error)?;
    file.write_all(&line).map_err(write_error)?;
    file.sync_all().map_err(write_error)
}

/// Every entry of the plan's log; an absent log is empty.
pub fn read(plan: &Path) -> Result<Vec<LogEntry>, ApprovalError> {
    let path = log_path(plan);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(ApprovalError::Read { path, source }),
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).map_err(|error| ApprovalError::BadPlan {
                path: path.clone(),
                message: error.to_string(),
            })
        })
        .collect()
}
