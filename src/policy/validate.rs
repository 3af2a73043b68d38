//! Checks a parsed policy for what its types cannot say.
//!
//! Parsing already refuses unknown keys and malformed values. This pass
//! finds the rest — unknown time zones, references to roles or tiers that
//! are not defined, exceptions without an owner — and reports every one of
//! them at once, each at its field's line and column.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::tz::TimeZone;

use super::Issue;
use super::exception::ExceptionKind;
use super::location::{Segment, at_field, closest};
use super::selector::Selector;
use super::{POLICY_VERSION, Policy};

/// Collects issues with their locations.
struct Checker<'a> {
    text: &'a str,
    file: &'a Path,
    issues: Vec<Issue>,
}

impl Checker<'_> {
    fn report(&mut self, path: &[Segment], message: String) {
        self.report_with(path, message, None);
    }

    fn report_with(&mut self, path: &[Segment], message: String, suggestion: Option<String>) {
        self.issues.push(at_field(self.text, self.file, path, message, suggestion));
    }

    fn require_zone(&mut self, path: &[Segment], name: &str) {
        if TimeZone::get(name).is_err() {
            self.report(
                path,
                format!("unknown time zone `{name}`; use an IANA name like `Europe/Berlin`"),
            );
        }
    }

    fn require_known(&mut self, path: &[Segment], what: &str, name: &str, known: &BTreeSet<&str>) {
        if !known.contains(name) {
            let suggestion = closest(name, known.iter().copied());
            self.report_with(path, format!("unknown {what} `{name}`"), suggestion);
        }
    }

    fn require_text(&mut self, path: &[Segment], what: &str, value: &str) {
        if value.trim().is_empty() {
            self.report(path, format!("{what} must not be empty"));
        }
    }
}

fn path(segments: &[&dyn ToSegment]) -> Vec<Segment> {
    segments.iter().map(|segment| segment.to_segment()).collect()
}

/// Lets paths mix keys and indexes: `path(&[&"waves", &1, &"name"])`.
trait ToSegment {
    fn to_segment(&self) -> Segment;
}

impl ToSegment for &str {
    fn to_segment(&self) -> Segment {
        Segment::Key((*self).to_string())
    }
}

impl ToSegment for String {
    fn to_segment(&self) -> Segment {
        Segment::Key(self.clone())
    }
}

impl ToSegment for usize {
    fn to_segment(&self) -> Segment {
        Segment::Index(*self)
    }
}

/// Every semantic problem in `policy`, located in `text`.
pub fn check(policy: &Policy, text: &str, file: &Path) -> Vec<Issue> {
    let mut checker = Checker { text, file, issues: Vec::new() };

    if policy.version != POLICY_VERSION {
        let message = format!(
            "policy version `{}` is not supported; this build reads `{POLICY_VERSION}`",
            policy.version
        );
        checker.report(&path(&[&"version"]), message);
    }
    checker.require_zone(&path(&[&"timezone"]), &policy.timezone);

    check_windows(&mut checker, policy);
    check_waves(&mut checker, policy);
    check_capacity(&mut checker, policy);
    check_exceptions(&mut checker, policy);
    check_access(&mut checker, policy);
    checker.issues
}

fn check_selector(checker: &mut Checker<'_>, policy: &Policy, at: &[Segment], selector: &Selector) {
    let tiers: BTreeSet<&str> = policy.tiers.keys().map(String::as_str).collect();
    for (index, tier) in selector.tiers.iter().enumerate() {
        let mut field = at.to_vec();
        field.extend(path(&[&"tiers", &index]));
        checker.require_known(&field, "tier", tier, &tiers);
    }
    for (index, pattern) in selector.hosts.iter().enumerate() {
        if let Err(error) = globset::Glob::new(pattern) {
            let mut field = at.to_vec();
            field.extend(path(&[&"hosts", &index]));
            checker.report(&field, format!("bad host pattern `{pattern}`: {}", error.kind()));
        }
    }
}

fn check_windows(checker: &mut Checker<'_>, policy: &Policy) {
    for (name, window) in &policy.windows {
        if let Some(zone) = &window.timezone {
            checker.require_zone(&path(&[&"windows", name, &"timezone"]), zone);
        }
        if window.monthly.is_some() && !window.days.is_empty() {
            let message = "give either `days` (weekly) or `monthly`, not both".to_string();
            checker.report(&path(&[&"windows", name, &"monthly"]), message);
        }
        check_selector(
            checker,
            policy,
            &path(&[&"windows", name, &"applies_to"]),
            &window.applies_to,
        );
    }

    for (name, freeze) in &policy.freezes {
        if let Some(zone) = &freeze.timezone {
            checker.require_zone(&path(&[&"freezes", name, &"timezone"]), zone);
        }
        if freeze.end < freeze.start {
            let message =
                format!("freeze ends (`{}`) before it starts (`{}`)", freeze.end.0, freeze.start.0);
            checker.report(&path(&[&"freezes", name, &"end"]), message);
        }
        checker.require_text(
            &path(&[&"freezes", name, &"reason"]),
            "a freeze's reason",
            &freeze.reason,
        );
        check_selector(
            checker,
            policy,
            &path(&[&"freezes", name, &"applies_to"]),
            &freeze.applies_to,
        );
    }
}

