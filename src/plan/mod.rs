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
    left_out
        .extend(schedule.unplaced.iter().map(|&index| unplaced(&triaged.changes[index], policy)));
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
fn assemble(
    changes: &[Change],
    drafts: &[WaveDraft],
    schedule: &Schedule,
) -> (Vec<Wave>, Vec<HostChange>) {
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
                planned.push(host_change(
                    &changes[index],
                    draft,
                    wave_index,
                    batch,
                    schedule,
                    index,
                ));
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
        (a.wave_index, a.batch, a.slot.start, &a.host).cmp(&(
            b.wave_index,
            b.batch,
            b.slot.start,
            &b.host,
        ))
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
    let (mode, will_reboot) =
        schedule.reboots.get(&index).copied().unwrap_or((RebootMode::IfRequired, false));
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
fn sla_misses(
    changes: &[Change],
    planned: &[HostChange],
    schedule: &Schedule,
    policy: &Policy,
) -> Vec<SlaMiss> {
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

fn late_packages(
    packages: &[crate::artifact::plan::PackageChange],
    end: Timestamp,
    policy: &Policy,
) -> Vec<String> {
    packages
        .iter()
        .filter(|package| {
            package.sla_deadline.is_some_and(|deadline| end > end_of_day(policy, deadline))
        })
        .map(|package| package.name.clone())
        .collect()
}

/// Per environment in the plan, the roles that must sign it; emergency
/// roles apply where every change in the environment is an emergency.
pub fn required_approvals(
    changes: &[HostChange],
    policy: &Policy,
) -> BTreeMap<String, Vec<String>> {
    let mut tracks: BTreeMap<String, BTreeSet<Track>> = BTreeMap::new();
    for change in changes {
        let environment =
            change.environment.clone().unwrap_or_else(|| digest::NO_ENVIRONMENT.to_string());
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy::threshold::Tally;

    const ASSESSMENT: &[u8] = include_bytes!("../../tests/fixtures/plan/assessment.json");
    const POLICY: &str = include_str!("../../examples/policy.toml");

    fn policy(text: &str) -> Policy {
        Policy::parse(text, Path::new("policy.toml")).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn options(now: &str) -> PlanOptions {
        PlanOptions { now: at(now), operator: "alice".to_string() }
    }

    fn lab_plan() -> PlanArtifact {
        let input = input::parse(ASSESSMENT).unwrap();
        build(&input, &policy(POLICY), &options("2026-08-22T00:00:00Z"))
    }

    #[test]
    fn lab_plan_puts_canary_hosts_first_from_non_critical_tiers() {
        let plan = lab_plan();
        for track in [Track::Emergency, Track::Scheduled] {
            let first = plan.waves.iter().find(|wave| wave.track == track).unwrap();
            assert!(first.canary, "first {track:?} wave is the canary");
            let canary_hosts = &first.batches[0].hosts;
            for change in plan.changes.iter().filter(|c| c.track == track) {
                let tier = change.tier.as_deref().unwrap_or_default();
                if canary_hosts.contains(&change.host) {
                    assert_ne!(tier, "tier1", "canary {} is from a critical tier", change.host);
                }
            }
            let earliest =
                plan.changes.iter().filter(|c| c.track == track).map(|c| c.slot.start).min();
            let canary_start = first.batches[0].start;
            assert_eq!(Some(canary_start), earliest, "nothing in {track:?} runs before its canary");
        }
        assert_eq!(plan.changes[0].wave, "canary");
        assert_eq!(plan.changes[0].host, "stg-web1", "tier3 is preferred by `[canary] tiers`");
    }

    #[test]
    fn lab_plan_never_has_more_hosts_of_a_cluster_down_than_max_unavailable() {
        let plan = lab_plan();
        let limits = [("pg-main", 1), ("web-eu", 1), ("stg-web", 1)];
        for (cluster, limit) in limits {
            let slots: Vec<&crate::artifact::plan::Slot> = plan
                .changes
                .iter()
                .filter(|change| change.cluster.as_deref() == Some(cluster))
                .map(|change| &change.slot)
                .collect();
            for slot in &slots {
                let overlapping = slots
                    .iter()
                    .filter(|other| other.start < slot.end && slot.start < other.end)
                    .count();
                assert!(
                    overlapping <= limit,
                    "{cluster}: {overlapping} hosts down at {}",
                    slot.start
                );
            }
        }
        let web = plan.changes.iter().filter(|c| c.cluster.as_deref() == Some("web-eu")).count();
        assert_eq!(web, 8, "four web hosts, each on both tracks");
    }

    #[test]
    fn lab_plan_lists_left_out_and_held_back_with_reasons() {
        let plan = lab_plan();
        let reasons: BTreeMap<&str, &str> = plan
            .left_out
            .iter()
            .map(|entry| (entry.host.as_str(), entry.reason.as_str()))
            .collect();
        assert!(reasons["offline1"].starts_with("unreachable"));
        assert!(reasons["legacy1"].starts_with("eol: debian 10"));

        let db1_postgres = plan
            .held_back
            .iter()
            .find(|held| held.host == "db1" && held.package == "postgresql-15")
            .unwrap();
        assert_eq!(db1_postgres.reason, crate::artifact::plan::HeldReason::Excepted);
        assert_eq!(db1_postgres.exception.as_ref().unwrap().id, "EXC-2026-014");
        assert_eq!(
            db1_postgres.sla_deadline,
            Some(jiff::civil::date(2026, 8, 19)),
            "the exception keeps the deadline of first sight + 14 days"
        );
        assert!(db1_postgres.deadline_passes_while_held);
        assert_eq!(plan.approvals_required["production"], ["change-manager", "security"]);
    }

    #[test]
    fn expired_exception_brings_the_finding_back_with_its_original_deadline() {
        let input = input::parse(ASSESSMENT).unwrap();
        let plan = build(&input, &policy(POLICY), &options("2026-10-01T06:00:00Z"));
        let db1 = plan
            .changes
            .iter()
            .find(|c| c.host == "db1" && c.packages.iter().any(|p| p.name == "postgresql-15"))
            .expect("postgresql-15 is planned again once EXC-2026-014 expired");
        let package = db1.packages.iter().find(|p| p.name == "postgresql-15").unwrap();
        assert_eq!(package.sla_deadline, Some(jiff::civil::date(2026, 8, 19)));
        assert!(
            package.notes.iter().any(|note| note.contains("`EXC-2026-014` expired on 2026-10-01"))
        );
        assert!(plan.sla_misses.iter().any(|miss| miss.host == "db1"), "overdue work is reported");
    }

    #[test]
    fn same_inputs_give_byte_identical_plans_whatever_the_host_order() {
        let first = serde_json::to_vec_pretty(&lab_plan()).unwrap();
        let mut input = input::parse(ASSESSMENT).unwrap();
        input.hosts.reverse();
        for host in &mut input.hosts {
            host.findings.reverse();
        }
        let reordered = build(&input, &policy(POLICY), &options("2026-08-22T00:00:00Z"));
        assert_eq!(first, serde_json::to_vec_pretty(&reordered).unwrap());
    }

    #[test]
    fn patch_set_digest_covers_each_environments_pinned_versions() {
        let plan = lab_plan();
        let pinned = |environment: &str| {
            plan.changes
                .iter()
                .filter(|c| c.environment.as_deref() == Some(environment))
                .flat_map(|c| &c.packages)
                .map(|p| crate::artifact::plan::PinnedPackage {
                    name: p.name.clone(),
                    version: p.target.clone(),
                })
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(plan.patch_set.by_environment["staging"], digest::digest(&pinned("staging")));
        assert_eq!(
            plan.patch_set.by_environment["production"],
            digest::digest(&pinned("production"))
        );
        let all: BTreeSet<_> = plan.patch_set.packages.iter().cloned().collect();
        assert_eq!(plan.patch_set.sha256, digest::digest(&all));
        assert_eq!(all.len(), 3, "curl, openssl and postgresql-15 at one version each");
    }

    /// A small policy for packing: one 2-hour window, one host at a time.
    fn packing_policy(window: &str, extra: &str) -> Policy {
        policy(&format!(
            "version = 1\ntimezone = \"Europe/Berlin\"\n[tiers.t]\n\
             sla_days = {{ high = 3 }}\n[scheduling]\nminutes_per_host = 60\n\
             horizon_days = 40\n[throttle]\nmax_concurrent = 1\n[canary]\nsize = 0\n\
             [windows.w]\n{window}\n{extra}"
        ))
    }

    fn hosts(count: usize) -> PlanInput {
        let json = (1..=count)
            .map(|i| {
                format!(
                    r#"{{ "name": "h{i:02}", "environment": "production", "tier": "t",
                    "findings": [ {{ "package": "curl", "installed_version": "1",
                    "fixed_version": "2", "classification": "scheduled", "severity": "high",
                    "first_seen": "2026-03-20" }} ] }}"#
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        input::parse(format!("{{ \"hosts\": [{json}] }}").as_bytes()).unwrap()
    }

    #[test]
    fn hosts_that_do_not_fit_spill_into_the_next_window_and_sla_misses_are_reported() {
        let policy = packing_policy("days = [\"sat\"]\nstart = \"02:00\"\nend = \"04:00\"", "");
        let plan = build(&hosts(5), &policy, &options("2026-03-16T00:00:00Z"));

        let starts: Vec<String> = plan.changes.iter().map(|c| c.slot.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-21T01:00:00Z",
                "2026-03-21T02:00:00Z",
                "2026-03-28T01:00:00Z",
                "2026-03-28T02:00:00Z",
                "2026-04-04T00:00:00Z",
            ],
            "two per 2-hour window; April is summer time"
        );
        let late: Vec<&str> = plan.sla_misses.iter().map(|miss| miss.host.as_str()).collect();
        assert_eq!(late, ["h03", "h04", "h05"], "deadline 2026-03-23 (first seen + 3 days)");
    }

    #[test]
    fn last_sunday_window_holds_fewer_hosts_in_march_than_in_october() {
        let window =
            "monthly = { week = \"last\", day = \"sun\" }\nstart = \"01:00\"\nend = \"05:00\"";
        let policy = packing_policy(window, "");

        let march = build(&hosts(5), &policy, &options("2026-03-20T00:00:00Z"));
        let in_march =
            march.changes.iter().filter(|c| c.slot.start < at("2026-04-01T00:00:00Z")).count();
        assert_eq!(in_march, 3, "01:00-05:00 on 29 March is 3 real hours");

        let october = build(&hosts(5), &policy, &options("2026-10-20T00:00:00Z"));
        let in_october =
            october.changes.iter().filter(|c| c.slot.start < at("2026-11-01T00:00:00Z")).count();
        assert_eq!(in_october, 5, "01:00-05:00 on 25 October is 5 real hours");
    }

    #[test]
    fn scheduled_changes_never_enter_a_freeze_but_permitted_emergencies_do() {
        let window = "start = \"20:00\"\nend = \"23:00\"";
        let freeze = "[freezes.xmas]\nstart = 2026-12-24\nend = 2026-12-26\nreason = \"cab\"\n\
                      [emergency]\noutside_windows = false\nduring_freezes = true\ncanary = false";
        let policy = packing_policy(window, freeze);
        let frozen_from = at("2026-12-23T23:00:00Z");
        let frozen_until = at("2026-12-26T23:00:00Z");

        let plan = build(&hosts(9), &policy, &options("2026-12-23T12:00:00Z"));
        let starts: Vec<Timestamp> = plan.changes.iter().map(|c| c.slot.start).collect();
        assert!(starts.iter().all(|start| *start < frozen_from || *start >= frozen_until));
        assert_eq!(
            starts[3],
            at("2026-12-27T19:00:00Z"),
            "three on the 23rd, then after the freeze"
        );

        let mut emergency = hosts(9);
        for host in &mut emergency.hosts {
            host.findings[0].classification = crate::artifact::plan::Classification::Emergency;
        }
        let plan = build(&emergency, &policy, &options("2026-12-23T12:00:00Z"));
        assert_eq!(plan.changes[3].slot.start, at("2026-12-24T19:00:00Z"), "emergencies may enter");
        assert_eq!(plan.changes[3].slot.window, "w", "but still keep to windows");
    }

    #[test]
    fn failure_budget_recorded_per_wave_is_what_rollout_judges_by() {
        let plan = lab_plan();
        let wave = plan.waves.iter().find(|w| w.name == "production-internal").unwrap();
        let budget = wave.max_failures;
        let batch = Tally { succeeded: 9, failed: 1, unreachable: 0, skipped: 0 };
        assert_eq!(budget.judge(&batch, &batch, 40), crate::policy::threshold::Verdict::Continue);
        let bad = Tally { succeeded: 8, failed: 1, unreachable: 1, skipped: 0 };
        assert!(matches!(
            budget.judge(&bad, &bad, 100),
            crate::policy::threshold::Verdict::Halt { .. }
        ));
    }
}
