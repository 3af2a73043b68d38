//! Tiers, remediation deadlines and regulatory frameworks.
//!
//! A finding's deadline is its first-seen date plus the number of days its
//! tier allows for its severity, tightened by every framework the host falls
//! under (the shortest deadline wins). The clock starts at first sight and
//! nothing here moves it: exceptions and deferrals only decide whether a
//! finding is patched in this plan, never when it was due.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use super::selector::HostProfile;

/// `[tiers.<name>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(default)]
    pub description: String,
    /// Critical tiers are never drawn as canaries.
    #[serde(default)]
    pub critical: bool,
    /// Days to remediate, per severity.
    #[serde(default)]
    pub sla_days: SlaDays,
}

/// Days allowed per severity; a missing severity has no deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDays {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
}

/// Severity of a finding, as `assess` rates it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl SlaDays {
    pub fn days_for(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

/// `[frameworks.<name>]`: PCI-DSS, HIPAA, SOX or the user's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    #[serde(default)]
    pub description: String,
    /// Hosts carrying any of these tags fall under the framework.
    pub host_tags: Vec<String>,
    /// Maximum days per severity; tighter than the tier's wins.
    #[serde(default)]
    pub sla_days: SlaDays,
    /// Evidence a change under this framework must leave behind, e.g.
    /// `change-ticket`, `scan-before`, `scan-after`, `approval`.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// The frameworks a host falls under, by name.
pub fn frameworks_for<'a>(
    frameworks: &'a BTreeMap<String, Framework>,
    host: &HostProfile,
) -> Vec<&'a str> {
    frameworks
        .iter()
        .filter(|(_, framework)| framework.host_tags.iter().any(|tag| host.tags.contains(tag)))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The remediation deadline of a finding first seen on `first_seen`: the
/// shortest of the tier's and every applicable framework's allowance.
pub fn deadline(
    tiers: &BTreeMap<String, Tier>,
    frameworks: &BTreeMap<String, Framework>,
    host: &HostProfile,
    severity: Severity,
    first_seen: Date,
) -> Option<Date> {
    let tier_days = host
        .tier
        .as_ref()
        .and_then(|tier| tiers.get(tier))
        .and_then(|t| t.sla_days.days_for(severity));
    let framework_days = frameworks_for(frameworks, host)
        .into_iter()
        .filter_map(|name| frameworks.get(name))
        .filter_map(|framework| framework.sla_days.days_for(severity));

    let days = tier_days.into_iter().chain(framework_days).min()?;
    first_seen.checked_add(i64::from(days).days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tightest_of_tier_and_frameworks_wins() {
        let tiers = BTreeMap::from([(
            "tier1".to_string(),
            Tier { sla_days: SlaDays { high: Some(30), ..SlaDays::default() }, ..Tier::default() },
        )]);
        let frameworks = BTreeMap::from([(
            "pci-dss".to_string(),
            Framework {
                host_tags: vec!["pci".into()],
                sla_days: SlaDays { high: Some(14), ..SlaDays::default() },
                ..Framework::default()
            },
        )]);
        let mut host = HostProfile { tier: Some("tier1".into()), ..HostProfile::default() };
        let seen = date(2026, 8, 1);

        assert_eq!(
            deadline(&tiers, &frameworks, &host, Severity::High, seen),
            Some(date(2026, 8, 31))
        );
        host.tags.push("pci".into());
        assert_eq!(
            deadline(&tiers, &frameworks, &host, Severity::High, seen),
            Some(date(2026, 8, 15))
        );
        assert_eq!(deadline(&tiers, &frameworks, &host, Severity::Low, seen), None);
    }
}
