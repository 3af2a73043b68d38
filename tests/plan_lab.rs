//! The whole front half of the chain on real lab hosts: inventory, assess
//! and plan. The plan must put canary hosts from non-critical tiers first and
//! never have more hosts of one cluster down at once than `max_unavailable`
//! (1 in `scripts/lab.d/policy.toml`). Hosts h76–h80: cluster web-19 (h76)
//! and web-20 (h77–h80). Read only.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use patchpilot::artifact::plan::{PlanArtifact, Track};
use support::{Lab, host_range, patchpilot};

#[test]
fn lab_plan_puts_canaries_first_and_keeps_clusters_redundant() {
    let Some(lab) = Lab::find("lab_plan") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let hosts = host_range(76, 80).join(",");
    run(patchpilot()
        .args(["-q", "inventory", "-i"])
        .arg(lab.inventory())
        .args(["--limit", &hosts, "--refresh", "-o"])
        .arg(path("inventory.json")));
    run(patchpilot()
        .args(["-q", "assess", "-i"])
        .arg(path("inventory.json"))
        .arg("-a")
        .arg(repo.join("scripts/lab.d/advisories"))
        .args(["--today", "2026-12-03", "-o"])
        .arg(path("assessment.json")));
    run(patchpilot()
        .args(["-q", "plan", "-a"])
        .arg(path("assessment.json"))
        .arg("-p")
        .arg(repo.join("scripts/lab.d/policy.toml"))
        .args(["--now", "2026-12-03T00:00:00Z", "-o"])
        .arg(path("plan.json")));

    let plan: PlanArtifact =
        serde_json::from_slice(&std::fs::read(path("plan.json")).unwrap()).unwrap();
    let scheduled: Vec<_> = plan.changes.iter().filter(|c| c.track == Track::Scheduled).collect();
    assert!(!scheduled.is_empty(), "the lab hosts have scheduled upgrades");

    // Canaries come first on their track, and only from the non-critical tier.
    let first_start = scheduled.iter().map(|c| c.slot.start).min().unwrap();
    let canaries: Vec<_> = scheduled.iter().filter(|c| c.wave == "canary").collect();
    assert!(!canaries.is_empty(), "a canary wave exists");
    for canary in &canaries {
        assert_eq!(canary.slot.start, first_start, "{} starts with the first slot", canary.host);
        assert_eq!(
            canary.tier.as_deref(),
            Some("tier3"),
            "{} is a non-critical canary",
            canary.host
        );
    }

    // No two hosts of one cluster are ever down at the same time.
    let mut by_cluster: BTreeMap<String, Vec<(Timestamp, Timestamp, String)>> = BTreeMap::new();
    for change in &plan.changes {
        let cluster = change.cluster.clone().unwrap_or_default();
        by_cluster.entry(cluster).or_default().push((
            change.slot.start,
            change.slot.end,
            change.host.clone(),
        ));
    }
    for (cluster, mut slots) in by_cluster {
        slots.sort();
        for pair in slots.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "{cluster}: {} ({}..{}) overlaps {} ({}..{})",
                pair[0].2,
                pair[0].0,
                pair[0].1,
                pair[1].2,
                pair[1].0,
                pair[1].1
            );
        }
    }

    // The security fix is in the pinned patch set.
    assert!(
        plan.patch_set.packages.iter().any(|p| p.name == "libppcrypto1" && p.version == "1.1-1"),
        "{:?}",
        plan.patch_set.packages
    );
}

fn run(command: &mut std::process::Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed ({:?}): {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}
