//! Debian and Ubuntu: installed packages from `dpkg-query`, pending updates
//! from `apt-get -s dist-upgrade`, candidate versions from `apt-cache
//! policy`, and processes running replaced code from `checkrestart`.
//!
//! Debian's security trackers name *source* packages, so the source name and
//! version of every binary package are kept; a binNMU (`1.2-3+b1` built
//! from source `1.2-3`) is the common case where they differ.

use serde::Serialize;

use super::reboot::ProcessRestart;
use crate::artifact::inventory::{Package, PendingUpdate};

/// The `dpkg-query -W -f` format the gather script uses: fields separated by
/// tabs, architecture last.
pub const DPKG_QUERY_FORMAT: &str = "${binary:Package}\\t${db:Status-Abbrev}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\n";

/// Parses `dpkg-query -W` output with fields `binary:Package`,
/// `db:Status-Abbrev`, `Version`, `source:Package`, `source:Version` and an
/// optional `Architecture`, separated by tabs or by commas (as other tools
/// ask for it). Packages that are not installed (status `rc`, `un`) are left
/// out; without an architecture column it comes from a `:arch` suffix.
pub fn parse_dpkg_query(text: &str) -> Vec<Package> {
    let mut packages: Vec<Package> = text.lines().filter_map(parse_dpkg_line).collect();
    packages.sort();
    packages.dedup();
    packages
}

fn parse_dpkg_line(line: &str) -> Option<Package> {
    let separator = if line.contains('\t') { '\t' } else { ',' };
    let fields: Vec<&str> = line.split(separator).collect();
    if fields.len() < 5 {
        return None;
    }
    let status = fields[1].trim();
    if !is_installed_status(status) {
        return None;
    }

    let (name, qualifier) = match fields[0].split_once(':') {
        Some((name, arch)) => (name, Some(arch)),
        None => (fields[0], None),
    };
    let arch = fields.get(5).map(|a| a.trim()).filter(|a| !a.is_empty()).or(qualifier);
    let version = fields[2].trim();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some(Package {
        name: name.to_string(),
        version: version.to_string(),
        arch: arch.unwrap_or_default().to_string(),
        source_name: differing(fields[3], name),
        source_version: differing(fields[4], version),
    })
}

/// dpkg's second status letter is the package's state; everything but
/// not-installed (`n`) and config-files-only (`c`) has files on disk.
fn is_installed_status(status: &str) -> bool {
    let mut letters = status.chars();
    letters.next();
    matches!(letters.next(), Some('i' | 'U' | 'F' | 'W' | 't' | 'H'))
}

fn differing(value: &str, same_as: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value != same_as).then(|| value.to_string())
}

/// Parses the `Inst` lines of `apt-get -s` (simulate) output:
/// `Inst NAME [OLD] (NEW ORIGIN[, ORIGIN…] [ARCH]) […]`. A package that
/// would be newly installed has no `[OLD]`. An origin is security when its
/// suite ends in `-security` or `/updates` (Debian up to 10) or its label
/// says `Security`.
pub fn parse_apt_simulate(text: &str) -> Vec<PendingUpdate> {
    let mut updates: Vec<PendingUpdate> = text.lines().filter_map(parse_inst_line).collect();
    updates.sort();
    updates
}

fn parse_inst_line(line: &str) -> Option<PendingUpdate> {
    let rest = line.strip_prefix("Inst ")?;
    let (name, rest) = rest.split_once(' ')?;
    let (installed_version, rest) = match rest.strip_prefix('[') {
        Some(bracketed) => {
            let (old, rest) = bracketed.split_once("] ")?;
            (Some(old.to_string()), rest)
        }
        None => (None, rest),
    };
    let inner = rest.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];

    let (candidate, origins_and_arch) = inner.split_once(' ')?;
    let (origins, arch) = match origins_and_arch.rsplit_once(" [") {
        Some((origins, arch)) => (origins, Some(arch.trim_end_matches(']'))),
        None => (origins_and_arch, None),
    };
    let origins: Vec<&str> = origins.split(", ").map(str::trim).collect();
    let (name, _) = name.split_once(':').unwrap_or((name, ""));
    Some(PendingUpdate {
        name: name.to_string(),
        installed_version,
        candidate_version: candidate.to_string(),
        arch: arch.map(str::to_string),
        origin: Some(origins.join(", ")),
        security: Some(origins.iter().any(|origin| is_security_origin(origin))),
    })
}

/// Parses `apt list --upgradable`: `name/suite[,suite…] candidate arch
/// [upgradable from: installed]`. It reads the same package cache as
/// `apt-get -s dist-upgrade` without running the resolver, which makes it
/// several times cheaper on every host of a large fan-out.
pub fn parse_apt_list_upgradable(text: &str) -> Vec<PendingUpdate> {
    let mut updates: Vec<PendingUpdate> = text.lines().filter_map(parse_upgradable_line).collect();
    updates.sort();
    updates
}

