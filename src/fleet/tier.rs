//! Criticality tiers: which rule puts each host in which tier.
//!
//! Rollout order, approval and maintenance windows all hang off a host's
//! tier, so an operator must be able to see why a host landed where it did.
//! [`TierRules::assign`] therefore always returns the rule text with the
//! tier: an explicit tier on the host (or its groups) wins, then the first
//! matching `[[tiers]]` rule, then `[tiers_default]`, then the built-in
//! [`BUILTIN_DEFAULT_TIER`].
//!
//! A rule's `when` holds conditions on tags, groups, environment, and the
//! `sla` and `data_sensitivity` variables. Within one condition any listed
//! value matches; all conditions given must match; an empty `when` matches
//! every host.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::host::Host;
use crate::artifact::inventory::TierAssignment;

/// The tier of a host no rule and no default placed.
pub const BUILTIN_DEFAULT_TIER: &str = "unclassified";

/// One `[[tiers]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    pub tier: String,
    #[serde(default)]
    pub when: TierCondition,
}

/// What a host must have for a rule to match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierCondition {
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub groups: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub environment: Vec<String>,
    /// Matched against the host variable `sla`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub sla: Vec<String>,
    /// Matched against the host variable `data_sensitivity`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub data_sensitivity: Vec<String>,
}

/// `[tiers_default]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDefault {
    pub tier: String,
}

/// Ordered tier rules and the fallback tier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierRules {
    rules: Vec<TierRule>,
    default_tier: Option<String>,
}

impl TierRules {
    pub fn new(rules: Vec<TierRule>, default_tier: Option<String>) -> Self {
        TierRules { rules, default_tier }
    }

    pub fn rules(&self) -> &[TierRule] {
        &self.rules
    }

    /// The host's tier and the rule that set it.
    pub fn assign(&self, host: &Host) -> TierAssignment {
        if let Some(explicit) = &host.tier {
            return assignment(&explicit.tier, explicit.origin.clone());
        }

        let matched = self.rules.iter().enumerate().find(|(_, rule)| rule.when.matches(host));
        if let Some((index, rule)) = matched {
            return assignment(&rule.tier, format!("tiers[{index}]: {}", rule.when));
        }

        match &self.default_tier {
            Some(tier) => assignment(tier, "tiers_default".to_string()),
            None => assignment(BUILTIN_DEFAULT_TIER, "default".to_string()),
        }
    }
}

fn assignment(tier: &str, rule: String) -> TierAssignment {
    TierAssignment { tier: tier.to_string(), rule }
}

impl TierCondition {
    pub fn matches(&self, host: &Host) -> bool {
        let var = |name: &str| host.vars.get(name).map(String::as_str);

        any_or_empty(&self.tags, |tag| host.has_tag(tag))
            && any_or_empty(&self.groups, |group| host.is_member_of(group))
            && any_or_empty(&self.environment, |wanted| {
                equal_loosely(host.environment.as_deref(), wanted)
            })
            && any_or_empty(&self.sla, |wanted| equal_loosely(var("sla"), wanted))
            && any_or_empty(&self.data_sensitivity, |wanted| {
                equal_loosely(var("data_sensitivity"), wanted)
            })
    }
}

/// `tags contains pci or hipaa and environment is production`.
impl fmt::Display for TierCondition {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("tags contains", &self.tags),
            ("member of", &self.groups),
            ("environment is", &self.environment),
            ("sla is", &self.sla),
            ("data_sensitivity is", &self.data_sensitivity),
        ]
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(verb, values)| format!("{verb} {}", values.join(" or ")))
        .collect();

        if parts.is_empty() {
            formatter.write_str("always")
        } else {
            formatter.write_str(&parts.join(" and "))
        }
    }
}

fn any_or_empty(values: &[String], predicate: impl Fn(&str) -> bool) -> bool {
    values.is_empty() || values.iter().any(|value| predicate(value))
}

