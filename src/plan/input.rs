//! What planning needs from an assessment, and the one place that reads it.
//!
//! Planning depends only on [`PlanInput`]: per host its name, environment,
//! groups, cluster, tier, tags, reachability and EOL standing, and per
//! finding the package, installed and target versions, the classification
//! `assess` gave it, severity, CVEs, first-seen date or deadline, and
//! whether a reboot is expected. The file format is read here and nowhere
//! else, so wiring the real `assessment.json` in is one adapter in this file.
//!
//! Two shapes are read: the real `assessment.json` written by `assess`
//! (recognised by its `meta.schema_version`), converted by
//! [`from_assessment`], and a compact hand-written shape (documented on
//! [`AssessmentDocument`]) that the planning tests and examples use.

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use crate::artifact::assessment::{
    AssessmentArtifact, Finding, FindingKind, HostStatus, Severity as ArtifactSeverity, Urgency,
};
use crate::artifact::plan::Classification;
use crate::policy::selector::HostProfile;
use crate::policy::sla::Severity;

/// Everything planning needs, host by host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanInput {
    pub hosts: Vec<HostInput>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostInput {
    pub profile: HostProfile,
    /// Whether the host answered when it was assessed.
    pub reachable: bool,
    /// Set when the host's OS is out of support, e.g. `debian 10 ended 2024-06-30`.
    pub eol: Option<String>,
    pub findings: Vec<FindingInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingInput {
    pub package: String,
    pub installed_version: String,
    /// The version to install; `None` when no fix exists yet.
    pub target_version: Option<String>,
    pub classification: Classification,
    pub severity: Option<Severity>,
    pub cves: Vec<String>,
    /// When the finding was first seen: the SLA clock's start.
    pub first_seen: Option<Date>,
    /// The deadline `assess` computed; the policy computes one otherwise.
    pub sla_deadline: Option<Date>,
    pub reboot_expected: bool,
    /// Why `assess` classified it so.
    pub reason: Option<String>,
}

/// Why an assessment could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read assessment `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("assessment `{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// The interim `assessment.json` shape:
///
/// ```json
/// { "meta": { … }, "hosts": [ {
///     "name": "web1", "environment": "production", "cluster": "web-eu",
///     "groups": ["web"], "tier": "tier2", "tags": ["internet-facing"],
///     "reachable": true, "eol": null,
///     "findings": [ {
///       "package": "openssl", "installed_version": "3.0.11-1~deb12u2",
///       "fixed_version": "3.0.13-1~deb12u1", "classification": "emergency",
///       "severity": "critical", "cves": ["CVE-2024-0727"],
///       "first_seen": "2026-08-20", "sla_deadline": null,
///       "reboot_required": false, "reason": "KEV on internet-facing host" } ] } ] }
/// ```
///
/// Unknown fields are ignored, so the real artifact's extra detail is harmless.
#[derive(Debug, Deserialize)]
pub struct AssessmentDocument {
    pub hosts: Vec<AssessedHost>,
}

#[derive(Debug, Deserialize)]
pub struct AssessedHost {
    pub name: String,
    pub environment: Option<String>,
    pub cluster: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    pub tier: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "reachable")]
    pub reachable: bool,
    pub eol: Option<String>,
    #[serde(default)]
    pub findings: Vec<AssessedFinding>,
}

fn reachable() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct AssessedFinding {
    pub package: String,
    pub installed_version: String,
    pub fixed_version: Option<String>,
    pub classification: Classification,
    pub severity: Option<Severity>,
    #[serde(default)]
    pub cves: Vec<String>,
    pub first_seen: Option<Date>,
    pub sla_deadline: Option<Date>,
    #[serde(default)]
    pub reboot_required: bool,
    pub reason: Option<String>,
}

/// Reads an assessment file into planning input.
pub fn read(path: &Path) -> Result<PlanInput, InputError> {
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|source| InputError::Read { path: shown.clone(), source })?;
    parse(&bytes).map_err(|message| InputError::Invalid { path: shown, message })
}

/// Parses assessment JSON into planning input.
pub fn parse(bytes: &[u8]) -> Result<PlanInput, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    if value.pointer("/meta/schema_version").is_some() {
        let artifact: AssessmentArtifact =
            serde_json::from_value(value).map_err(|error| error.to_string())?;
        return Ok(from_assessment(&artifact));
    }
    let document: AssessmentDocument =
        serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    Ok(PlanInput { hosts: document.hosts.into_iter().map(host_input).collect() })
}