fn parse_upgradable_line(line: &str) -> Option<PendingUpdate> {
    let (head, installed) = line.split_once(" [upgradable from: ")?;
    let installed = installed.strip_suffix(']')?;
    let mut words = head.split_whitespace();
    let (name, suites) = words.next()?.split_once('/')?;
    let candidate = words.next()?;
    let arch = words.next();
    let suites: Vec<&str> = suites.split(',').collect();
    Some(PendingUpdate {
        name: name.to_string(),
        installed_version: Some(installed.to_string()),
        candidate_version: candidate.to_string(),
        arch: arch.map(str::to_string),
        origin: Some(suites.join(", ")),
        security: Some(suites.iter().any(|suite| is_security_origin(suite))),
    })
}

/// `Debian-Security:12/stable-security`, `Ubuntu:20.04/focal-security`,
/// `Debian-Security:10/oldstable` (label), `buster/updates` (old suite).
pub fn is_security_origin(origin: &str) -> bool {
    let (label, suite) = origin.split_once(':').unwrap_or(("", origin));
    let suite = suite.split_once('/').map_or(suite, |(_, suite)| suite);
    label.to_ascii_lowercase().contains("security")
        || suite.ends_with("-security")
        || origin.ends_with("/updates")
}

/// The human part of `apt-get upgrade`/`dist-upgrade` output: which packages
/// would be upgraded, newly installed or kept back, and the closing counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AptSummary {
    pub upgraded: Vec<String>,
    pub newly_installed: Vec<String>,
    pub kept_back: Vec<String>,
    /// From `N upgraded, N newly installed, N to remove and N not upgraded.`
    pub counts: Option<AptCounts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AptCounts {
    pub upgraded: u32,
    pub newly_installed: u32,
    pub to_remove: u32,
    pub not_upgraded: u32,
}

/// Parses the package lists and the count line; works on `-s` output and on
/// the summary that `--assume-no` prints.
pub fn parse_apt_summary(text: &str) -> AptSummary {
    let mut summary = AptSummary::default();
    let mut list: Option<&mut Vec<String>> = None;
    for line in text.lines() {
        if line.starts_with("  ") {
            if let Some(list) = list.as_deref_mut() {
                list.extend(line.split_whitespace().map(str::to_string));
            }
            continue;
        }
        list = match line {
            "The following packages will be upgraded:" => Some(&mut summary.upgraded),
            "The following NEW packages will be installed:" => Some(&mut summary.newly_installed),
            "The following packages have been kept back:" => Some(&mut summary.kept_back),
            _ => None,
        };
        if let Some(counts) = parse_counts(line) {
            summary.counts = Some(counts);
        }
    }
    summary
}

fn parse_counts(line: &str) -> Option<AptCounts> {
    let numbers: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|word| !word.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let is_count_line = line.contains(" upgraded, ") && line.contains(" not upgraded");
    match numbers[..] {
        [upgraded, newly_installed, to_remove, not_upgraded] if is_count_line => {
            Some(AptCounts { upgraded, newly_installed, to_remove, not_upgraded })
        }
        _ => None,
    }
}

/// One package's `apt-cache policy` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AptPolicy {
    pub package: String,
    pub installed: Option<String>,
    pub candidate: Option<String>,
    /// The version table, in the order apt printed it (newest first).
    pub versions: Vec<AptPolicyVersion>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AptPolicyVersion {
    pub version: String,
    pub priority: i32,
    /// Marked `***`: the installed version.
    pub is_installed: bool,
    /// Where the version comes from: archive lines (`http://… focal/main
    /// amd64 Packages`) or `/var/lib/dpkg/status`.
    pub sources: Vec<String>,
}

/// Parses `apt-cache policy PKG…` output (one or several packages).
pub fn parse_apt_policy(text: &str) -> Vec<AptPolicy> {
    let mut policies: Vec<AptPolicy> = Vec::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if indent == 0 && trimmed.ends_with(':') {
            let package = trimmed.trim_end_matches(':').to_string();
            policies.push(AptPolicy { package, ..AptPolicy::default() });
            continue;
        }
        let Some(policy) = policies.last_mut() else {
            continue;
        };
        apply_policy_line(policy, indent, trimmed);
    }
    policies
}

