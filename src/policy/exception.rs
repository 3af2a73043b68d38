//! Deferrals and exceptions: findings someone chose not to patch yet.
//!
//! Both are written with an owner, a reason, a compensating control and an
//! expiry, and both match findings by host (name or glob), package and CVE.
//! A *deferral* postpones a fix to after its expiry; an *exception* accepts
//! the risk until then. Neither touches the SLA clock: the finding keeps its
//! first-seen date and deadline, and the plan reports a deadline that passes
//! while the exception holds. On the day an exception expires it stops
//! matching and the finding is planned again like any other, with a note
//! that its exception expired.

use jiff::civil::Date;
use serde::Deserialize;

use super::civil::PolicyDate;
use super::selector::host_globs;

/// Whether the entry postpones a fix or accepts a risk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ExceptionKind {
    Deferral,
    Exception,
}

/// `[[exceptions]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// A stable identifier, e.g. a ticket number: `EXC-2026-014`.
    pub id: String,
    pub kind: ExceptionKind,
    /// Host names or globs; empty means any host.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Package names; empty means any package.
    #[serde(default)]
    pub packages: Vec<String>,
    /// CVE identifiers; empty means any CVE.
    #[serde(default)]
    pub cves: Vec<String>,
    pub owner: String,
    pub reason: String,
    /// What limits the risk meanwhile; required for exceptions.
    #[serde(default)]
    pub compensating_control: String,
    /// The first day the entry no longer applies.
    pub expires: PolicyDate,
}

/// How an exception relates to a finding on a given day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing<'a> {
    /// No exception names this finding.
    None,
    Active(&'a Exception),
    Expired(&'a Exception),
}

impl Exception {
    /// Whether the entry names this host, package and any of these CVEs.
    pub fn covers(&self, host: &str, package: &str, cves: &[String]) -> bool {
        let host_ok = self.hosts.is_empty() || host_globs(&self.hosts).is_match(host);
        let package_ok = self.packages.is_empty() || self.packages.iter().any(|p| p == package);
        let cve_ok = self.cves.is_empty() || cves.iter().any(|cve| self.cves.contains(cve));
        host_ok && package_ok && cve_ok
    }

    /// Active up to the day before `expires`.
    pub fn is_active_on(&self, today: Date) -> bool {
        today < self.expires.0
    }
}

/// The standing of a finding: an active entry wins over an expired one;
/// among several, the first in the policy file decides.
pub fn standing<'a>(
    exceptions: &'a [Exception],
    host: &str,
    package: &str,
    cves: &[String],
    today: Date,
) -> Standing<'a> {
    let covering: Vec<&Exception> =
        exceptions.iter().filter(|entry| entry.covers(host, package, cves)).collect();
    if let Some(active) = covering.iter().find(|entry| entry.is_active_on(today)) {
        return Standing::Active(active);
    }
    covering.first().map_or(Standing::None, |expired| Standing::Expired(expired))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn entry(expires: Date) -> Exception {
        Exception {
            id: "EXC-1".into(),
            kind: ExceptionKind::Exception,
            hosts: vec!["db*".into()],
            packages: vec!["openssl".into()],
            cves: vec![],
            owner: "alice".into(),
            reason: "vendor certification pending".into(),
            compensating_control: "port 5432 reachable from app subnet only".into(),
            expires: PolicyDate(expires),
        }
    }

    #[test]
    fn exception_applies_until_the_day_before_expiry() {
        let list = [entry(date(2026, 9, 1))];
        let cves = vec!["CVE-2026-0001".to_string()];
        assert!(matches!(
            standing(&list, "db1", "openssl", &cves, date(2026, 8, 31)),
            Standing::Active(_)
        ));
        assert!(matches!(
            standing(&list, "db1", "openssl", &cves, date(2026, 9, 1)),
            Standing::Expired(_)
        ));
        assert_eq!(standing(&list, "web1", "openssl", &cves, date(2026, 8, 1)), Standing::None);
        assert_eq!(standing(&list, "db1", "curl", &cves, date(2026, 8, 1)), Standing::None);
    }
}
