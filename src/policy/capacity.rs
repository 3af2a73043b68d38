//! How much may be down at once: throttles, reboots and cluster limits.
//!
//! The throttle caps hosts in progress at the same time, over the whole
//! fleet and per group. `max_unavailable` caps hosts of one cluster in
//! progress at once, so a cluster never loses quorum; a percentage is of the
//! cluster's size in the plan's input and rounds down, but never below one.
//! Reboot rules decide per group whether a host is rebooted after patching;
//! when a host's groups disagree, `never` wins over `always`, which wins
//! over `if-required`, because a wrongly skipped reboot is recoverable and
//! a wrongly forced one on a database is not.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quantity::Quantity;
use super::selector::HostProfile;

/// `[throttle]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Hosts in progress at once, fleet-wide.
    #[serde(default = "default_concurrency")]
    pub max_concurrent: u32,
    /// Hosts in progress at once within a group.
    #[serde(default)]
    pub per_group: BTreeMap<String, u32>,
}

fn default_concurrency() -> u32 {
    10
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle { max_concurrent: default_concurrency(), per_group: BTreeMap::new() }
    }
}

/// When to reboot after patching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RebootMode {
    Never,
    IfRequired,
    Always,
}

/// `[reboots]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reboots {
    #[serde(default = "if_required")]
    pub default: RebootMode,
    /// Per-group overrides.
    #[serde(default)]
    pub groups: BTreeMap<String, RebootMode>,
}

fn if_required() -> RebootMode {
    RebootMode::IfRequired
}

impl Default for Reboots {
    fn default() -> Self {
        Reboots { default: if_required(), groups: BTreeMap::new() }
    }
}

impl Reboots {
    /// The mode for a host: the strictest of its groups' rules, else the default.
    pub fn mode_for(&self, host: &HostProfile) -> RebootMode {
        let modes: Vec<RebootMode> =
            host.groups.iter().filter_map(|group| self.groups.get(group).copied()).collect();
        [RebootMode::Never, RebootMode::Always, RebootMode::IfRequired]
            .into_iter()
            .find(|mode| modes.contains(mode))
            .unwrap_or(self.default)
    }
}

/// Whether a host in `mode` is rebooted, given whether its patches need one.
pub fn will_reboot(mode: RebootMode, reboot_expected: bool) -> bool {
    match mode {
        RebootMode::Never => false,
        RebootMode::IfRequired => reboot_expected,
        RebootMode::Always => true,
    }
}

/// `[clusters]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clusters {
    #[serde(default = "one")]
    pub default_max_unavailable: Quantity,
    /// Per-cluster overrides.
    #[serde(default)]
    pub max_unavailable: BTreeMap<String, Quantity>,
}

fn one() -> Quantity {
    Quantity::Count(1)
}

impl Default for Clusters {
    fn default() -> Self {
        Clusters { default_max_unavailable: one(), max_unavailable: BTreeMap::new() }
    }
}

impl Clusters {
    /// Hosts of `cluster` (of `size` members) that may be down at once; at least one.
    pub fn limit_for(&self, cluster: &str, size: usize) -> usize {
        let quantity =
            self.max_unavailable.get(cluster).copied().unwrap_or(self.default_max_unavailable);
        quantity.limit_of(size).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_beats_always_beats_if_required() {
        let reboots = Reboots {
            default: RebootMode::IfRequired,
            groups: BTreeMap::from([
                ("db".to_string(), RebootMode::Never),
                ("kernel".to_string(), RebootMode::Always),
            ]),
        };
        let mut host = HostProfile { groups: vec!["kernel".into()], ..HostProfile::default() };
        assert_eq!(reboots.mode_for(&host), RebootMode::Always);
        host.groups.push("db".into());
        assert_eq!(reboots.mode_for(&host), RebootMode::Never);
        assert_eq!(reboots.mode_for(&HostProfile::default()), RebootMode::IfRequired);
        assert!(!will_reboot(RebootMode::IfRequired, false));
        assert!(will_reboot(RebootMode::Always, false));
    }

    #[test]
    fn percentage_max_unavailable_rounds_down_but_allows_one() {
        let clusters = Clusters {
            default_max_unavailable: Quantity::Count(1),
            max_unavailable: BTreeMap::from([("web".to_string(), Quantity::Percent(25.0))]),
        };
        assert_eq!(clusters.limit_for("web", 8), 2);
        assert_eq!(clusters.limit_for("web", 3), 1);
        assert_eq!(clusters.limit_for("pg", 3), 1);
    }
}
