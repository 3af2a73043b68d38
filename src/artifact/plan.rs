//! `plan.json`: exactly what will change where and when, ready to approve.
//!
//! A plan is made from an assessment and a policy and is deterministic: the
//! same inputs and the same `--now` give byte-identical files, because every
//! list is sorted and nothing reads the clock. It pins each host's packages
//! (`installed → target`), gives every change a wave, a batch and a window
//! slot, and lists what was left out and why. `patch_set` digests the
//! pinned packages so staging and production provably receive the same
//! versions; approvals sign the digest of the whole file (see
//! `crate::approval`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ArtifactMeta;
use crate::policy::capacity::{RebootMode, Throttle};
use crate::policy::exception::ExceptionKind;
use crate::policy::sla::Severity;
use crate::policy::threshold::FailureBudget;

/// Current shape of `plan.json`.
pub const SCHEMA_VERSION: u32 = 1;

/// The artifact written by `patchpilot plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanArtifact {
    pub meta: ArtifactMeta,
    /// No slot starts before this instant (`--now`).
    #[schemars(with = "String")]
    pub planned_from: Timestamp,
    /// Slots were searched up to this instant.
    #[schemars(with = "String")]
    pub horizon_end: Timestamp,
    /// Time zone SLA deadlines are read in (the end of the deadline's day).
    pub timezone: String,
    pub patch_set: PatchSet,
    pub summary: PlanSummary,
    /// Roles that must sign this plan, by environment.
    pub approvals_required: BTreeMap<String, Vec<String>>,
    pub throttle: Throttle,
    /// Waves in execution order: emergency track first, canary first in each.
    pub waves: Vec<Wave>,
    /// One entry per host and track, in execution order.
    pub changes: Vec<HostChange>,
    /// Hosts with nothing planned, and why.
    pub left_out: Vec<LeftOut>,
    /// Findings not patched by this plan, and why.
    pub held_back: Vec<HeldBack>,
    /// Changes whose slot ends after their SLA deadline.
    pub sla_misses: Vec<SlaMiss>,
}

/// The pinned packages and their digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PatchSet {
    /// sha256 over the sorted, distinct `name=version` lines of every
    /// pinned target, each ending in a newline.
    pub sha256: String,
    /// The same digest over each environment's targets alone, so staging
    /// and production can be compared.
    pub by_environment: BTreeMap<String, String>,
    pub packages: Vec<PinnedPackage>,
}

/// A package at the version every host in the plan is taken to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct PinnedPackage {
    pub name: String,
    pub version: String,
}

/// Counts for the summary table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanSummary {
    /// Distinct hosts with at least one change.
    pub hosts: usize,
    pub changes: usize,
    pub emergency_changes: usize,
    pub scheduled_changes: usize,
    /// Package upgrades over all changes.
    pub package_changes: usize,
    pub left_out: usize,
    pub held_back: usize,
    pub sla_misses: usize,
    #[schemars(with = "Option<String>")]
    pub first_start: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    pub last_end: Option<Timestamp>,
}

/// Emergency changes run first and may leave the windows; scheduled ones wait.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Track {
    Emergency,
    Scheduled,
}

/// How urgent `assess` judged a finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    Emergency,
    Scheduled,
    Deferrable,
}

/// One wave: batches run one after another, each after the previous ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Wave {
    /// Position in execution order, from 1.
    pub index: usize,
    pub track: Track,
    pub name: String,
    pub canary: bool,
    /// The rollout stops when this is exceeded (`policy::threshold`).
    pub max_failures: FailureBudget,
    pub batches: Vec<Batch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Batch {
    /// Position within the wave, from 1.
    pub index: usize,
    pub hosts: Vec<String>,
    #[schemars(with = "String")]
    pub start: Timestamp,
    #[schemars(with = "String")]
    pub end: Timestamp,
}

/// Everything that happens to one host in one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HostChange {
    pub host: String,
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub groups: Vec<String>,
    pub tier: Option<String>,
    pub track: Track,
    /// Wave name and its execution index.
    pub wave: String,
    pub wave_index: usize,
    pub batch: usize,
    pub slot: Slot,
    /// The earliest deadline among the packages.
    #[schemars(with = "Option<String>")]
    pub sla_deadline: Option<Date>,
    pub reboot: RebootPlan,
    pub packages: Vec<PackageChange>,
    /// Why the host is in the plan: `emergency`, `scheduled`, `eol: …`,
    /// `exception … expired …`.
    pub reasons: Vec<String>,
}

/// When a change runs and in which window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Slot {
    /// Window name, or `outside-windows` for an emergency let out of them.
    pub window: String,
    #[schemars(with = "String")]
    pub start: Timestamp,
    #[schemars(with = "String")]
    pub end: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RebootPlan {
    pub mode: RebootMode,
    /// Whether any of the packages needs a reboot to take effect.
    pub expected: bool,
    pub will_reboot: bool,
}

/// One package upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackageChange {
    pub name: String,
    pub installed: String,
    pub target: String,
    pub classification: Classification,
    pub severity: Option<Severity>,
    pub cves: Vec<String>,
    #[schemars(with = "Option<String>")]
    pub sla_deadline: Option<Date>,
    pub reboot_expected: bool,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LeftOut {
    pub host: String,
    pub reason: String,
}

/// Why a finding is not patched by this plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HeldReason {
    Excepted,
    Deferred,
    Deferrable,
    NoFix,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HeldBack {
    pub host: String,
    pub package: String,
    pub installed: String,
    pub target: Option<String>,
    pub classification: Classification,
    pub cves: Vec<String>,
    pub reason: HeldReason,
    pub exception: Option<ExceptionRef>,
    /// Unchanged by any exception: the SLA clock never resets.
    #[schemars(with = "Option<String>")]
    pub sla_deadline: Option<Date>,
    /// The deadline falls before the exception expires.
    pub deadline_passes_while_held: bool,
}

/// The exception or deferral that holds a finding back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExceptionRef {
    pub id: String,
    pub kind: ExceptionKind,
    pub owner: String,
    pub reason: String,
    pub compensating_control: String,
    #[schemars(with = "String")]
    pub expires: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlaMiss {
    pub host: String,
    pub track: Track,
    #[schemars(with = "String")]
    pub deadline: Date,
    /// `None` when no slot was found within the horizon.
    #[schemars(with = "Option<String>")]
    pub slot_end: Option<Timestamp>,
    pub packages: Vec<String>,
}

#[cfg(test)]
mod tests {
    /// The committed schema must match the types; regenerate with
    /// `UPDATE_SCHEMAS=1 cargo test --lib artifact::plan`.
    #[test]
    fn committed_plan_schema_is_current() {
        let (_, schema) = super::super::schemas()
            .into_iter()
            .find(|(name, _)| *name == "plan.schema.json")
            .expect("plan schema is listed");
        let mut text = serde_json::to_string_pretty(&schema).unwrap();
        text.push('\n');
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan.schema.json");
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "`schemas/plan.schema.json` is stale; rerun with UPDATE_SCHEMAS=1"
        );
    }
}