fn apply_policy_line(policy: &mut AptPolicy, indent: usize, line: &str) {
    let none_to_option = |value: &str| (value != "(none)").then(|| value.to_string());
    if let Some(value) = line.strip_prefix("Installed: ") {
        policy.installed = none_to_option(value.trim());
    } else if let Some(value) = line.strip_prefix("Candidate: ") {
        policy.candidate = none_to_option(value.trim());
    } else if line == "Version table:" || line.is_empty() {
    } else if indent <= 5 {
        let is_installed = line.starts_with("***");
        let mut words = line.trim_start_matches("***").split_whitespace();
        let version = words.next().unwrap_or_default().to_string();
        let priority = words.next().and_then(|p| p.parse().ok()).unwrap_or_default();
        policy.versions.push(AptPolicyVersion { version, priority, is_installed, sources: vec![] });
    } else if let Some(version) = policy.versions.last_mut() {
        let source = line.split_once(' ').map_or(line, |(_, source)| source);
        version.sources.push(source.trim().to_string());
    }
}

/// What `checkrestart` (debian-goodies) reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckrestartReport {
    /// Every process listed, with the package it belongs to.
    pub processes: Vec<ProcessRestart>,
    /// The `systemctl restart …` and `service … restart` lines it suggests.
    pub restart_commands: Vec<String>,
}

/// Parses `checkrestart` output: `PACKAGE:` headers followed by
/// tab-indented `PID PROGRAM` lines, and suggested restart commands.
pub fn parse_checkrestart(text: &str) -> CheckrestartReport {
    let mut report = CheckrestartReport::default();
    let mut package: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("systemctl restart ") || line.starts_with("service ") {
            report.restart_commands.push(line.trim().to_string());
            package = None;
        } else if line.starts_with('\t') || line.starts_with(' ') {
            let mut words = line.split_whitespace();
            let pid = words.next().and_then(|pid| pid.parse().ok());
            let command = words.collect::<Vec<_>>().join(" ");
            if let (Some(pid), false) = (pid, command.is_empty()) {
                report.processes.push(ProcessRestart { pid, command, package: package.clone() });
            }
        } else if let Some(name) = line.strip_suffix(':').filter(|name| !name.contains(' ')) {
            let name = name.split_once(':').map_or(name, |(name, _arch)| name);
            package = Some(name.to_string());
        } else {
            package = None;
        }
    }
    report.processes.sort();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_tab_format_with_architecture_and_binnmu() {
        let text = "libc6:amd64\tii \t2.36-9+deb12u4\tglibc\t2.36-9+deb12u4\tamd64\n\
                    bash\tii \t5.2.15-2+b2\tbash\t5.2.15-2\tamd64\n\
                    oldpkg\trc \t1.0\toldpkg\t1.0\tamd64\n";
        let packages = parse_dpkg_query(text);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].name, "bash");
        assert_eq!(packages[0].source_name, None);
        assert_eq!(packages[0].source_version.as_deref(), Some("5.2.15-2"));
        assert_eq!(packages[1].name, "libc6");
        assert_eq!(packages[1].arch, "amd64");
        assert_eq!(packages[1].source_name.as_deref(), Some("glibc"));
    }

    #[test]
    fn inst_lines_with_several_origins_and_new_packages() {
        let text = "Inst openvpn [2.4.7-1ubuntu2] (2.4.7-1ubuntu2.20.04.2 \
                    Ubuntu:20.04/focal-updates, Ubuntu:20.04/focal-security [amd64])\n\
                    Inst linux-image-6.1.0-22-amd64 (6.1.94-1 Debian:12.6/stable [amd64])\n\
                    Conf openvpn (2.4.7-1ubuntu2.20.04.2 Ubuntu:20.04/focal-updates [amd64])\n";
        let updates = parse_apt_simulate(text);
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].name, "linux-image-6.1.0-22-amd64");
        assert_eq!(updates[0].installed_version, None);
        assert_eq!(updates[0].security, Some(false));
        assert_eq!(updates[1].installed_version.as_deref(), Some("2.4.7-1ubuntu2"));
        assert_eq!(updates[1].security, Some(true));
        assert_eq!(updates[1].arch.as_deref(), Some("amd64"));
    }

    #[test]
    fn security_origins() {
        assert!(is_security_origin("Debian-Security:12/stable-security"));
        assert!(is_security_origin("Debian-Security:10/oldstable"));
        assert!(is_security_origin("buster/updates"));
        assert!(!is_security_origin("Debian:12.5/stable"));
        assert!(!is_security_origin("Ubuntu:22.04/jammy-updates"));
    }

    #[test]
    fn count_line_needs_its_words() {
        assert!(
            parse_counts("1 upgraded, 2 newly installed, 3 to remove and 4 not upgraded.")
                .is_some()
        );
        assert!(parse_counts("Get:1 http://x 2 3 4").is_none());
    }
}
