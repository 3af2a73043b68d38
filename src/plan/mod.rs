//! Building a plan: assessment + policy → `plan.json`.
//!
//! The steps are separate modules, run in order by [`build`]: [`input`]
//! reads the assessment, [`triage`] decides per finding whether it is
//! patched now, held back or left out, [`waves`] orders the changes into a
//! canary and waves of batches, [`schedule`] packs them into window slots,
//! and [`digest`] pins the patch set. [`diff`] compares two plans and
//! [`show`] renders one as tables. Nothing here reads the clock: "now" is
//! an argument, so the same inputs always give the same bytes.

pub mod diff;
pub mod digest;
pub mod input;
mod schedule;
pub mod show;
mod triage;
mod waves;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::artifact::ArtifactMeta;
use crate::artifact::plan::{
    Batch, HostChange, LeftOut, PlanArtifact, PlanSummary, RebootPlan, SCHEMA_VERSION, SlaMiss,
    Track, Wave,
};
use crate::policy::Policy;
use crate::policy::access;
use crate::policy::capacity::RebootMode;
use crate::policy::window;

pub use schedule::OUTSIDE_WINDOWS;

use input::PlanInput;
use schedule::Schedule;
use triage::Change;
use waves::WaveDraft;

/// What a plan is built for, besides its inputs.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Planning starts here; also the artifact's `created_at`.
    pub now: Timestamp,
    pub operator: String,
}

/// Builds a plan. `meta.inputs` is left empty for the caller to fill with
/// the digests of the files it read.
pub fn build(input: &PlanInput, policy: &Policy, options: &PlanOptions) -> PlanArtifact {
    let zone = policy.time_zone();
    let today = zone.to_datetime(options.now).date();
    let horizon = SignedDuration::from_hours(24 * i64::from(policy.scheduling.horizon_days));
    let until = options.now + horizon;

    let triaged = triage::triage(&input.hosts, policy, today);
    let (drafts, unmatched) = waves::arrange(&triaged.changes, policy);
    let schedule = schedule::schedule(&triaged.changes, &drafts, policy, options.now, until);

    let (waves, changes) = assemble(&triaged.changes, &drafts, &schedule);
    let mut left_out = triaged.left_out;
    left_out.extend(unmatched);
    left_out.extend(schedule.unplaced.iter().map(|&index| unplaced(&triaged.changes[index], policy)));
    left_out.sort_by(|a, b| (&a.host, &a.reason).cmp(&(&b.host, &b.reason)));
    left_out.dedup();

    let mut held_back = triaged.held_back;
    held_back.sort_by(|a, b| (&a.host, &a.package, &a.cves).cmp(&(&b.host, &b.package, &b.cves)));

    let sla_misses = sla_misses(&triaged.changes, &changes, &schedule, policy);
    let mut meta = ArtifactMeta::new("plan", SCHEMA_VERSION, &options.operator);
    meta.created_at = options.now;

    let mut plan = PlanArtifact {
        meta,
        planned_from: options.now,
        horizon_end: until,
        timezone: policy.timezone.clone(),
        patch_set: digest::patch_set(&changes),
        summary: PlanSummary::default(),
        approvals_required: required_approvals(&changes, policy),
        throttle: policy.throttle.clone(),
        waves,
        changes,
        left_out,
        held_back,
        sla_misses,
    };
    plan.summary = summarise(&plan);
    plan
}

/// Turns drafts and slots into the artifact's waves and changes, dropping
/// batches and waves left empty by hosts that fitted nowhere.
fn assemble(changes: &[Change], drafts: &[WaveDraft], schedule: &Schedule) -> (Vec<Wave>, Vec<HostChange>) {
    let mut waves = Vec::new();
    let mut planned = Vec::new();
    for (draft, times) in drafts.iter().zip(&schedule.batch_times) {
        let wave_index = waves.len() + 1;
        let mut batches = Vec::new();
        for (members, time) in draft.batches.iter().zip(times) {
            let Some((start, end)) = *time else { continue };
            let placed: Vec<usize> =
                members.iter().copied().filter(|i| schedule.slots.contains_key(i)).collect();
            let batch = batches.len() + 1;
            for &index in &placed {
                planned.push(host_change(&changes[index], draft, wave_index, batch, schedule, index));
            }
            let hosts = placed.iter().map(|&i| changes[i].profile.name.clone()).collect();
            batches.push(Batch { index: batch, hosts, start, end });
        }
        if !batches.is_empty() {
            waves.push(Wave {
                index: wave_index,
                track: draft.track,
                name: draft.name.clone(),
                canary: draft.canary,
                max_failures: draft.max_failures,
                batches,
            });
        }
    }
    planned.sort_by(|a, b| {
        (a.wave_index, a.batch, a.slot.start, &a.host).cmp(&(b.wave_index, b.batch, b.slot.start, &b.host))
    });
    (waves, planned)
}