fn check_waves(checker: &mut Checker<'_>, policy: &Policy) {
    let tiers: BTreeSet<&str> = policy.tiers.keys().map(String::as_str).collect();
    for (index, tier) in policy.canary.tiers.iter().enumerate() {
        let field = path(&[&"canary", &"tiers", &index]);
        checker.require_known(&field, "tier", tier, &tiers);
        if policy.tiers.get(tier).is_some_and(|t| t.critical) {
            checker.report(
                &field,
                format!("tier `{tier}` is critical; canaries are never drawn from critical tiers"),
            );
        }
    }

    let mut names = BTreeSet::new();
    for (index, wave) in policy.waves.iter().enumerate() {
        checker.require_text(&path(&[&"waves", &index, &"name"]), "a wave's name", &wave.name);
        if wave.name == "canary" || !names.insert(wave.name.as_str()) {
            checker.report(
                &path(&[&"waves", &index, &"name"]),
                format!("wave name `{}` is already taken", wave.name),
            );
        }
        check_selector(
            checker,
            policy,
            &path(&[&"waves", &index, &"applies_to"]),
            &wave.applies_to,
        );
    }
}

fn check_capacity(checker: &mut Checker<'_>, policy: &Policy) {
    if policy.throttle.max_concurrent == 0 {
        checker.report(&path(&[&"throttle", &"max_concurrent"]), "must be at least 1".to_string());
    }
    for (group, limit) in &policy.throttle.per_group {
        if *limit == 0 {
            checker.report(
                &path(&[&"throttle", &"per_group", group]),
                "must be at least 1".to_string(),
            );
        }
    }
    if policy.scheduling.minutes_per_host == 0 {
        checker
            .report(&path(&[&"scheduling", &"minutes_per_host"]), "must be at least 1".to_string());
    }
    if !(1..=366).contains(&policy.scheduling.horizon_days) {
        checker.report(
            &path(&[&"scheduling", &"horizon_days"]),
            "must be between 1 and 366".to_string(),
        );
    }
    for (name, framework) in &policy.frameworks {
        if framework.host_tags.is_empty() {
            let message = "list the host tags that put a host under this framework".to_string();
            checker.report(&path(&[&"frameworks", name, &"host_tags"]), message);
        }
    }
}

fn check_exceptions(checker: &mut Checker<'_>, policy: &Policy) {
    let mut ids = BTreeSet::new();
    for (index, entry) in policy.exceptions.iter().enumerate() {
        let at = |field: &str| path(&[&"exceptions", &index, &field]);
        checker.require_text(&at("id"), "an exception's id", &entry.id);
        if !ids.insert(entry.id.as_str()) {
            checker.report(&at("id"), format!("exception id `{}` is used twice", entry.id));
        }
        if entry.hosts.is_empty() && entry.packages.is_empty() && entry.cves.is_empty() {
            let message = "name at least one of `hosts`, `packages` or `cves`".to_string();
            checker.report(&path(&[&"exceptions", &index]), message);
        }
        checker.require_text(&at("owner"), "an exception's owner", &entry.owner);
        checker.require_text(&at("reason"), "an exception's reason", &entry.reason);
        if entry.kind == ExceptionKind::Exception {
            let what = "an exception's compensating control";
            checker.require_text(&at("compensating_control"), what, &entry.compensating_control);
        }
        let selector = Selector { hosts: entry.hosts.clone(), ..Selector::default() };
        check_selector(checker, policy, &path(&[&"exceptions", &index]), &selector);
    }
}

fn check_access(checker: &mut Checker<'_>, policy: &Policy) {
    let roles: BTreeSet<&str> = policy.roles.keys().map(String::as_str).collect();

    for (name, operator) in &policy.operators {
        for (index, role) in operator.roles.iter().enumerate() {
            checker.require_known(
                &path(&[&"operators", name, &"roles", &index]),
                "role",
                role,
                &roles,
            );
        }
        for (index, key) in operator.keys.iter().enumerate() {
            if let Err(error) = ssh_key::PublicKey::from_openssh(key) {
                let message = format!("not an OpenSSH public key: {error}");
                checker.report(&path(&[&"operators", name, &"keys", &index]), message);
            }
        }
    }

    for (environment, rule) in &policy.approvals {
        for (index, role) in rule.roles.iter().enumerate() {
            let field = path(&[&"approvals", environment, &"roles", &index]);
            checker.require_known(&field, "role", role, &roles);
        }
        for (index, role) in rule.emergency_roles.iter().flatten().enumerate() {
            let field = path(&[&"approvals", environment, &"emergency_roles", &index]);
            checker.require_known(&field, "role", role, &roles);
        }
    }
}
