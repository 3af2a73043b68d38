//! `patchpilot assess` against real lab hosts (h71–h75): an advisory for a
//! test package must mark exactly the hosts that run the old version, and
//! after one host is upgraded a re-run with the previous assessment must
//! list that host's finding as resolved while every other finding keeps
//! its first-seen date, so no SLA clock restarts.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use patchpilot::artifact::assessment::{
    AssessmentArtifact, AssessmentSummary, Finding, FindingKind, HostAssessment,
};
use support::{Lab, host_range, patchpilot};

const FIRST: usize = 71;
const LAST: usize = 75;
const PACKAGE: &str = "libppcrypto1";
const ADVISORY: &str = "PPSA-2026-0001";
const OLD: &str = "1.0-1";
const FIXED: &str = "1.1-1";
const FIRST_DAY: &str = "2026-12-03";
const SECOND_DAY: &str = "2026-12-10";

/// Puts the test packages back to the lab's initial versions, also when the
/// test panics, so the test can run again.
struct RestoreInitialVersions<'lab> {
    lab: &'lab Lab,
    hosts: Vec<String>,
}

impl Drop for RestoreInitialVersions<'_> {
    fn drop(&mut self) {
        for host in &self.hosts {
            let output = self.lab.exec(host, &downgrade_command());
            // Panicking in drop during a panic would abort and hide the real
            // failure; the next run's set-up downgrades again anyway.
            if !std::thread::panicking() {
                assert!(
                    output.status.success(),
                    "could not restore {host}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }
}

#[test]
fn advisory_marks_old_versions_and_rerun_resolves_the_upgraded_host_keeping_first_seen() {
    let Some(lab) = Lab::find("advisory_marks_old_versions") else { return };
    let hosts = host_range(FIRST, LAST);
    let _restore = RestoreInitialVersions { lab: &lab, hosts: hosts.clone() };

    // h74 is already fixed before the first assessment; the rest are old.
    for host in &hosts {
        lab.truth(host, &downgrade_command());
    }
    lab.truth("h74", &format!("apt-get install -y -q {PACKAGE}={FIXED}"));
    assert_eq!(installed(&lab, "h74"), FIXED);

    let dir = tempfile::tempdir().unwrap();
    let first = inventory_and_assess(&lab, dir.path(), &hosts, "first", FIRST_DAY, None);
    assert_eq!(first.assessed_on, FIRST_DAY);
    let first_hosts = by_name(&first);
    assert_eq!(first_hosts.len(), 5);
    assert_eq!(vulnerable_hosts(&first), ["h71", "h72", "h73", "h75"]);
    assert!(
        first_hosts["h74"].findings.iter().all(|f| f.package != PACKAGE),
        "h74 runs the fixed version: {:?}",
        first_hosts["h74"].findings
    );
    for host in ["h71", "h72", "h73", "h75"] {
        let finding = crypto_finding(first_hosts[host]).unwrap();
        assert_eq!(finding.installed_version.as_deref(), Some(installed(&lab, host).as_str()));
        assert_eq!(finding.installed_version.as_deref(), Some(OLD), "{host}");
        assert_eq!(finding.fixed_version.as_deref(), Some(FIXED), "{host}");
        assert_eq!(finding.source_package.as_deref(), Some("ppcrypto"), "{host}");
        assert_eq!(finding.first_seen, FIRST_DAY, "{host}");
        assert_eq!(finding.key, format!("{host}|{ADVISORY}|{PACKAGE}"));
    }

    // Upgrade one host, then assess again a week later.
    lab.truth("h72", &format!("apt-get update -qq && apt-get install -y -q {PACKAGE}"));
    assert_eq!(installed(&lab, "h72"), FIXED);
    let previous = dir.path().join("first-assessment.json");
    let second =
        inventory_and_assess(&lab, dir.path(), &hosts, "second", SECOND_DAY, Some(&previous));
    assert_eq!(second.assessed_on, SECOND_DAY);
    let second_hosts = by_name(&second);
    assert_eq!(vulnerable_hosts(&second), ["h71", "h73", "h75"]);

    let h72 = second_hosts["h72"];
    assert!(crypto_finding(h72).is_none(), "{:?}", h72.findings);
    let resolved = h72
        .resolved
        .iter()
        .find(|r| r.advisory == ADVISORY && r.package == PACKAGE)
        .unwrap_or_else(|| panic!("h72's fix is listed as resolved: {:?}", h72.resolved));
    assert_eq!(resolved.key, format!("h72|{ADVISORY}|{PACKAGE}"));
    assert_eq!(resolved.first_seen, FIRST_DAY);
    assert_eq!(resolved.resolved_on, SECOND_DAY);
    assert!(second.summary.resolved >= 1, "{:?}", second.summary);

    for host in ["h71", "h73", "h75"] {
        let before = crypto_finding(first_hosts[host]).unwrap();
        let after = crypto_finding(second_hosts[host]).unwrap();
        assert_eq!(after.first_seen, FIRST_DAY, "{host}: first-seen must carry over");
        assert_eq!(after.deadline, before.deadline, "{host}: the SLA clock must not restart");
        assert_eq!(after.installed_version.as_deref(), Some(installed(&lab, host).as_str()));
        assert!(
            second_hosts[host].resolved.is_empty(),
            "{host}: {:?}",
            second_hosts[host].resolved
        );
    }
}

/// Gathers a fresh inventory of `hosts` and assesses it as of `today`.
fn inventory_and_assess(
    lab: &Lab,
    dir: &Path,
    hosts: &[String],
    run: &str,
    today: &str,
    previous: Option<&Path>,
) -> AssessmentArtifact {
    let inventory = dir.join(format!("{run}-inventory.json"));
    let output = patchpilot()
        .args(["inventory", "-q", "-i"])
        .arg(lab.inventory())
        .args(["--limit", &hosts.join(","), "--refresh", "-o"])
        .arg(&inventory)
        .output()
        .unwrap();
    assert!(output.status.success(), "inventory: {}", String::from_utf8_lossy(&output.stderr));

    let assessment = dir.join(format!("{run}-assessment.json"));
    let advisories = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lab.d/advisories");
    let mut command = patchpilot();
    command
        .args(["--format", "json", "assess", "-i"])
        .arg(&inventory)
        .arg("-a")
        .arg(&advisories)
        .args(["--today", today, "-o"])
        .arg(&assessment);
    if let Some(previous) = previous {
        command.arg("--previous").arg(previous);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "assess: {}", String::from_utf8_lossy(&output.stderr));

    let artifact = AssessmentArtifact::load(&assessment).unwrap();
    let printed: AssessmentSummary = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(artifact.summary, printed, "--format json prints the summary of the artifact");
    artifact
}

fn by_name(artifact: &AssessmentArtifact) -> BTreeMap<&str, &HostAssessment> {
    artifact.hosts.iter().map(|host| (host.name.as_str(), host)).collect()
}

/// The hosts with a finding of the ppcrypto advisory, sorted.
fn vulnerable_hosts(artifact: &AssessmentArtifact) -> Vec<&str> {
    let mut hosts: Vec<&str> = artifact
        .hosts
        .iter()
        .filter(|host| crypto_finding(host).is_some())
        .map(|host| host.name.as_str())
        .collect();
    hosts.sort_unstable();
    hosts
}

fn crypto_finding(host: &HostAssessment) -> Option<&Finding> {
    host.findings.iter().find(|finding| {
        finding.kind == FindingKind::VulnerablePackage
            && finding.advisory == ADVISORY
            && finding.package == PACKAGE
    })
}

/// What the host's own dpkg says is installed, asked on its console.
fn installed(lab: &Lab, host: &str) -> String {
    lab.truth(host, &format!("dpkg-query -W -f '${{Version}}' {PACKAGE}"))
}

/// Back to the lab's initial versions; `pp-common` and `pp-tools` 1.1-1
/// need `libppcrypto1` 1.1-1, so they go back too.
fn downgrade_command() -> String {
    format!(
        "apt-get update -qq && apt-get install -y -q --allow-downgrades \
         {PACKAGE}={OLD} pp-common={OLD} pp-tools={OLD}"
    )
}
