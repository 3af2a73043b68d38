//! Plans and plan diffs as tables for people.
//!
//! Rendering returns strings; `commands` hands them to the printer. Times
//! are shown in the plan's time zone, with the zone's abbreviation, because
//! that is how the windows were written.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::diff::PlanDiff;
use crate::artifact::plan::{PlanArtifact, Track};

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

fn local(time: Timestamp, zone: &TimeZone) -> String {
    time.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

fn track_name(track: Track) -> &'static str {
    match track {
        Track::Emergency => "emergency",
        Track::Scheduled => "scheduled",
    }
}

/// Summary, waves, changes, left-out hosts, held-back findings and SLA misses.
pub fn plan_tables(plan: &PlanArtifact) -> String {
    let zone = TimeZone::get(&plan.timezone).unwrap_or(TimeZone::UTC);
    let mut sections = vec![summary(plan, &zone), waves(plan, &zone), changes(plan, &zone)];
    if !plan.left_out.is_empty() {
        let mut left = table(&["left out", "why"]);
        for entry in &plan.left_out {
            left.add_row(vec![entry.host.clone(), entry.reason.clone()]);
        }
        sections.push(left.to_string());
    }
    if !plan.held_back.is_empty() {
        sections.push(held_back(plan));
    }
    if !plan.sla_misses.is_empty() {
        sections.push(misses(plan, &zone));
    }
    sections.join("\n\n")
}

fn summary(plan: &PlanArtifact, zone: &TimeZone) -> String {
    let s = &plan.summary;
    let span = match (s.first_start, s.last_end) {
        (Some(first), Some(last)) => format!("{} → {}", local(first, zone), local(last, zone)),
        _ => "nothing scheduled".to_string(),
    };
    let approvals: Vec<String> = plan
        .approvals_required
        .iter()
        .map(|(environment, roles)| format!("{environment}: {}", roles.join(", ")))
        .collect();
    let mut summary = table(&["plan", ""]);
    summary
        .add_row(vec!["patch set sha256".to_string(), plan.patch_set.sha256.clone()])
        .add_row(vec!["hosts / changes".to_string(), format!("{} / {}", s.hosts, s.changes)])
        .add_row(vec![
            "emergency / scheduled".to_string(),
            format!("{} / {}", s.emergency_changes, s.scheduled_changes),
        ])
        .add_row(vec!["package upgrades".to_string(), s.package_changes.to_string()])
        .add_row(vec!["runs".to_string(), span])
        .add_row(vec![
            "left out / held back / SLA misses".to_string(),
            format!("{} / {} / {}", s.left_out, s.held_back, s.sla_misses),
        ])
        .add_row(vec!["approvals required".to_string(), approvals.join("; ")]);
    summary.to_string()
}

fn waves(plan: &PlanArtifact, zone: &TimeZone) -> String {
    let mut waves =
        table(&["#", "track", "wave", "batch", "hosts", "start", "end", "max failures"]);
    for wave in &plan.waves {
        let budget = format!("{} / {}", wave.max_failures.per_batch, wave.max_failures.cumulative);
        for batch in &wave.batches {
            waves.add_row(vec![
                wave.index.to_string(),
                track_name(wave.track).to_string(),
                if wave.canary { format!("{} (canary)", wave.name) } else { wave.name.clone() },
                batch.index.to_string(),
                batch.hosts.join(" "),
                local(batch.start, zone),
                local(batch.end, zone),
                budget.clone(),
            ]);
        }
    }
    waves.to_string()
}

fn changes(plan: &PlanArtifact, zone: &TimeZone) -> String {
    let mut changes =
        table(&["host", "wave/batch", "slot", "window", "reboot", "packages", "deadline"]);
    for change in &plan.changes {
        let packages: Vec<String> = change
            .packages
            .iter()
            .map(|p| format!("{} {} → {}", p.name, p.installed, p.target))
            .collect();
        changes.add_row(vec![
            change.host.clone(),
            format!("{}/{}", change.wave, change.batch),
            local(change.slot.start, zone),
            change.slot.window.clone(),
            if change.reboot.will_reboot { "yes" } else { "no" }.to_string(),
            packages.join("\n"),
            change.sla_deadline.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    changes.to_string()
}

fn held_back(plan: &PlanArtifact) -> String {
    let mut held = table(&["held back", "package", "why", "by", "deadline"]);
    for entry in &plan.held_back {
        let why = serde_json::to_value(entry.reason)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        let by = entry
            .exception
            .as_ref()
            .map(|e| format!("{} ({}, until {})", e.id, e.owner, e.expires))
            .unwrap_or_default();
        let mut deadline = entry.sla_deadline.map(|d| d.to_string()).unwrap_or_default();
        if entry.deadline_passes_while_held {
            deadline.push_str(" (passes while held)");
        }
        held.add_row(vec![entry.host.clone(), entry.package.clone(), why, by, deadline]);
    }
    held.to_string()
}

fn misses(plan: &PlanArtifact, zone: &TimeZone) -> String {
    let mut misses = table(&["SLA miss", "track", "deadline", "slot ends", "packages"]);
    for miss in &plan.sla_misses {
        misses.add_row(vec![
            miss.host.clone(),
            track_name(miss.track).to_string(),
            miss.deadline.to_string(),
            miss.slot_end.map_or("no slot in horizon".to_string(), |end| local(end, zone)),
            miss.packages.join(" "),
        ]);
    }
    misses.to_string()
}

/// The diff as tables; says so plainly when the plans are the same.
pub fn diff_tables(diff: &PlanDiff) -> String {
    if diff.is_empty() {
        return "plans are identical in hosts, packages, order, slots and approvals".to_string();
    }
    let mut sections = Vec::new();
    if diff.patch_set_before != diff.patch_set_after {
        sections.push(format!(
            "patch set changed: {} → {}",
            diff.patch_set_before, diff.patch_set_after
        ));
    }

    let mut hosts = table(&["change", "host", "track"]);
    for (host, track) in &diff.added {
        hosts.add_row(vec!["+ added", host, track_name(*track)]);
    }
    for (host, track) in &diff.removed {
        hosts.add_row(vec!["- removed", host, track_name(*track)]);
    }
    for delta in &diff.packages {
        let change = format!(
            "{} {} → {}",
            delta.package,
            delta.before.as_deref().unwrap_or("(none)"),
            delta.after.as_deref().unwrap_or("(none)")
        );
        hosts.add_row(vec![change, delta.host.clone(), track_name(delta.track).to_string()]);
    }
    for moved in &diff.moves {
        let change = format!("moved {} → {}", moved.before, moved.after);
        hosts.add_row(vec![change, moved.host.clone(), track_name(moved.track).to_string()]);
    }
    for line in &diff.newly_left_out {
        hosts.add_row(vec!["+ left out".to_string(), line.clone(), String::new()]);
    }
    for line in &diff.no_longer_left_out {
        hosts.add_row(vec!["- left out".to_string(), line.clone(), String::new()]);
    }
    sections.push(hosts.to_string());

    if diff.approvals_before != diff.approvals_after {
        sections.push(format!(
            "approvals required changed: {:?} → {:?}",
            diff.approvals_before, diff.approvals_after
        ));
    }
    sections.join("\n\n")
}
