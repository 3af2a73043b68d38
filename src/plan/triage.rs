//! Sorts every finding into patched-now, held back or left out.
//!
//! Per host, findings are checked in turn: no fix, an active exception or
//! deferral, or a deferrable classification hold a finding back; the rest
//! become package changes on the emergency or the scheduled track. A package
//! with an emergency finding goes wholly on the emergency track. Deadlines
//! come from `assess` when it gave one, else from the policy's tiers and
//! frameworks, and no exception ever moves them.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::input::{FindingInput, HostInput};
use crate::artifact::plan::{
    Classification, ExceptionRef, HeldBack, HeldReason, LeftOut, PackageChange, Track,
};
use crate::policy::Policy;
use crate::policy::exception::{self, Exception, ExceptionKind, Standing};
use crate::policy::selector::HostProfile;
use crate::policy::sla;

/// The packages one host gets on one track, before waves and slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub profile: HostProfile,
    pub track: Track,
    pub packages: Vec<PackageChange>,
    pub reasons: Vec<String>,
}

impl Change {
    pub fn reboot_expected(&self) -> bool {
        self.packages.iter().any(|package| package.reboot_expected)
    }

    pub fn sla_deadline(&self) -> Option<Date> {
        self.packages.iter().filter_map(|package| package.sla_deadline).min()
    }
}

/// Everything triage decided.
#[derive(Debug, Default)]
pub struct Triage {
    pub changes: Vec<Change>,
    pub held_back: Vec<HeldBack>,
    pub left_out: Vec<LeftOut>,
}

/// Triage of every host; `today` decides which exceptions are active.
pub fn triage(hosts: &[HostInput], policy: &Policy, today: Date) -> Triage {
    let mut result = Triage::default();
    let mut sorted: Vec<&HostInput> = hosts.iter().collect();
    sorted.sort_by(|a, b| a.profile.name.cmp(&b.profile.name));

    for host in sorted {
        triage_host(host, policy, today, &mut result);
    }
    result
}

fn triage_host(host: &HostInput, policy: &Policy, today: Date, result: &mut Triage) {
    let name = &host.profile.name;
    if !host.reachable {
        result.left_out.push(left_out(name, "unreachable when assessed; reassess before planning"));
        return;
    }
    if host.findings.is_empty() {
        let reason = host.eol.as_ref().map_or("no findings".to_string(), |eol| eol_reason(eol));
        result.left_out.push(left_out(name, &reason));
        return;
    }

    let mut patched = Vec::new();
    for finding in &host.findings {
        let deadline = deadline_of(finding, &host.profile, policy);
        match decide(finding, name, &policy.exceptions, policy.scheduling.include_deferrable, today)
        {
            Decision::Hold(reason, exception) => {
                result.held_back.push(held(finding, name, reason, exception, deadline));
            }
            Decision::Patch(track, note) => patched.push((finding, track, deadline, note)),
        }
    }

    // A package with any emergency finding goes wholly on the emergency track.
    let urgent: Vec<&str> = patched
        .iter()
        .filter(|(_, track, _, _)| *track == Track::Emergency)
        .map(|(finding, _, _, _)| finding.package.as_str())
        .collect();
    let mut tracks: BTreeMap<Track, BTreeMap<String, PackageChange>> = BTreeMap::new();
    let mut notes = Vec::new();
    for (finding, track, deadline, note) in &patched {
        let track =
            if urgent.contains(&finding.package.as_str()) { Track::Emergency } else { *track };
        notes.extend(note.clone());
        merge(tracks.entry(track).or_default(), finding, *deadline, note.clone());
    }
    push_changes(host, tracks, &notes, result);
}

fn push_changes(
    host: &HostInput,
    tracks: BTreeMap<Track, BTreeMap<String, PackageChange>>,
    notes: &[String],
    result: &mut Triage,
) {
    let mut planned = false;
    for (track, packages) in tracks.into_iter().filter(|(_, packages)| !packages.is_empty()) {
        let mut reasons = vec![track_reason(track)];
        reasons.extend(host.eol.as_ref().map(|eol| eol_reason(eol)));
        reasons.extend(notes.iter().cloned());
        reasons.sort();
        reasons.dedup();
        result.changes.push(Change {
            profile: host.profile.clone(),
            track,
            packages: packages.into_values().collect(),
            reasons,
        });
        planned = true;
    }
    if !planned {
        let reason = "every finding is held back (see `held_back`)";
        result.left_out.push(left_out(&host.profile.name, reason));
    }
}

fn track_reason(track: Track) -> String {
    match track {
        Track::Emergency => "emergency".to_string(),
        Track::Scheduled => "scheduled".to_string(),
    }
}

