//! Deadlines: tier × severity, tightened by regulation, urgency and KEV.
//!
//! The clock starts on the day a finding was first seen (carried over from
//! the previous assessment), never on the day of the latest run, so
//! re-running `assess` cannot buy time. Each step that shortens the deadline
//! is written into the reason.

use jiff::ToSpan;
use jiff::civil::Date;

use super::policy::RiskPolicy;
use crate::artifact::assessment::{Severity, Urgency};

/// Used when neither the tier's table nor `default` gives the severity days.
const FALLBACK_DAYS: u32 = 365;

/// A finding's deadline and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub sla_days: u32,
    pub deadline: Date,
    pub reason: String,
    pub overdue: bool,
}

/// What the deadline depends on.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineInput<'a> {
    pub tier: &'a str,
    pub tags: &'a [String],
    pub severity: Severity,
    pub urgency: Urgency,
    /// CISA's due date when the finding is KEV-listed.
    pub kev_due: Option<Date>,
    pub first_seen: Date,
    pub today: Date,
}

pub fn deadline(policy: &RiskPolicy, input: &DeadlineInput<'_>) -> Deadline {
    let severity = input.severity.as_str();
    let (mut days, mut steps) = tier_days(policy, input.tier, input.severity);

    for regulation in policy.regulatory.values() {
        let Some(tag) = regulation.tags.iter().find(|tag| input.tags.contains(tag)) else {
            continue;
        };
        if let Some(limit) = regulation.max_days.get(input.severity).filter(|limit| *limit < days) {
            days = limit;
            steps.push(format!(
                "{} (tag `{tag}`) allows {limit} for {severity}",
                regulation.framework
            ));
        }
    }

    if input.urgency == Urgency::Emergency {
        if let Some(limit) = policy.sla.emergency_days.filter(|limit| *limit < days) {
            days = limit;
            steps.push(format!("emergency: {limit}"));
        }
    }

    let mut deadline = input.first_seen.saturating_add(i64::from(days).days());
    if let Some(due) = input.kev_due.filter(|due| policy.sla.kev_due_date && *due < deadline) {
        deadline = due;
        steps.push(format!("CISA KEV due date {due}"));
    }

    let sla_days = u32::try_from((deadline - input.first_seen).get_days().max(0)).unwrap_or(0);
    Deadline {
        sla_days,
        deadline,
        reason: format!("{}; first seen {}", steps.join(" -> "), input.first_seen),
        overdue: input.today > deadline,
    }
}

fn tier_days(policy: &RiskPolicy, tier: &str, severity: Severity) -> (u32, Vec<String>) {
    let label = severity.as_str();
    let from_tier = policy.sla.days.get(tier).and_then(|table| table.get(severity));
    if let Some(days) = from_tier {
        return (days, vec![format!("{tier} x {label}: {days} days")]);
    }
    let from_default = policy.sla.days.get("default").and_then(|table| table.get(severity));
    match from_default {
        Some(days) => (days, vec![format!("default x {label}: {days} days")]),
        None => (FALLBACK_DAYS, vec![format!("no SLA for {label}: {FALLBACK_DAYS} days")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::policy::LoadedPolicy;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn input<'a>(tier: &'a str, tags: &'a [String]) -> DeadlineInput<'a> {
        DeadlineInput {
            tier,
            tags,
            severity: Severity::High,
            urgency: Urgency::Scheduled,
            kev_due: None,
            first_seen: date("2026-08-01"),
            today: date("2026-08-22"),
        }
    }

    #[test]
    fn tier_sets_days_and_regulation_tightens_them() {
        let policy = LoadedPolicy::built_in().unwrap().policy;
        let none: Vec<String> = vec![];
        let result = deadline(&policy, &input("tier3", &none));
        assert_eq!((result.sla_days, result.deadline), (30, date("2026-08-31")));
        assert_eq!(result.reason, "default x high: 30 days; first seen 2026-08-01");

        let tags = vec!["hipaa".to_string()];
        let result = deadline(&policy, &input("tier1", &tags));
        assert_eq!(result.sla_days, 14, "tier1 is already tighter than HIPAA");

        let tags = vec!["pci".to_string()];
        let mut low = input("tier3", &tags);
        low.severity = Severity::Critical;
        let result = deadline(&policy, &low);
        assert_eq!(result.sla_days, 15);
    }

    #[test]
    fn regulation_applies_when_tier_is_looser() {
        let policy = LoadedPolicy::built_in().unwrap().policy;
        let tags = vec!["sox".to_string()];
        let mut medium = input("tier3", &tags);
        medium.severity = Severity::Critical;
        let mut policy_loose = policy.clone();
        policy_loose.sla.days.get_mut("default").unwrap().critical = Some(60);
        let result = deadline(&policy_loose, &medium);
        assert_eq!(result.sla_days, 30);
        assert!(
            result.reason.contains("SOX (tag `sox`) allows 30 for critical"),
            "{}",
            result.reason
        );
    }

    #[test]
    fn emergency_and_kev_due_date_shorten_and_overdue_is_relative_to_today() {
        let policy = LoadedPolicy::built_in().unwrap().policy;
        let none: Vec<String> = vec![];
        let mut urgent = input("tier3", &none);
        urgent.urgency = Urgency::Emergency;
        let result = deadline(&policy, &urgent);
        assert_eq!((result.sla_days, result.overdue), (2, true));

        let mut kev = input("tier3", &none);
        kev.kev_due = Some(date("2026-08-10"));
        let result = deadline(&policy, &kev);
        assert_eq!((result.deadline, result.sla_days), (date("2026-08-10"), 9));
        assert!(result.reason.contains("CISA KEV due date 2026-08-10"));
    }
}
