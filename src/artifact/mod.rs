//! The JSON artifacts that chain the steps together.
//!
//! Every artifact starts with the same [`ArtifactMeta`]: its kind and schema
//! version, the tool version, when and by whom it was made, and the sha256
//! of every input artifact it was made from, so a plan can prove which
//! inventory and assessment it came from. Artifacts are written only through
//! [`write_atomically`]: a reader never sees half a file, and a crash leaves
//! the previous artifact in place. Each artifact type has a committed JSON
//! Schema under `schemas/`; a test fails when one is stale.

pub mod assessment;
mod atomic;
pub mod inventory;
mod layout;
pub mod plan;

use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use atomic::{write_atomically, write_atomically_with};
pub use layout::{Layout, write as write_layout};

/// Identifies the artifact and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactMeta {
    /// `inventory`, `assessment`, `plan`, …
    pub kind: String,
    /// Bumped on any incompatible change of this artifact's shape.
    pub schema_version: u32,
    /// `patchpilot` and its version, e.g. `patchpilot 0.1.0`.
    pub tool: String,
    /// RFC 3339 time of creation, UTC.
    #[schemars(with = "String")]
    pub created_at: Timestamp,
    /// Who ran the command (`--operator`, `SUDO_USER` or `USER`).
    pub operator: String,
    /// The files this artifact was made from.
    pub inputs: Vec<InputDigest>,
}

/// One input file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InputDigest {
    /// What the file was used as: `inventory-file`, `cmdb`, `eol-data`, …
    pub role: String,
    pub path: PathBuf,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
}

impl ArtifactMeta {
    pub fn new(kind: &str, schema_version: u32, operator: &str) -> Self {
        ArtifactMeta {
            kind: kind.to_string(),
            schema_version,
            tool: format!("patchpilot {}", env!("CARGO_PKG_VERSION")),
            created_at: Timestamp::now(),
            operator: operator.to_string(),
            inputs: Vec::new(),
        }
    }

    /// Records an input file's digest; inputs are kept sorted for determinism.
    pub fn record_input(&mut self, role: &str, path: &Path) -> anyhow::Result<()> {
        let bytes = std::fs::read(path).with_context(|| format!("reading `{}`", path.display()))?;
        self.inputs.push(InputDigest {
            role: role.to_string(),
            path: path.to_path_buf(),
            sha256: sha256_hex(&bytes),
        });
        self.inputs.sort_by(|a, b| (&a.role, &a.path).cmp(&(&b.role, &b.path)));
        Ok(())
    }
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Serialises an artifact in `layout` with a trailing newline and writes it
/// atomically.
pub fn save<T: Serialize>(path: &Path, artifact: &T, layout: Layout) -> anyhow::Result<()> {
    write_atomically_with(path, |writer| layout::write(writer, artifact, layout))
        .with_context(|| format!("writing `{}`", path.display()))
}

/// Every artifact type's JSON Schema, by file name under `schemas/`.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "inventory.schema.json",
            serde_json::to_value(schemars::schema_for!(inventory::InventoryArtifact))
                .expect("a schema always serialises"),
        ),
        (
            "plan.schema.json",
            serde_json::to_value(schemars::schema_for!(plan::PlanArtifact))
                .expect("a schema always serialises"),
        ),
        (
            "assessment.schema.json",
            serde_json::to_value(schemars::schema_for!(assessment::AssessmentArtifact))
                .expect("a schema always serialises"),
        ),
    ]
}
