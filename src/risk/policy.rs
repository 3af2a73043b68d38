//! The risk policy: the `[risk]` table of a policy file.
//!
//! Classification and deadlines are policy, not code: an organisation decides
//! that KEV on an internet-facing host is an emergency and that PCI hosts get
//! 30 days. The built-in policy (`default_policy.toml`, which also documents
//! every key) applies when no policy file is given. Unknown keys are errors,
//! reported with the file, line, column and key, so a misspelt condition can
//! never silently match everything.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::artifact::assessment::{FindingKind, Severity, Urgency};
use crate::artifact::sha256_hex;

/// The built-in policy's text.
pub const DEFAULT_POLICY: &str = include_str!("default_policy.toml");

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy `{path}`")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("policy `{path}` is invalid: {message}")]
    Invalid { path: String, message: String },
    #[error("policy `{path}`: rule `{rule}`: {message}")]
    Rule { path: String, rule: String, message: String },
}

/// `[risk]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskPolicy {
    #[serde(default = "default_urgency")]
    pub default_urgency: Urgency,
    #[serde(default)]
    pub rules: Vec<Rule>,
    pub sla: SlaPolicy,
    #[serde(default)]
    pub regulatory: BTreeMap<String, Regulation>,
}

fn default_urgency() -> Urgency {
    Urgency::Scheduled
}

/// `[[risk.rules]]`: conditions that must all hold, and the urgency they set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub urgency: Urgency,
    pub kinds: Option<Vec<FindingKind>>,
    pub kev: Option<bool>,
    pub ransomware: Option<bool>,
    pub cvss_min: Option<f64>,
    pub cvss_max: Option<f64>,
    pub epss_min: Option<f64>,
    pub epss_percentile_min: Option<f64>,
    pub severity_in: Option<Vec<Severity>>,
    pub tags_any: Option<Vec<String>>,
    pub tags_all: Option<Vec<String>>,
    pub tiers: Option<Vec<String>>,
    pub environments: Option<Vec<String>>,
    pub fix_available: Option<bool>,
    /// A rhai expression that must evaluate to `true`.
    pub expression: Option<String>,
}

/// `[risk.sla]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// An emergency is due within this many days at most.
    pub emergency_days: Option<u32>,
    /// A KEV-listed finding is due no later than CISA's due date.
    #[serde(default)]
    pub kev_due_date: bool,
    /// Days per tier (`default` for the rest) and severity.
    pub days: BTreeMap<String, SeverityDays>,
}

/// Days per severity; a severity left out has no limit at this level.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityDays {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
    pub none: Option<u32>,
    pub unknown: Option<u32>,
}

impl SeverityDays {
    pub fn get(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::None => self.none,
            Severity::Unknown => self.unknown,
        }
    }
}

/// `[risk.regulatory.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    /// Display name: `PCI-DSS`.
    pub framework: String,
    /// Host tags that put a host under this framework.
    pub tags: Vec<String>,
    pub max_days: SeverityDays,
}

/// The policy file's top level: only `[risk]` is read, the rest belongs to
/// other commands.
#[derive(Debug, Deserialize)]
struct PolicyFile {
    risk: Option<RiskPolicy>,
}

/// A policy and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub policy: RiskPolicy,
    /// `built-in` or the file's path.
    pub origin: String,
    pub sha256: String,
}

impl LoadedPolicy {
    pub fn built_in() -> Result<Self, PolicyError> {
        let policy = parse(DEFAULT_POLICY, "built-in")?
            .ok_or_else(|| invalid("built-in", "has no `[risk]` table"))?;
        Ok(LoadedPolicy {
            policy,
            origin: "built-in".into(),
            sha256: sha256_hex(DEFAULT_POLICY.as_bytes()),
        })
    }

    /// Reads `[risk]` from a policy file; a file without one gets the
    /// built-in policy, and says so in `origin`.
    pub fn from_file(path: &Path) -> Result<Self, PolicyError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| PolicyError::Io { path: label.clone(), source })?;
        if let Some(policy) = parse(&text, &label)? {
            return Ok(LoadedPolicy { policy, origin: label, sha256: sha256_hex(text.as_bytes()) });
        }
        let mut loaded = Self::built_in()?;
        loaded.origin = format!("built-in (`{label}` has no [risk] table)");
        Ok(loaded)
    }
}

fn parse(text: &str, label: &str) -> Result<Option<RiskPolicy>, PolicyError> {
    let file: PolicyFile =
        toml::from_str(text).map_err(|error| invalid(label, &error.to_string()))?;
    let Some(policy) = file.risk else {
        return Ok(None);
    };
    validate(&policy, label)?;
    Ok(Some(policy))
}

fn validate(policy: &RiskPolicy, label: &str) -> Result<(), PolicyError> {
    let rule_error = |rule: &Rule, message: &str| PolicyError::Rule {
        path: label.to_string(),
        rule: rule.name.clone(),
        message: message.to_string(),
    };
    let mut names = std::collections::HashSet::new();
    for rule in &policy.rules {
        if !names.insert(rule.name.as_str()) {
            return Err(rule_error(rule, "the name is used by an earlier rule"));
        }
        let probabilities = [rule.epss_min, rule.epss_percentile_min];
        if probabilities.iter().flatten().any(|value| !(0.0..=1.0).contains(value)) {
            return Err(rule_error(
                rule,
                "`epss_min` and `epss_percentile_min` are between 0 and 1",
            ));
        }
        let scores = [rule.cvss_min, rule.cvss_max];
        if scores.iter().flatten().any(|value| !(0.0..=10.0).contains(value)) {
            return Err(rule_error(rule, "`cvss_min` and `cvss_max` are between 0 and 10"));
        }
    }
    if !policy.sla.days.contains_key("default") {
        return Err(invalid(label, "`[risk.sla.days.default]` is required"));
    }
    Ok(())
}

fn invalid(label: &str, message: &str) -> PolicyError {
    PolicyError::Invalid { path: label.to_string(), message: message.trim_end().to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_policy_parses() {
        let loaded = LoadedPolicy::built_in().unwrap();
        assert_eq!(loaded.policy.rules[0].name, "kev-exposed");
        assert_eq!(loaded.policy.regulatory["pci"].max_days.critical, Some(30));
    }

    #[test]
    fn misspelt_condition_is_an_error_with_its_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        let text = DEFAULT_POLICY.replace("tags_any = [\"internet-facing\", \"dmz\", \"public\"]\n\n[[risk.rules]]\nname = \"kev-ransomware\"", "tag_any = [\"x\"]\n\n[[risk.rules]]\nname = \"kev-ransomware\"");
        std::fs::write(&path, text).unwrap();
        let message = LoadedPolicy::from_file(&path).unwrap_err().to_string();
        assert!(message.contains("unknown field `tag_any`"), "{message}");
        assert!(message.contains("line"), "{message}");
    }

    #[test]
    fn file_without_risk_table_falls_back_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, "[windows]\nweekly = \"Sat 02:00\"\n").unwrap();
        let loaded = LoadedPolicy::from_file(&path).unwrap();
        assert!(loaded.origin.starts_with("built-in (`"), "{}", loaded.origin);
    }
}
