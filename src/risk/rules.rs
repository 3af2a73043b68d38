//! Classifying a finding as emergency, scheduled or deferrable.
//!
//! Rules from the policy are tried in order and the first whose conditions
//! all hold decides. The reason recorded with the finding names the rule and
//! the facts that satisfied each of its conditions ("rule `kev-exposed`:
//! KEV-listed `CVE-2021-4034`; host tagged `internet-facing`"), so anyone
//! reading the assessment can see why, without reading the policy.

use super::FindingFacts;
use super::policy::{PolicyError, RiskPolicy, Rule};
use super::script::{Expression, Sandbox};
use crate::artifact::assessment::{FindingKind, Urgency};

/// An expression that failed while classifying a finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule `{rule}`: expression failed on `{advisory}` / `{package}`: {message}")]
pub struct ClassifyError {
    pub rule: String,
    pub advisory: String,
    pub package: String,
    pub message: String,
}

struct CompiledRule {
    rule: Rule,
    expression: Option<Expression>,
}

impl std::fmt::Debug for CompiledRule {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CompiledRule")
            .field("name", &self.rule.name)
            .finish_non_exhaustive()
    }
}

/// The policy's rules, with expressions compiled once.
#[derive(Debug)]
pub struct Classifier {
    rules: Vec<CompiledRule>,
    default: Urgency,
    sandbox: Sandbox,
}

impl Classifier {
    /// Compiles every expression and tries it on a sample finding, so a
    /// broken expression is reported before anything is assessed.
    pub fn new(policy: &RiskPolicy, origin: &str) -> Result<Self, PolicyError> {
        let sandbox = Sandbox::new();
        let mut rules = Vec::with_capacity(policy.rules.len());
        for rule in &policy.rules {
            let rule_error = |message: String| PolicyError::Rule {
                path: origin.to_string(),
                rule: rule.name.clone(),
                message,
            };
            let expression = match &rule.expression {
                Some(source) => {
                    let expression = sandbox.compile(source).map_err(rule_error)?;
                    sandbox.evaluate(&expression, &FindingFacts::sample()).map_err(rule_error)?;
                    Some(expression)
                }
                None => None,
            };
            rules.push(CompiledRule { rule: rule.clone(), expression });
        }
        Ok(Classifier { rules, default: policy.default_urgency, sandbox })
    }

    pub fn rule_names(&self) -> Vec<String> {
        self.rules.iter().map(|compiled| compiled.rule.name.clone()).collect()
    }

    /// The urgency and the reason for it.
    pub fn classify(&self, facts: &FindingFacts<'_>) -> Result<(Urgency, String), ClassifyError> {
        for compiled in &self.rules {
            if let Some(because) = self.matches(compiled, facts)? {
                let reason = format!("rule `{}`: {}", compiled.rule.name, because.join("; "));
                return Ok((compiled.rule.urgency, reason));
            }
        }
        Ok((self.default, format!("no rule matched; policy default `{}`", self.default.as_str())))
    }

    /// `Some(phrases)` when every condition holds, one phrase per condition.
    fn matches(
        &self,
        compiled: &CompiledRule,
        facts: &FindingFacts<'_>,
    ) -> Result<Option<Vec<String>>, ClassifyError> {
        let Some(mut because) = check_conditions(&compiled.rule, facts) else {
            return Ok(None);
        };
        if let Some(expression) = &compiled.expression {
            let holds =
                self.sandbox.evaluate(expression, facts).map_err(|message| ClassifyError {
                    rule: compiled.rule.name.clone(),
                    advisory: facts.advisory.to_string(),
                    package: facts.package.to_string(),
                    message,
                })?;
            if !holds {
                return Ok(None);
            }
            let source = compiled.rule.expression.as_deref().unwrap_or_default();
            because.push(format!("expression `{source}` holds"));
        }
        if because.is_empty() {
            because.push("matches every finding".into());
        }
        Ok(Some(because))
    }
}

/// Checks the table conditions; `None` as soon as one fails.
fn check_conditions(rule: &Rule, facts: &FindingFacts<'_>) -> Option<Vec<String>> {
    let mut because = Vec::new();

    if let Some(kinds) = &rule.kinds {
        kinds.contains(&facts.kind).then_some(())?;
        because.push(kind_phrase(facts.kind).to_string());
    }
    if let Some(wanted) = rule.kev {
        (facts.kev.is_some() == wanted).then_some(())?;
        because.push(match facts.kev {
            Some(kev) => format!("KEV-listed `{}` (due {})", kev.cve, kev.due_date),
            None => "not KEV-listed".into(),
        });
    }
    if let Some(wanted) = rule.ransomware {
        let known = facts.kev.is_some_and(|kev| kev.known_ransomware_use);
        (known == wanted).then_some(())?;
        because.push(if known { "known ransomware use" } else { "no known ransomware use" }.into());
    }
    check_cvss(rule, facts, &mut because)?;
    check_epss(rule, facts, &mut because)?;
    if let Some(severities) = &rule.severity_in {
        severities.contains(&facts.severity).then_some(())?;
        because.push(format!("severity `{}`", facts.severity.as_str()));
    }
    check_host(rule, facts, &mut because)?;
    if let Some(wanted) = rule.fix_available {
        (facts.fix_available == wanted).then_some(())?;
        because.push(if wanted { "fix available" } else { "no fix published" }.into());
    }
    Some(because)
}

