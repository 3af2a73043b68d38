//! Carrying package lists over between inventories, on real lab hosts
//! (h81–h82, see `tests/support`): a second run against unchanged hosts
//! keeps the first run's packages and pending updates without running
//! dpkg-query or apt on them, and a host whose dpkg state changed in
//! between is gathered afresh, so a carried-over list is never stale.

mod support;

use std::path::Path;

use patchpilot::artifact::inventory::{Facts, InventoryArtifact};
use support::{Lab, patchpilot};

const HOSTS: [&str; 2] = ["h81", "h82"];
const PACKAGE: &str = "libppcrypto1";
const OLD: &str = "1.0-1";
const NEWER: &str = "1.0-2";

/// Puts the test package back to the lab's initial version, also when the
/// test panics, so the test can run again.
struct RestoreInitialVersion<'lab> {
    lab: &'lab Lab,
}

impl RestoreInitialVersion<'_> {
    fn restore(&self) {
        for host in HOSTS {
            let output = self.lab.exec(host, &restore_command());
            // Panicking in drop during a panic would abort and hide the real
            // failure; the next run restores first anyway.
            if !std::thread::panicking() {
                assert!(
                    output.status.success(),
                    "restoring {host}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }
}

impl Drop for RestoreInitialVersion<'_> {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Refreshes the lists too, so the hosts have real pending updates.
fn restore_command() -> String {
    format!("apt-get update -qq && apt-get install -y -q --allow-downgrades {PACKAGE}={OLD}")
}

fn inventory(lab: &Lab, output: &Path, extra: &[&str]) -> InventoryArtifact {
    let result = patchpilot()
        .args(["-q", "inventory", "-i"])
        .arg(lab.inventory())
        .args(["--limit", &HOSTS.join(","), "-o"])
        .arg(output)
        .args(extra)
        .output()
        .expect("patchpilot runs");
    assert!(result.status.success(), "inventory: {}", String::from_utf8_lossy(&result.stderr));
    serde_json::from_slice(&std::fs::read(output).unwrap()).expect("an inventory artifact")
}

fn facts<'a>(artifact: &'a InventoryArtifact, host: &str) -> &'a Facts {
    let record = artifact.hosts.iter().find(|record| record.name == host).expect("host listed");
    record.facts.as_ref().unwrap_or_else(|| panic!("{host} has no facts: {:?}", record.outcome))
}

fn version_of(facts: &Facts, package: &str) -> Option<String> {
    facts.packages.iter().find(|p| p.name == package).map(|p| p.version.clone())
}

#[test]
fn unchanged_hosts_keep_their_packages_and_a_changed_host_is_gathered_afresh() {
    let Some(lab) = Lab::find("incremental_lab") else { return };
    let guard = RestoreInitialVersion { lab: &lab };
    guard.restore();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("inventory.json");

    let first = inventory(&lab, &output, &[]);
    for host in HOSTS {
        let facts = facts(&first, host);
        assert!(facts.package_state.is_some(), "{host}: no package state recorded");
        assert!(!facts.packages_carried_over, "{host}: nothing to carry over yet");
        assert_eq!(version_of(facts, PACKAGE).as_deref(), Some(OLD));
        assert!(!facts.pending_updates.is_empty(), "{host}: the lab repo has newer packages");
    }

    let second = inventory(&lab, &output, &[]);
    for host in HOSTS {
        let (before, after) = (facts(&first, host), facts(&second, host));
        assert!(after.packages_carried_over, "{host}: unchanged, so carried over");
        assert_eq!(after.packages, before.packages);
        assert_eq!(after.pending_updates, before.pending_updates);
        assert_eq!(after.package_state, before.package_state);
    }

    lab.truth("h82", &format!("apt-get install -y -q {PACKAGE}={NEWER}"));
    let third = inventory(&lab, &output, &[]);
    assert!(facts(&third, "h81").packages_carried_over);
    let changed = facts(&third, "h82");
    assert!(!changed.packages_carried_over, "dpkg's state changed on h82");
    let truth = lab.truth("h82", &format!("dpkg-query -W -f '${{Version}}' {PACKAGE}"));
    assert_eq!(truth, NEWER);
    assert_eq!(version_of(changed, PACKAGE), Some(truth));

    let full = inventory(&lab, &output, &["--full"]);
    for host in HOSTS {
        assert!(!facts(&full, host).packages_carried_over, "{host}: --full gathers afresh");
    }
    drop(guard);
}
