//! `assessment.json`: for every host, which installed packages are
//! vulnerable, how urgent each finding is and by when it must be fixed.
//!
//! The artifact records where every piece of evidence came from (each feed's
//! digest and data date, every malformed record that was skipped, the policy
//! used) so that a plan built from it can be audited. Findings carry a stable
//! `key` (`host|advisory|package`) through which the next assessment carries
//! the first-seen date over, so an SLA clock never restarts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ArtifactMeta, Layout};

/// Current shape of `assessment.json`.
pub const SCHEMA_VERSION: u32 = 1;

/// One finding per line: document, `hosts`, host and its `findings` are
/// broken over lines, each finding is written whole.
pub const LAYOUT: Layout = Layout::RecordPerLine { depth: 4 };

/// The artifact written by `patchpilot assess`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentArtifact {
    pub meta: ArtifactMeta,
    /// The day the assessment was made for (`YYYY-MM-DD`); deadlines and
    /// overdue flags are relative to it.
    pub assessed_on: String,
    /// Every advisory and threat-intelligence feed that was read.
    pub sources: Vec<FeedSource>,
    /// Feed records that could not be read and were left out.
    pub skipped_records: Vec<SkippedRecord>,
    pub policy: PolicySummary,
    /// Hosts in inventory order.
    pub hosts: Vec<HostAssessment>,
    pub summary: AssessmentSummary,
}

/// One feed as read: what it is, its exact content and how fresh it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FeedSource {
    /// `osv`, `debian-security-tracker`, `alpine-secdb`, `red-hat-csaf`,
    /// `kev`, `epss`, or several joined by `+` for a mixed directory.
    pub kind: String,
    pub path: String,
    /// sha256 of the file, or for a directory of the sorted list of
    /// `relative-path sha256` lines of every file read.
    pub sha256: String,
    /// The newest date the data itself carries (`YYYY-MM-DD`), if any.
    pub data_date: Option<String>,
    /// Records read successfully (advisories, KEV entries, EPSS rows).
    pub records: usize,
    /// Records skipped as malformed.
    pub skipped: usize,
    /// Package entries for ecosystems patchpilot does not match (another
    /// product, a language ecosystem); not an error.
    pub ignored_entries: usize,
}

/// A record left out because it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedRecord {
    /// The file (or `archive.zip!member`) the record is in.
    pub file: String,
    /// The record's id, or its line number when it has none.
    pub record: String,
    pub reason: String,
}

/// Which risk policy classified the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicySummary {
    /// `built-in` or the path of the policy file.
    pub origin: String,
    /// sha256 of the policy text used.
    pub sha256: String,
    /// Rule names in evaluation order.
    pub rules: Vec<String>,
}

/// One host's findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostAssessment {
    pub name: String,
    pub environment: Option<String>,
    /// From the inventory, for planning: clusters must keep redundancy.
    pub cluster: Option<String>,
    /// Inventory groups, for policy selectors.
    pub groups: Vec<String>,
    pub tier: String,
    pub tags: Vec<String>,
    /// `debian 12`, `almalinux 9.4`; empty when the host was not reached.
    pub os: String,
    pub status: HostStatus,
    /// The advisory releases that were matched against this host, e.g.
    /// `AlmaLinux:9`. Empty means no feed covers its OS.
    pub coverage: Vec<String>,
    /// Findings, most urgent first.
    pub findings: Vec<Finding>,
    /// Findings of the previous assessment that are gone now.
    pub resolved: Vec<ResolvedFinding>,
}

/// Whether a host could be assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum HostStatus {
    /// Packages were matched against at least one feed.
    Assessed,
    /// Reached, but no feed given covers this OS release; its packages
    /// were not checked.
    NoAdvisoryData,
    /// The inventory has no facts for this host.
    NotReached { reason: String },
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// An installed package inside an advisory's affected range.
    VulnerablePackage,
    /// The host's package manager offers a security update that no advisory
    /// feed accounted for.
    PendingSecurityUpdate,
    /// The OS release is past (or near) its end of security support.
    UnsupportedOs,
}

/// How soon a finding must be acted on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Act now, outside the regular windows if need be.
    Emergency,
    /// Patch in the next regular window, within the SLA.
    Scheduled,
    /// Low risk; may wait for routine maintenance.
    Deferrable,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Emergency => "emergency",
            Urgency::Scheduled => "scheduled",
            Urgency::Deferrable => "deferrable",
        }
    }
}

