//! `inventory.json`: what every host is, what it runs and how it is doing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ArtifactMeta, Layout};

/// Current shape of `inventory.json`.
pub const SCHEMA_VERSION: u32 = 1;

/// One package, disk or listening socket per line: document, `hosts`, host,
/// `facts` and the lists inside facts are broken over lines, their items
/// are not. A fully pretty file was 60 % indentation at 1,500 packages.
pub const LAYOUT: Layout = Layout::RecordPerLine { depth: 5 };

/// The artifact written by `patchpilot inventory`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InventoryArtifact {
    pub meta: ArtifactMeta,
    /// Where the end-of-life table came from and how old it is.
    pub eol_source: Option<EolSource>,
    /// Hosts in name order.
    pub hosts: Vec<HostRecord>,
    /// Differences against the CMDB export, when one was given.
    pub cmdb: Option<CmdbReconciliation>,
}

/// One host as the inventory file describes it, plus what was learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostRecord {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    /// `ssh`, `local` or `winrm`.
    pub transport: String,
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub owner: Option<String>,
    pub groups: Vec<String>,
    pub tags: Vec<String>,
    /// Free-form variables from the inventory (never secrets).
    pub vars: BTreeMap<String, String>,
    pub tier: TierAssignment,
    pub outcome: HostOutcome,
    /// Wall time spent on this host, connection included.
    pub duration_ms: u64,
    /// Present when the host was reached.
    pub facts: Option<Facts>,
    pub eol: Option<EolStatus>,
    pub baseline: Option<Baseline>,
    /// Owner notes from the inventory, carried for later steps.
    pub notes: Vec<String>,
    /// Watched configuration files and their digests, for drift checks.
    pub watched_files: Vec<WatchedFile>,
}

/// How contacting a host ended. Distinct kinds because an operator acts on
/// each differently: a changed host key is a security event, a time-out is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum HostOutcome {
    Ok,
    /// TCP connection actively refused (nothing listening).
    Refused {
        message: String,
    },
    /// No route, network unreachable, name did not resolve.
    Unreachable {
        message: String,
    },
    /// Connect, handshake, command or whole-host deadline passed.
    TimedOut {
        message: String,
    },
    AuthenticationFailed {
        message: String,
    },
    /// The presented key differs from `known_hosts`, or is revoked.
    HostKeyMismatch {
        message: String,
        fingerprint: String,
    },
    /// Strict checking and the host is not in `known_hosts`.
    HostKeyUnknown {
        message: String,
        fingerprint: String,
    },
    /// Reached, but gathering failed.
    Failed {
        message: String,
    },
}

impl HostOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, HostOutcome::Ok)
    }

    /// The `status` as the artifact spells it.
    pub fn status(&self) -> &'static str {
        match self {
            HostOutcome::Ok => "ok",
            HostOutcome::Refused { .. } => "refused",
            HostOutcome::Unreachable { .. } => "unreachable",
            HostOutcome::TimedOut { .. } => "timed-out",
            HostOutcome::AuthenticationFailed { .. } => "authentication-failed",
            HostOutcome::HostKeyMismatch { .. } => "host-key-mismatch",
            HostOutcome::HostKeyUnknown { .. } => "host-key-unknown",
            HostOutcome::Failed { .. } => "failed",
        }
    }

    /// What went wrong, for every outcome but `Ok`.
    pub fn message(&self) -> Option<&str> {
        match self {
            HostOutcome::Ok => None,
            HostOutcome::Refused { message }
            | HostOutcome::Unreachable { message }
            | HostOutcome::TimedOut { message }
            | HostOutcome::AuthenticationFailed { message }
            | HostOutcome::HostKeyMismatch { message, .. }
            | HostOutcome::HostKeyUnknown { message, .. }
            | HostOutcome::Failed { message } => Some(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `status()` must spell each outcome exactly as serde tags it.
    #[test]
    fn status_matches_the_serialised_tag() {
        let message = String::from("m");
        let fingerprint = String::from("SHA256:x");
        for outcome in [
            HostOutcome::Ok,
            HostOutcome::Refused { message: message.clone() },
            HostOutcome::Unreachable { message: message.clone() },
            HostOutcome::TimedOut { message: message.clone() },
            HostOutcome::AuthenticationFailed { message: message.clone() },
            HostOutcome::HostKeyMismatch {
                message: message.clone(),
                fingerprint: fingerprint.clone(),
            },
            HostOutcome::HostKeyUnknown {
                message: message.clone(),
                fingerprint: fingerprint.clone(),
            },
            HostOutcome::Failed { message: message.clone() },
        ] {
            let tagged = serde_json::to_value(&outcome).unwrap();
            assert_eq!(tagged["status"], outcome.status());
        }
    }
}

/// The criticality tier and the rule that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TierAssignment {
    pub tier: String,
    /// Human-readable rule, e.g. `tag pci -> tier1` or `default`.
    pub rule: String,
}

/// Facts gathered from a reachable host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Facts {
    pub os: OsInfo,
    pub kernel: String,
    pub architecture: String,
    pub hostname: String,
    /// The addresses the host's own interfaces carry while up (IPv6 of
    /// global scope only), without loopback's `127.0.0.1` and `::1`; what a
    /// CMDB's addresses are checked against when the host is reached by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<std::net::IpAddr>,
    pub boot_id: Option<String>,
    pub uptime_seconds: Option<u64>,
    /// `apt`, `dnf`, `yum`, `zypper`, `apk`, `windows-update`, `softwareupdate`.
    pub package_manager: Option<String>,
    /// Installed packages in name order.
    pub packages: Vec<Package>,
    pub pending_updates: Vec<PendingUpdate>,
    pub reboot: RebootStatus,
    pub disks: Vec<DiskUsage>,
    pub memory: Option<Memory>,
    pub load: Option<LoadAverage>,
    /// `None` where the host has no systemd.
    pub failed_units: Option<Vec<String>>,
    pub listening: Vec<Listener>,
    /// Whether another process holds the package manager's lock right now.
    pub package_lock_held: Option<bool>,
    /// Gather steps that failed, timed out or were cut short, so a partial
    /// result is never mistaken for a clean one.
    pub gather_issues: Vec<GatherIssue>,
    /// What the package list and pending updates were read against: `stat`
    /// (name, inode, size, modification time) of every file whose change
    /// can change them (dpkg's status, apt's lists, sources, preferences and
    /// configuration). The next inventory sends it back, and
    /// a host where none of them changed skips `dpkg-query` and `apt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_state: Option<String>,
    /// The package list and pending updates are the previous inventory's,
    /// because `package_state` had not changed since (`--full` gathers them
    /// afresh).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub packages_carried_over: bool,
}

