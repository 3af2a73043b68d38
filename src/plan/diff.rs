//! What changed between two plans.
//!
//! Changes are matched by host and track. The diff reports hosts that
//! entered or left the plan, packages whose target moved, changes that moved
//! to another wave, batch or slot, and differences in what was left out or
//! which roles must approve, so a reviewer re-approving a regenerated plan
//! sees exactly what their new signature covers.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::artifact::plan::{HostChange, PlanArtifact, Track};

/// Everything that differs, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    pub patch_set_before: String,
    pub patch_set_after: String,
    /// `(host, track)` present only in the new plan.
    pub added: Vec<(String, Track)>,
    /// `(host, track)` present only in the old plan.
    pub removed: Vec<(String, Track)>,
    pub packages: Vec<PackageDelta>,
    pub moves: Vec<Move>,
    /// Left-out entries `host: reason` only in the new plan.
    pub newly_left_out: Vec<String>,
    /// Left-out entries only in the old plan.
    pub no_longer_left_out: Vec<String>,
    pub approvals_before: BTreeMap<String, Vec<String>>,
    pub approvals_after: BTreeMap<String, Vec<String>>,
}

/// A package target that appeared, vanished or moved on one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageDelta {
    pub host: String,
    pub track: Track,
    pub package: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A change that runs at another place in the order or at another time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub host: String,
    pub track: Track,
    /// `wave/batch @ start` before and after.
    pub before: String,
    pub after: String,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.patch_set_before == self.patch_set_after
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.packages.is_empty()
            && self.moves.is_empty()
            && self.newly_left_out.is_empty()
            && self.no_longer_left_out.is_empty()
            && self.approvals_before == self.approvals_after
    }
}

type Key = (String, Track);

fn by_key(plan: &PlanArtifact) -> BTreeMap<Key, &HostChange> {
    plan.changes.iter().map(|change| ((change.host.clone(), change.track), change)).collect()
}

/// Compares plan `old` with plan `new`.
pub fn diff(old: &PlanArtifact, new: &PlanArtifact) -> PlanDiff {
    let before = by_key(old);
    let after = by_key(new);
    let mut result = PlanDiff {
        patch_set_before: old.patch_set.sha256.clone(),
        patch_set_after: new.patch_set.sha256.clone(),
        approvals_before: old.approvals_required.clone(),
        approvals_after: new.approvals_required.clone(),
        ..PlanDiff::default()
    };

    result.added = after.keys().filter(|key| !before.contains_key(*key)).cloned().collect();
    result.removed = before.keys().filter(|key| !after.contains_key(*key)).cloned().collect();
    for (key, old_change) in &before {
        if let Some(new_change) = after.get(key) {
            result.packages.extend(package_deltas(old_change, new_change));
            result.moves.extend(moved(old_change, new_change));
        }
    }

    let old_left = left_out_lines(old);
    let new_left = left_out_lines(new);
    result.newly_left_out = new_left.difference(&old_left).cloned().collect();
    result.no_longer_left_out = old_left.difference(&new_left).cloned().collect();
    result
}

fn package_deltas(old: &HostChange, new: &HostChange) -> Vec<PackageDelta> {
    let targets = |change: &HostChange| -> BTreeMap<String, String> {
        change.packages.iter().map(|p| (p.name.clone(), p.target.clone())).collect()
    };
    let (before, after) = (targets(old), targets(new));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| PackageDelta {
            host: old.host.clone(),
            track: old.track,
            package: name.clone(),
            before: before.get(name).cloned(),
            after: after.get(name).cloned(),
        })
        .collect()
}

fn placement(change: &HostChange) -> String {
    format!("{}/{} @ {}", change.wave, change.batch, change.slot.start)
}

fn moved(old: &HostChange, new: &HostChange) -> Option<Move> {
    let (before, after) = (placement(old), placement(new));
    (before != after).then(|| Move { host: old.host.clone(), track: old.track, before, after })
}

fn left_out_lines(plan: &PlanArtifact) -> BTreeSet<String> {
    plan.left_out.iter().map(|entry| format!("{}: {}", entry.host, entry.reason)).collect()
}
