//! Risk: how urgent each finding is and by when it must be fixed.
//!
//! The advisory module says *what* is vulnerable; this module says *how
//! much it matters* on this host: CVSS computed from vectors, CISA KEV and
//! EPSS, the host's exposure (its tags) and tier, run through the policy's
//! rules ([`rules`]) to an urgency with a stated reason, and through its SLA
//! table and regulatory limits ([`sla`]) to a deadline counted from the day
//! the finding was first seen. [`assessment`] puts it together per host.

pub mod assessment;
pub mod cvss;
pub mod host;
pub mod policy;
pub mod rules;
pub mod script;
pub mod sla;

use crate::artifact::assessment::{EpssScore, FindingKind, KevStatus, Severity};

/// What the policy may look at when classifying one finding.
#[derive(Debug, Clone, Copy)]
pub struct FindingFacts<'a> {
    pub kind: FindingKind,
    pub severity: Severity,
    pub cvss: Option<f64>,
    pub kev: Option<&'a KevStatus>,
    pub epss: Option<&'a EpssScore>,
    pub tags: &'a [String],
    pub tier: &'a str,
    pub environment: Option<&'a str>,
    pub fix_available: bool,
    pub package: &'a str,
    pub advisory: &'a str,
    pub cves: &'a [String],
}

impl FindingFacts<'static> {
    /// A typical finding, used to check policy expressions at load time and
    /// in tests.
    pub fn sample() -> Self {
        static TAGS: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["pci".to_string(), "web".to_string()]);
        static CVES: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["CVE-2023-4911".to_string()]);
        FindingFacts {
            kind: FindingKind::VulnerablePackage,
            severity: Severity::High,
            cvss: Some(7.8),
            kev: None,
            epss: None,
            tags: &TAGS,
            tier: "tier1",
            environment: Some("production"),
            fix_available: true,
            package: "glibc",
            advisory: "ALSA-2023:5453",
            cves: &CVES,
        }
    }
}