/// One gather step that did not go cleanly on a host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct GatherIssue {
    /// The step, e.g. `refresh`, `updates` or `deleted-libraries`.
    pub section: String,
    /// What went wrong, with the step's own error text where it gave one.
    pub message: String,
}

/// What os-release (or its equivalent) says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OsInfo {
    /// os-release `ID`: `debian`, `ubuntu`, `almalinux`, `rhel`, `windows`, `macos`…
    pub id: String,
    /// os-release `VERSION_ID`: `12`, `22.04`, `9.4`.
    pub version_id: String,
    pub pretty_name: String,
    pub codename: Option<String>,
    /// os-release `ID_LIKE`.
    pub id_like: Vec<String>,
}

/// One installed package.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Package {
    pub name: String,
    /// Full version as the package manager orders it (dpkg: `[epoch:]upstream[-revision]`;
    /// rpm: `[epoch:]version-release`).
    pub version: String,
    pub arch: String,
    /// Source package name where it differs from `name` (Debian advisories
    /// name source packages). Left out when absent: with 1,500 packages a
    /// host, two `null`s each were a third of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source version where it differs from `version` (binNMUs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
}

/// An update the host's package manager offers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct PendingUpdate {
    pub name: String,
    pub installed_version: Option<String>,
    pub candidate_version: String,
    pub arch: Option<String>,
    /// Repository or suite the update comes from.
    pub origin: Option<String>,
    /// `Some(true)` when the package manager marks it as a security update,
    /// `None` when it cannot tell.
    pub security: Option<bool>,
}

/// Whether the host needs a reboot, and every reason found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RebootStatus {
    pub required: bool,
    pub reasons: Vec<String>,
    /// Packages named in `/var/run/reboot-required.pkgs` or their equivalent.
    pub packages: Vec<String>,
    /// Processes still mapping deleted (upgraded) libraries.
    pub processes_using_deleted_libraries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DiskUsage {
    pub mount: String,
    pub filesystem: String,
    pub size_bytes: u64,
    pub available_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Memory {
    pub total_bytes: u64,
    pub available_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoadAverage {
    pub one: f64,
    pub five: f64,
    pub fifteen: f64,
}

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Listener {
    /// `tcp`, `tcp6`, `udp`, `udp6`.
    pub protocol: String,
    pub address: String,
    pub port: u16,
    pub process: Option<String>,
}

/// End-of-life standing of the host's OS release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EolStatus {
    /// endoflife.date product, e.g. `debian`, `rhel`.
    pub product: String,
    /// Release cycle matched, e.g. `12`.
    pub cycle: String,
    /// End of security support, when known.
    pub eol_date: Option<String>,
    /// `supported`, `approaching` (within the warning window) or `unsupported`.
    pub state: String,
    pub days_left: Option<i64>,
}

/// Provenance of the EOL table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EolSource {
    /// `embedded` or the path of the override directory.
    pub origin: String,
    /// Date the endoflife.date snapshot was taken.
    pub data_date: String,
}

/// Performance baseline recorded at inventory time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Baseline {
    pub load_one: Option<f64>,
    pub memory_available_bytes: Option<u64>,
    /// Free bytes per mount.
    pub disk_available_bytes: BTreeMap<String, u64>,
    pub probes: Vec<ProbeResult>,
}

/// One per-service probe: a TCP connect or an HTTP check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeResult {
    pub name: String,
    /// `tcp://host:port` or `http://host:port/path`.
    pub target: String,
    pub ok: bool,
    pub millis: Option<f64>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// A watched configuration file's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WatchedFile {
    pub path: String,
    /// `None` when the file is missing or unreadable.
    pub sha256: Option<String>,
}

/// The result of comparing reachable hosts with a CMDB export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CmdbReconciliation {
    /// In the CMDB, but not in the inventory or not reachable.
    pub missing_or_unreachable: Vec<CmdbEntryRef>,
    /// Reachable but absent from the CMDB.
    pub not_in_cmdb: Vec<String>,
    pub mismatches: Vec<CmdbMismatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CmdbEntryRef {
    pub name: String,
    /// `not-in-inventory` or the host's outcome status.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CmdbMismatch {
    pub host: String,
    /// `os`, `address`, `owner`, `environment`.
    pub field: String,
    pub cmdb: String,
    pub observed: String,
}