/// Severity as CVSS ratings name it; `unknown` when nothing rates it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    None,
    Unknown,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::None => "none",
            Severity::Unknown => "unknown",
        }
    }
}

/// One host × advisory × package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// `host|advisory|package`: stable across runs, carries first-seen over.
    pub key: String,
    pub kind: FindingKind,
    /// Advisory id (`ALSA-2023:5453`, `DSA-5343-1`), or `pending-update`,
    /// or `unsupported-os`.
    pub advisory: String,
    /// The feed kind the advisory came from.
    pub source: String,
    pub summary: Option<String>,
    pub cves: Vec<String>,
    /// The installed binary package; empty for an OS finding.
    pub package: String,
    /// The source package the advisory named, when it differs.
    pub source_package: Option<String>,
    pub installed_version: Option<String>,
    /// The first version that fixes it; `None` when no fix is published.
    pub fixed_version: Option<String>,
    /// The candidate the host's package manager already offers, if any.
    pub available_update: Option<String>,
    pub severity: Severity,
    pub cvss: Option<CvssScore>,
    /// The rating the vendor gave, when it gave one (`Important`, `medium`).
    pub vendor_severity: Option<String>,
    pub kev: Option<KevStatus>,
    pub epss: Option<EpssScore>,
    /// The host's tags, which carry its exposure (`internet-facing`, `pci`).
    pub exposure: Vec<String>,
    pub tier: String,
    pub urgency: Urgency,
    /// The rule that set `urgency` and why it matched.
    pub reason: String,
    /// The day this finding was first seen on this host.
    pub first_seen: String,
    pub sla_days: u32,
    /// `first_seen + sla_days`, tightened by regulation and KEV due dates.
    pub deadline: String,
    /// How the deadline was set, step by step.
    pub deadline_reason: String,
    pub overdue: bool,
}

/// A CVSS score computed from its vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CvssScore {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    pub vector: String,
    /// Base score computed from the vector, never taken on trust.
    pub base_score: f64,
}

/// The finding's standing in CISA's Known Exploited Vulnerabilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KevStatus {
    /// The KEV-listed CVE (the earliest-due one when several are listed).
    pub cve: String,
    pub date_added: String,
    pub due_date: String,
    pub known_ransomware_use: bool,
}

/// The highest EPSS score among the finding's CVEs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpssScore {
    pub cve: String,
    /// Probability of exploitation in the next 30 days, 0…1.
    pub score: f64,
    /// Rank among all scored CVEs, 0…1.
    pub percentile: f64,
}

/// A finding of the previous assessment that this one no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResolvedFinding {
    pub key: String,
    pub advisory: String,
    pub package: String,
    pub first_seen: String,
    /// The assessment day on which it was found gone.
    pub resolved_on: String,
}

/// Fleet-wide counts for the summary table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentSummary {
    pub hosts: usize,
    pub hosts_assessed: usize,
    pub hosts_with_findings: usize,
    pub findings: usize,
    pub emergency: usize,
    pub scheduled: usize,
    pub deferrable: usize,
    pub kev_findings: usize,
    pub overdue: usize,
    pub resolved: usize,
    /// CVEs by the number of hosts they affect, most first.
    pub top_cves: Vec<CveSummary>,
}

/// One CVE across the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CveSummary {
    pub cve: String,
    pub hosts: usize,
    pub kev: bool,
    pub epss: Option<f64>,
    pub max_cvss: Option<f64>,
}

impl AssessmentArtifact {
    /// Reads and checks the kind and schema version of a previous assessment.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let bytes = std::fs::read(path).with_context(|| format!("reading `{}`", path.display()))?;
        let artifact: AssessmentArtifact = serde_json::from_slice(&bytes)
            .with_context(|| format!("`{}` is not an assessment artifact", path.display()))?;
        anyhow::ensure!(
            artifact.meta.kind == "assessment" && artifact.meta.schema_version == SCHEMA_VERSION,
            "`{}` is an `{}` artifact of schema version {}, expected `assessment` version {}",
            path.display(),
            artifact.meta.kind,
            artifact.meta.schema_version,
            SCHEMA_VERSION
        );
        Ok(artifact)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The committed schema must match the types; `UPDATE_SCHEMAS=1`
    /// rewrites it.
    #[test]
    fn committed_schema_is_current() {
        let (name, schema) = crate::artifact::schemas()
            .into_iter()
            .find(|(name, _)| *name == "assessment.schema.json")
            .expect("assessment schema is listed");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(name);
        let expected = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == expected, "{name} is stale; run with UPDATE_SCHEMAS=1");
    }
}