fn host_change(
    change: &Change,
    draft: &WaveDraft,
    wave_index: usize,
    batch: usize,
    schedule: &Schedule,
    index: usize,
) -> HostChange {
    let (mode, will_reboot) = schedule.reboots.get(&index).copied().unwrap_or((RebootMode::IfRequired, false));
    let profile = &change.profile;
    HostChange {
        host: profile.name.clone(),
        environment: profile.environment.clone(),
        cluster: profile.cluster.clone(),
        groups: profile.groups.clone(),
        tier: profile.tier.clone(),
        track: change.track,
        wave: draft.name.clone(),
        wave_index,
        batch,
        slot: schedule.slots[&index].clone(),
        sla_deadline: change.sla_deadline(),
        reboot: RebootPlan { mode, expected: change.reboot_expected(), will_reboot },
        packages: change.packages.clone(),
        reasons: change.reasons.clone(),
    }
}

fn unplaced(change: &Change, policy: &Policy) -> LeftOut {
    let track = match change.track {
        Track::Emergency => "emergency",
        Track::Scheduled => "scheduled",
    };
    LeftOut {
        host: change.profile.name.clone(),
        reason: format!(
            "{track} change fits no window slot within `horizon_days = {}` \
             (no window applies, or windows are full or frozen)",
            policy.scheduling.horizon_days
        ),
    }
}

/// The instant a deadline day ends in the policy's time zone.
fn end_of_day(policy: &Policy, day: Date) -> Timestamp {
    let next = day.checked_add(1.day()).unwrap_or(day);
    window::instant(&policy.time_zone(), next, Time::midnight())
}

/// Planned changes that end after their deadline, and unplaced changes
/// that have one.
fn sla_misses(changes: &[Change], planned: &[HostChange], schedule: &Schedule, policy: &Policy) -> Vec<SlaMiss> {
    let mut misses: Vec<SlaMiss> = planned
        .iter()
        .filter_map(|change| {
            let deadline = change.sla_deadline?;
            (change.slot.end > end_of_day(policy, deadline)).then(|| SlaMiss {
                host: change.host.clone(),
                track: change.track,
                deadline,
                slot_end: Some(change.slot.end),
                packages: late_packages(&change.packages, change.slot.end, policy),
            })
        })
        .collect();

    for &index in &schedule.unplaced {
        let change = &changes[index];
        if let Some(deadline) = change.sla_deadline() {
            misses.push(SlaMiss {
                host: change.profile.name.clone(),
                track: change.track,
                deadline,
                slot_end: None,
                packages: change.packages.iter().map(|p| p.name.clone()).collect(),
            });
        }
    }
    misses.sort_by(|a, b| (&a.host, a.track).cmp(&(&b.host, b.track)));
    misses
}

fn late_packages(packages: &[crate::artifact::plan::PackageChange], end: Timestamp, policy: &Policy) -> Vec<String> {
    packages
        .iter()
        .filter(|package| package.sla_deadline.is_some_and(|deadline| end > end_of_day(policy, deadline)))
        .map(|package| package.name.clone())
        .collect()
}

/// Per environment in the plan, the roles that must sign it; emergency
/// roles apply where every change in the environment is an emergency.
pub fn required_approvals(changes: &[HostChange], policy: &Policy) -> BTreeMap<String, Vec<String>> {
    let mut tracks: BTreeMap<String, BTreeSet<Track>> = BTreeMap::new();
    for change in changes {
        let environment = change.environment.clone().unwrap_or_else(|| digest::NO_ENVIRONMENT.to_string());
        tracks.entry(environment).or_default().insert(change.track);
    }
    tracks
        .into_iter()
        .map(|(environment, tracks)| {
            let emergency_only = !tracks.contains(&Track::Scheduled);
            let roles = access::required_roles(&policy.approvals, &environment, emergency_only);
            (environment, roles)
        })
        .collect()
}

fn summarise(plan: &PlanArtifact) -> PlanSummary {
    let hosts: BTreeSet<&str> = plan.changes.iter().map(|change| change.host.as_str()).collect();
    let emergency = plan.changes.iter().filter(|c| c.track == Track::Emergency).count();
    PlanSummary {
        hosts: hosts.len(),
        changes: plan.changes.len(),
        emergency_changes: emergency,
        scheduled_changes: plan.changes.len() - emergency,
        package_changes: plan.changes.iter().map(|change| change.packages.len()).sum(),
        left_out: plan.left_out.len(),
        held_back: plan.held_back.len(),
        sla_misses: plan.sla_misses.len(),
        first_start: plan.changes.iter().map(|change| change.slot.start).min(),
        last_end: plan.changes.iter().map(|change| change.slot.end).max(),
    }
}
