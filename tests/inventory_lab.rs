//! `patchpilot inventory` against 50 real lab hosts with faults switched on:
//! every healthy host's facts must match what the host itself says (asked
//! through its console, not SSH), every faulty host must end with its own
//! distinct outcome, and nothing may hang past its time-out.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use patchpilot::artifact::inventory::{HostOutcome, HostRecord, InventoryArtifact};
use support::{Lab, host_range, patchpilot};

const FIRST: usize = 21;
const LAST: usize = 70;

#[test]
fn fifty_hosts_with_faults_each_get_the_right_outcome_and_true_facts() {
    let Some(lab) = Lab::find("fifty_hosts_with_faults") else { return };
    let _sshd = lab.fault("h66", "sshd");
    let _blackhole = lab.fault("h67", "blackhole");
    let _hostkey = lab.fault("h68", "hostkey");
    let _lock = lab.fault("h69", "lock");
    let _diskfull = lab.fault("h70", "diskfull");

    let dir = tempfile::tempdir().unwrap();
    let output_path = dir.path().join("inventory.json");
    let hosts = host_range(FIRST, LAST);
    let started = Instant::now();
    let output = patchpilot()
        .args(["--format", "json", "inventory", "-i"])
        .arg(lab.inventory())
        .args(["--limit", &hosts.join(","), "-p", "50", "--connect-timeout", "3", "--refresh"])
        .args(["--command-timeout", "60", "--host-timeout", "90", "-o"])
        .arg(&output_path)
        .output()
        .unwrap();
    let elapsed = started.elapsed();

    // The changed host key is the most severe outcome, so it sets the code.
    assert_eq!(
        output.status.code(),
        Some(12),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(elapsed < Duration::from_secs(90), "took {elapsed:?}: something hung");

    let artifact: InventoryArtifact =
        serde_json::from_slice(&std::fs::read(&output_path).unwrap()).unwrap();
    let stdout_artifact: InventoryArtifact = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(artifact, stdout_artifact, "--format json prints the artifact written");
    let by_name: BTreeMap<&str, &HostRecord> =
        artifact.hosts.iter().map(|host| (host.name.as_str(), host)).collect();
    assert_eq!(by_name.len(), 50);

    assert!(
        matches!(by_name["h66"].outcome, HostOutcome::Refused { .. }),
        "{:?}",
        by_name["h66"].outcome
    );
    assert!(
        matches!(by_name["h67"].outcome, HostOutcome::TimedOut { .. }),
        "{:?}",
        by_name["h67"].outcome
    );
    assert!(
        matches!(&by_name["h68"].outcome, HostOutcome::HostKeyMismatch { fingerprint, .. } if fingerprint.starts_with("SHA256:")),
        "{:?}",
        by_name["h68"].outcome
    );

    let locked = by_name["h69"].facts.as_ref().expect("a held lock does not stop fact gathering");
    assert_eq!(locked.package_lock_held, Some(true));
    let full = by_name["h70"].facts.as_ref().expect("a full disk does not stop fact gathering");
    let root = full.disks.iter().find(|disk| disk.mount == "/").expect("root mount listed");
    assert!(root.available_bytes < 1 << 20, "root has {} bytes free", root.available_bytes);

    for name in host_range(FIRST, 65) {
        check_facts_against_the_host(&lab, by_name[name.as_str()]);
    }

    // One JSON Lines event per host on stderr.
    let events = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.starts_with("{\"event\":\"host\""))
        .count();
    assert_eq!(events, 50);
}

/// The host's IPv4 addresses but loopback's, as iproute2 lists them.
const IPV4_ADDRESSES: &str =
    r#"ip -o -4 addr show | awk '$4 !~ /^127\.0\.0\.1\// { sub(/\/.*/, "", $4); print $4 }'"#;

/// Compares gathered facts with the host's own answers on its console.
fn check_facts_against_the_host(lab: &Lab, host: &HostRecord) {
    let name = host.name.as_str();
    assert!(host.outcome.is_ok(), "{name}: {:?}", host.outcome);
    let facts = host.facts.as_ref().unwrap();

    assert_eq!(facts.hostname, lab.truth(name, "hostname"), "{name}");
    assert_eq!(facts.kernel, lab.truth(name, "uname -r"), "{name}");
    assert_eq!(
        facts.boot_id.as_deref(),
        Some(lab.truth(name, "cat /proc/sys/kernel/random/boot_id").as_str()),
        "{name}"
    );
    assert_eq!(facts.os.id, "debian");
    assert_eq!(facts.os.version_id, "12");
    let own = lab.truth(name, IPV4_ADDRESSES);
    let gathered: Vec<String> = facts.addresses.iter().map(ToString::to_string).collect();
    assert_eq!(gathered.join("\n"), own, "{name}: addresses");
    assert_eq!(gathered, [host.address.as_str()], "{name}: the lab host has one address");
    let package_count: usize = lab.truth(name, "dpkg-query -W -f '.\\n' | wc -l").parse().unwrap();
    assert_eq!(facts.packages.len(), package_count, "{name}");
    let crypto =
        facts.packages.iter().find(|p| p.name == "libppcrypto1").expect("test package installed");
    assert_eq!(
        crypto.version,
        lab.truth(name, "dpkg-query -W -f '${Version}' libppcrypto1"),
        "{name}"
    );
    assert_eq!(crypto.source_name.as_deref(), Some("ppcrypto"), "{name}");
    assert_eq!(facts.package_lock_held, Some(false), "{name}");
    let upgrade = facts.pending_updates.iter().find(|u| u.name == "libppcrypto1");
    let candidate = lab.truth(name, "apt-cache policy libppcrypto1 | sed -n 's/ *Candidate: //p'");
    assert_eq!(upgrade.map(|u| u.candidate_version.as_str()), Some(candidate.as_str()), "{name}");
    assert_eq!(host.eol.as_ref().map(|eol| eol.product.as_str()), Some("debian"), "{name}");
    assert!(host.baseline.is_some(), "{name}");
}