fn equal_loosely(actual: Option<&str>, wanted: &str) -> bool {
    actual.is_some_and(|actual| actual.trim().eq_ignore_ascii_case(wanted.trim()))
}

/// Accepts `"pci"` as well as `["pci", "hipaa"]`.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct OneOrMany;

    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a string or a list of strings")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(vec![value.to_string()])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut values = Vec::new();
            while let Some(value) = seq.next_element::<String>()? {
                values.push(value);
            }
            Ok(values)
        }
    }

    deserializer.deserialize_any(OneOrMany)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::fleet::host::{ConnectionSettings, ExplicitTier, Transport};

    fn host(tags: &[&str], groups: &[&str], environment: Option<&str>) -> Host {
        Host {
            name: "h".into(),
            connection: ConnectionSettings {
                address: "h".into(),
                port: None,
                user: None,
                transport: Transport::Ssh,
                identity_file: None,
                known_hosts_file: None,
                proxy_jump: None,
                become_root: false,
                legacy_algorithms: false,
            },
            environment: environment.map(str::to_string),
            cluster: None,
            owner: None,
            tags: tags.iter().map(|tag| (*tag).to_string()).collect(),
            groups: groups.iter().map(|group| (*group).to_string()).collect(),
            vars: BTreeMap::from([("sla".to_string(), "Gold".to_string())]),
            notes: Vec::new(),
            watch: Vec::new(),
            probes: Vec::new(),
            tier: None,
        }
    }

    #[derive(Deserialize)]
    struct RulesFile {
        tiers: Vec<TierRule>,
    }

    fn rules() -> TierRules {
        let text = r#"
            [[tiers]]
            tier = "tier0"
            when = { groups = "core", environment = ["production", "prod"] }
            [[tiers]]
            tier = "tier1"
            when = { tags = ["pci", "hipaa"] }
            [[tiers]]
            tier = "tier1"
            when = { sla = "gold" }
        "#;
        let file: RulesFile = toml::from_str(text).expect("valid rules");
        TierRules::new(file.tiers, Some("tier3".into()))
    }

    #[test]
    fn first_matching_rule_wins_and_names_itself() {
        let assigned = rules().assign(&host(&["pci"], &["core"], Some("Production")));
        assert_eq!(assigned.tier, "tier0");
        assert_eq!(assigned.rule, "tiers[0]: member of core and environment is production or prod");

        let assigned = rules().assign(&host(&["PCI"], &["web"], Some("staging")));
        assert_eq!(assigned.rule, "tiers[1]: tags contains pci or hipaa");
    }

    #[test]
    fn host_variables_feed_sla_and_data_sensitivity_conditions() {
        let assigned = rules().assign(&host(&[], &[], None));
        assert_eq!(
            (assigned.tier.as_str(), assigned.rule.as_str()),
            ("tier1", "tiers[2]: sla is gold")
        );
    }

    #[test]
    fn explicit_tier_beats_rules_and_defaults_apply_last() {
        let mut explicit = host(&["pci"], &[], None);
        explicit.tier = Some(ExplicitTier { tier: "tier2".into(), origin: "hosts.h.tier".into() });
        assert_eq!(rules().assign(&explicit).rule, "hosts.h.tier");

        let mut plain = host(&[], &[], None);
        plain.vars.clear();
        assert_eq!(rules().assign(&plain).rule, "tiers_default");
        let builtin = TierRules::default().assign(&plain);
        assert_eq!((builtin.tier.as_str(), builtin.rule.as_str()), ("unclassified", "default"));
    }

    #[test]
    fn an_empty_condition_matches_every_host() {
        let rules = TierRules::new(
            vec![TierRule { tier: "tier2".into(), when: TierCondition::default() }],
            None,
        );
        assert_eq!(rules.assign(&host(&[], &[], None)).rule, "tiers[0]: always");
    }
}
