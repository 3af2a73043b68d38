//! Which hosts a policy rule applies to.
//!
//! Windows, freezes, waves, reboot rules and exceptions all pick hosts the
//! same way, so the matching rule is defined once: every list that is given
//! must match (lists combine with AND), any entry of a list may match
//! (entries combine with OR), and an empty selector matches every host.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// What the policy knows about a host when deciding whether a rule applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostProfile {
    pub name: String,
    pub environment: Option<String>,
    pub groups: Vec<String>,
    pub cluster: Option<String>,
    pub tier: Option<String>,
    pub tags: Vec<String>,
}

/// `applies_to = { environments = [...], groups = [...], ... }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub clusters: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Host names or globs such as `web*`.
    #[serde(default)]
    pub hosts: Vec<String>,
}

impl Selector {
    pub fn is_empty(&self) -> bool {
        self.environments.is_empty()
            && self.groups.is_empty()
            && self.tiers.is_empty()
            && self.clusters.is_empty()
            && self.tags.is_empty()
            && self.hosts.is_empty()
    }

    /// Whether the host satisfies every given list.
    pub fn matches(&self, host: &HostProfile) -> bool {
        matches_optional(&self.environments, host.environment.as_deref())
            && matches_any(&self.groups, &host.groups)
            && matches_optional(&self.tiers, host.tier.as_deref())
            && matches_optional(&self.clusters, host.cluster.as_deref())
            && matches_any(&self.tags, &host.tags)
            && (self.hosts.is_empty() || host_globs(&self.hosts).is_match(&host.name))
    }
}

fn matches_optional(wanted: &[String], value: Option<&str>) -> bool {
    wanted.is_empty() || value.is_some_and(|value| wanted.iter().any(|w| w == value))
}

fn matches_any(wanted: &[String], values: &[String]) -> bool {
    wanted.is_empty() || values.iter().any(|value| wanted.contains(value))
}

/// Builds a glob set; patterns were checked by validation, so a bad one
/// here simply matches nothing.
pub fn host_globs(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web1() -> HostProfile {
        HostProfile {
            name: "web1".into(),
            environment: Some("production".into()),
            groups: vec!["web".into(), "eu".into()],
            cluster: Some("web-eu".into()),
            tier: Some("tier2".into()),
            tags: vec!["internet-facing".into()],
        }
    }

    #[test]
    fn lists_combine_with_and_entries_with_or() {
        let selector = Selector {
            environments: vec!["staging".into(), "production".into()],
            groups: vec!["db".into(), "web".into()],
            hosts: vec!["web*".into()],
            ..Selector::default()
        };
        assert!(selector.matches(&web1()));
        let narrower = Selector { tiers: vec!["tier1".into()], ..selector };
        assert!(!narrower.matches(&web1()));
        assert!(Selector::default().matches(&web1()));
    }

    #[test]
    fn a_host_without_environment_matches_no_environment_list() {
        let host = HostProfile { environment: None, ..web1() };
        let selector = Selector { environments: vec!["production".into()], ..Selector::default() };
        assert!(!selector.matches(&host));
    }
}