fn eol_reason(eol: &str) -> String {
    format!("eol: {eol}; unsupported OS needs an exception or a migration plan")
}

fn left_out(host: &str, reason: &str) -> LeftOut {
    LeftOut { host: host.to_string(), reason: reason.to_string() }
}

enum Decision<'a> {
    Hold(HeldReason, Option<&'a Exception>),
    Patch(Track, Option<String>),
}

fn decide<'a>(
    finding: &FindingInput,
    host: &str,
    exceptions: &'a [Exception],
    include_deferrable: bool,
    today: Date,
) -> Decision<'a> {
    let standing = exception::standing(exceptions, host, &finding.package, &finding.cves, today);
    if let Standing::Active(entry) = standing {
        let reason = match entry.kind {
            ExceptionKind::Exception => HeldReason::Excepted,
            ExceptionKind::Deferral => HeldReason::Deferred,
        };
        return Decision::Hold(reason, Some(entry));
    }
    if finding.target_version.is_none() {
        return Decision::Hold(HeldReason::NoFix, None);
    }

    let note = match standing {
        Standing::Expired(entry) => {
            Some(format!("{} `{}` expired on {}", kind_word(entry.kind), entry.id, entry.expires.0))
        }
        _ => None,
    };
    match finding.classification {
        Classification::Emergency => Decision::Patch(Track::Emergency, note),
        Classification::Scheduled => Decision::Patch(Track::Scheduled, note),
        Classification::Deferrable if include_deferrable => Decision::Patch(Track::Scheduled, note),
        Classification::Deferrable => Decision::Hold(HeldReason::Deferrable, None),
    }
}

fn kind_word(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Exception => "exception",
        ExceptionKind::Deferral => "deferral",
    }
}

fn deadline_of(finding: &FindingInput, host: &HostProfile, policy: &Policy) -> Option<Date> {
    let computed = finding.severity.zip(finding.first_seen).and_then(|(severity, first_seen)| {
        sla::deadline(&policy.tiers, &policy.frameworks, host, severity, first_seen)
    });
    match (finding.sla_deadline, computed) {
        (Some(given), Some(computed)) => Some(given.min(computed)),
        (given, computed) => given.or(computed),
    }
}

fn held(
    finding: &FindingInput,
    host: &str,
    reason: HeldReason,
    exception: Option<&Exception>,
    deadline: Option<Date>,
) -> HeldBack {
    let exception = exception.map(|entry| ExceptionRef {
        id: entry.id.clone(),
        kind: entry.kind,
        owner: entry.owner.clone(),
        reason: entry.reason.clone(),
        compensating_control: entry.compensating_control.clone(),
        expires: entry.expires.0,
    });
    let passes = match (&exception, deadline) {
        (Some(entry), Some(deadline)) => deadline < entry.expires,
        _ => false,
    };
    HeldBack {
        host: host.to_string(),
        package: finding.package.clone(),
        installed: finding.installed_version.clone(),
        target: finding.target_version.clone(),
        classification: finding.classification,
        cves: sorted(finding.cves.clone()),
        reason,
        exception,
        sla_deadline: deadline,
        deadline_passes_while_held: passes,
    }
}

/// Folds a finding into its package's change: CVEs are united, the most
/// urgent classification and earliest deadline win.
///
/// LIMITATION: when two findings name different target versions for one
/// package, the lexically greater wins; `assess` should hand over one
/// target per package, chosen with its exact version ordering.
fn merge(
    packages: &mut BTreeMap<String, PackageChange>,
    finding: &FindingInput,
    deadline: Option<Date>,
    note: Option<String>,
) {
    let target = finding.target_version.clone().unwrap_or_default();
    let entry = packages.entry(finding.package.clone()).or_insert_with(|| PackageChange {
        name: finding.package.clone(),
        installed: finding.installed_version.clone(),
        target: target.clone(),
        classification: finding.classification,
        severity: finding.severity,
        cves: Vec::new(),
        sla_deadline: deadline,
        reboot_expected: false,
        notes: Vec::new(),
    });

    entry.target = entry.target.clone().max(target);
    entry.classification = entry.classification.min(finding.classification);
    entry.severity = entry.severity.max(finding.severity);
    entry.sla_deadline = [entry.sla_deadline, deadline].into_iter().flatten().min();
    entry.reboot_expected |= finding.reboot_expected;
    entry.cves = sorted(entry.cves.iter().chain(&finding.cves).cloned().collect());
    let reason = finding.reason.iter().map(|reason| format!("classified: {reason}"));
    entry.notes = sorted(entry.notes.iter().cloned().chain(note).chain(reason).collect());
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}