/// Converts the artifact `assess` writes. Unsupported-OS findings become the
/// host's EOL note rather than package changes; the target version is the
/// update the host's package manager offers when it has one (a repository
/// usually carries only its newest version), else the advisory's fix.
pub fn from_assessment(artifact: &AssessmentArtifact) -> PlanInput {
    let hosts = artifact
        .hosts
        .iter()
        .map(|host| HostInput {
            profile: HostProfile {
                name: host.name.clone(),
                environment: host.environment.clone(),
                groups: host.groups.clone(),
                cluster: host.cluster.clone(),
                tier: Some(host.tier.clone()),
                tags: host.tags.clone(),
            },
            reachable: !matches!(host.status, HostStatus::NotReached { .. }),
            eol: host
                .findings
                .iter()
                .find(|finding| finding.kind == FindingKind::UnsupportedOs)
                .map(|finding| finding.reason.clone()),
            findings: host
                .findings
                .iter()
                .filter(|finding| finding.kind != FindingKind::UnsupportedOs)
                .map(finding_from_artifact)
                .collect(),
        })
        .collect();
    PlanInput { hosts }
}

fn finding_from_artifact(finding: &Finding) -> FindingInput {
    FindingInput {
        package: finding.package.clone(),
        installed_version: finding.installed_version.clone().unwrap_or_default(),
        target_version: finding.available_update.clone().or_else(|| finding.fixed_version.clone()),
        classification: match finding.urgency {
            Urgency::Emergency => Classification::Emergency,
            Urgency::Scheduled => Classification::Scheduled,
            Urgency::Deferrable => Classification::Deferrable,
        },
        severity: match finding.severity {
            ArtifactSeverity::Critical => Some(Severity::Critical),
            ArtifactSeverity::High => Some(Severity::High),
            ArtifactSeverity::Medium => Some(Severity::Medium),
            ArtifactSeverity::Low => Some(Severity::Low),
            ArtifactSeverity::None | ArtifactSeverity::Unknown => None,
        },
        cves: finding.cves.clone(),
        first_seen: finding.first_seen.parse().ok(),
        sla_deadline: finding.deadline.parse().ok(),
        reboot_expected: expects_reboot(&finding.package),
        reason: Some(finding.reason.clone()),
    }
}

/// Packages whose upgrade means a reboot on every common distribution.
///
/// LIMITATION: a name list; the package manager's own hints (Debian's
/// reboot-required.pkgs after a dry run, `needs-restarting`) would be exact.
fn expects_reboot(package: &str) -> bool {
    const PREFIXES: &[&str] =
        &["linux-image", "kernel", "glibc", "libc6", "systemd", "dbus", "pp-kernel"];
    PREFIXES.iter().any(|prefix| package.starts_with(prefix))
}

fn host_input(host: AssessedHost) -> HostInput {
    HostInput {
        profile: HostProfile {
            name: host.name,
            environment: host.environment,
            groups: host.groups,
            cluster: host.cluster,
            tier: host.tier,
            tags: host.tags,
        },
        reachable: host.reachable,
        eol: host.eol,
        findings: host.findings.into_iter().map(finding_input).collect(),
    }
}

fn finding_input(finding: AssessedFinding) -> FindingInput {
    FindingInput {
        package: finding.package,
        installed_version: finding.installed_version,
        target_version: finding.fixed_version,
        classification: finding.classification,
        severity: finding.severity,
        cves: finding.cves,
        first_seen: finding.first_seen,
        sla_deadline: finding.sla_deadline,
        reboot_expected: finding.reboot_required,
        reason: finding.reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_interim_shape_and_ignores_extra_fields() {
        let json = br#"{ "meta": { "kind": "assessment" }, "hosts": [ {
            "name": "web1", "environment": "production", "groups": ["web"],
            "tier": "tier2", "cvss_detail": { "ignored": true },
            "findings": [ { "package": "openssl", "installed_version": "3.0.11",
              "fixed_version": "3.0.13", "classification": "emergency",
              "severity": "critical", "first_seen": "2026-08-20", "kev": true } ] } ] }"#;
        let input = parse(json).unwrap();
        let host = &input.hosts[0];
        assert!(host.reachable);
        assert_eq!(host.profile.groups, ["web"]);
        assert_eq!(host.findings[0].target_version.as_deref(), Some("3.0.13"));
        assert_eq!(host.findings[0].classification, Classification::Emergency);
        assert_eq!(host.findings[0].first_seen, Some(jiff::civil::date(2026, 8, 20)));
    }
}