fn check_cvss(rule: &Rule, facts: &FindingFacts<'_>, because: &mut Vec<String>) -> Option<()> {
    if rule.cvss_min.is_none() && rule.cvss_max.is_none() {
        return Some(());
    }
    let score = facts.cvss?;
    if let Some(minimum) = rule.cvss_min {
        (score >= minimum).then_some(())?;
        because.push(format!("CVSS {score:.1} >= {minimum:.1}"));
    }
    if let Some(maximum) = rule.cvss_max {
        (score <= maximum).then_some(())?;
        because.push(format!("CVSS {score:.1} <= {maximum:.1}"));
    }
    Some(())
}

fn check_epss(rule: &Rule, facts: &FindingFacts<'_>, because: &mut Vec<String>) -> Option<()> {
    if let Some(minimum) = rule.epss_min {
        let epss = facts.epss?;
        (epss.score >= minimum).then_some(())?;
        because.push(format!("EPSS {:.3} >= {minimum} (`{}`)", epss.score, epss.cve));
    }
    if let Some(minimum) = rule.epss_percentile_min {
        let epss = facts.epss?;
        (epss.percentile >= minimum).then_some(())?;
        because.push(format!("EPSS percentile {:.3} >= {minimum}", epss.percentile));
    }
    Some(())
}

fn check_host(rule: &Rule, facts: &FindingFacts<'_>, because: &mut Vec<String>) -> Option<()> {
    let has_tag = |tag: &String| facts.tags.contains(tag);
    if let Some(tags) = &rule.tags_any {
        let tag = tags.iter().find(|tag| has_tag(tag))?;
        because.push(format!("host tagged `{tag}`"));
    }
    if let Some(tags) = &rule.tags_all {
        tags.iter().all(has_tag).then_some(())?;
        because.push(format!("host tagged `{}`", tags.join("`, `")));
    }
    if let Some(tiers) = &rule.tiers {
        tiers.iter().any(|tier| tier == facts.tier).then_some(())?;
        because.push(format!("tier `{}`", facts.tier));
    }
    if let Some(environments) = &rule.environments {
        let environment = facts.environment?;
        environments.iter().any(|wanted| wanted == environment).then_some(())?;
        because.push(format!("environment `{environment}`"));
    }
    Some(())
}

fn kind_phrase(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::VulnerablePackage => "vulnerable package",
        FindingKind::PendingSecurityUpdate => "pending security update",
        FindingKind::UnsupportedOs => "unsupported OS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::assessment::{KevStatus, Severity};
    use crate::risk::policy::LoadedPolicy;

    fn classifier() -> Classifier {
        let loaded = LoadedPolicy::built_in().unwrap();
        Classifier::new(&loaded.policy, "built-in").unwrap()
    }

    fn kev() -> KevStatus {
        KevStatus {
            cve: "CVE-2021-4034".into(),
            date_added: "2022-06-27".into(),
            due_date: "2022-07-18".into(),
            known_ransomware_use: false,
        }
    }

    #[test]
    fn kev_on_internet_facing_host_is_an_emergency_whatever_the_cvss() {
        let kev = kev();
        let tags = vec!["internet-facing".to_string()];
        let facts = FindingFacts {
            cvss: Some(3.1),
            severity: Severity::Low,
            kev: Some(&kev),
            tags: &tags,
            ..FindingFacts::sample()
        };
        let (urgency, reason) = classifier().classify(&facts).unwrap();
        assert_eq!(urgency, Urgency::Emergency);
        assert_eq!(
            reason,
            "rule `kev-exposed`: KEV-listed `CVE-2021-4034` (due 2022-07-18); host tagged `internet-facing`"
        );
    }

    #[test]
    fn kev_on_internal_host_is_scheduled_and_low_severity_deferrable() {
        let kev = kev();
        let facts = FindingFacts { kev: Some(&kev), tags: &[], ..FindingFacts::sample() };
        let (urgency, reason) = classifier().classify(&facts).unwrap();
        assert_eq!(urgency, Urgency::Scheduled);
        assert!(reason.starts_with("rule `kev-internal`"), "{reason}");

        let facts = FindingFacts {
            severity: Severity::Low,
            cvss: Some(2.0),
            tags: &[],
            ..FindingFacts::sample()
        };
        let (urgency, reason) = classifier().classify(&facts).unwrap();
        assert_eq!(urgency, Urgency::Deferrable);
        assert!(reason.contains("severity `low`"), "{reason}");
    }

    #[test]
    fn no_matching_rule_gives_the_default_and_says_so() {
        let facts = FindingFacts { tags: &[], ..FindingFacts::sample() };
        let (urgency, reason) = classifier().classify(&facts).unwrap();
        assert_eq!(urgency, Urgency::Scheduled);
        assert_eq!(reason, "no rule matched; policy default `scheduled`");
    }

    #[test]
    fn expression_rules_combine_with_conditions() {
        let text = r#"
            [risk]
            [[risk.rules]]
            name = "pci-high"
            urgency = "emergency"
            tiers = ["tier1"]
            expression = 'cvss >= 7.0 && tags.contains("pci")'
            [risk.sla.days.default]
            high = 30
        "#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, text).unwrap();
        let loaded = LoadedPolicy::from_file(&path).unwrap();
        let classifier = Classifier::new(&loaded.policy, "p.toml").unwrap();
        let (urgency, reason) = classifier.classify(&FindingFacts::sample()).unwrap();
        assert_eq!(urgency, Urgency::Emergency);
        assert!(reason.contains("tier `tier1`; expression `cvss >= 7.0"), "{reason}");
    }
}
