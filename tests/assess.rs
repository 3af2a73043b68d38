//! `patchpilot assess` driven as a binary on inventory fixtures and the real
//! advisory data under `tests/fixtures/advisories` (see its SOURCES.md).
//! "Today" is always pinned with `--today`.

use std::path::{Path, PathBuf};
use std::process::Command;

use patchpilot::artifact::assessment::{AssessmentArtifact, Finding, HostAssessment, Urgency};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn feed(relative: &str) -> String {
    fixtures().join("advisories").join(relative).display().to_string()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn assess(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_patchpilot"))
        .arg("assess")
        .args(args)
        .env_remove("PATCHPILOT_POLICY")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn read_artifact(path: &Path) -> AssessmentArtifact {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn host<'a>(artifact: &'a AssessmentArtifact, name: &str) -> &'a HostAssessment {
    artifact.hosts.iter().find(|host| host.name == name).unwrap()
}

fn advisories_of(host: &HostAssessment, package: &str) -> Vec<String> {
    let mut ids: Vec<String> = host
        .findings
        .iter()
        .filter(|finding| finding.package == package)
        .map(|finding| finding.advisory.clone())
        .collect();
    ids.sort();
    ids
}

/// An inventory host with the given OS and packages `(name, version,
/// source)`; tags and tier as given.
fn host_json(
    name: &str,
    os: (&str, &str),
    packages: &[(&str, &str, Option<&str>)],
    tags: &[&str],
    tier: &str,
) -> Value {
    let packages: Vec<Value> = packages
        .iter()
        .map(|(package, version, source)| {
            json!({"name": package, "version": version, "arch": "x86_64",
                   "source_name": source, "source_version": null})
        })
        .collect();
    json!({
        "name": name, "address": "127.0.0.1", "port": 22, "user": "root", "transport": "ssh",
        "environment": "production", "cluster": null, "owner": null, "groups": [], "tags": tags,
        "vars": {}, "tier": {"tier": tier, "rule": "test"}, "outcome": {"status": "ok"},
        "duration_ms": 1,
        "facts": {
            "os": {"id": os.0, "version_id": os.1, "pretty_name": "", "codename": null, "id_like": []},
            "kernel": "", "architecture": "x86_64", "hostname": name, "boot_id": null,
            "uptime_seconds": null, "package_manager": null, "packages": packages,
            "pending_updates": [],
            "reboot": {"required": false, "reasons": [], "packages": [], "processes_using_deleted_libraries": []},
            "disks": [], "memory": null, "load": null, "failed_units": null, "listening": [],
            "package_lock_held": null
        },
        "eol": null, "baseline": null, "notes": [], "watched_files": []
    })
}

fn write_inventory(dir: &Path, hosts: &[Value]) -> String {
    let inventory = json!({
        "meta": {"kind": "inventory", "schema_version": 1, "tool": "test", "created_at": "2026-08-22T00:00:00Z",
                 "operator": "test", "inputs": []},
        "eol_source": null, "hosts": hosts, "cmdb": null
    });
    let path = dir.join("inventory.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&inventory).unwrap()).unwrap();
    path.display().to_string()
}

/// The lab scenario on two inventory files: the advisory marks exactly the
/// hosts with the old version; after `lab-web2` is upgraded, re-running with
/// `--previous` lists its findings as resolved and keeps the first-seen date
/// of the host still vulnerable.
#[test]
fn lab_advisory_marks_old_hosts_and_upgrade_resolves_while_first_seen_stays() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("assessment-1.json");
    let second = dir.path().join("assessment-2.json");
    let before = fixtures().join("inventory/lab-before.json");
    let after = fixtures().join("inventory/lab-after.json");
    let lab = feed("lab");

    let run = assess(&[
        "-i",
        before.to_str().unwrap(),
        "-a",
        &lab,
        "--today",
        "2026-08-01",
        "-o",
        first.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&first);
    let flagged: Vec<&str> = artifact
        .hosts
        .iter()
        .filter(|host| !host.findings.is_empty())
        .map(|host| host.name.as_str())
        .collect();
    assert_eq!(flagged, ["lab-web1", "lab-web2"]);
    assert_eq!(advisories_of(host(&artifact, "lab-web1"), "libppcrypto1"), ["PPCRYPTO-2026-0001"]);
    assert!(matches!(
        host(&artifact, "lab-web3").status,
        patchpilot::artifact::assessment::HostStatus::NotReached { .. }
    ));

    let run = assess(&[
        "-i",
        after.to_str().unwrap(),
        "-a",
        &lab,
        "--today",
        "2026-08-22",
        "--previous",
        first.to_str().unwrap(),
        "-o",
        second.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&second);
    let web2 = host(&artifact, "lab-web2");
    assert!(web2.findings.is_empty());
    assert_eq!(web2.resolved.len(), 2);
    assert!(
        web2.resolved.iter().all(|r| r.first_seen == "2026-08-01" && r.resolved_on == "2026-08-22")
    );
    let web1 = host(&artifact, "lab-web1");
    assert_eq!(web1.findings.len(), 2);
    assert!(web1.findings.iter().all(|finding| finding.first_seen == "2026-08-01"));
    assert!(web1.findings.iter().all(|finding| finding.overdue));
    assert!(run.stdout.contains("2 resolved since the previous assessment"), "{}", run.stdout);
}

/// Real ALSA records on a synthetic AlmaLinux 9 inventory: each host gets
/// exactly the glibc advisories whose fixed version is above its own.
#[test]
fn real_alsa_records_flag_exactly_the_older_glibc() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(
        dir.path(),
        &[
            host_json(
                "alma-old",
                ("almalinux", "9.2"),
                &[("glibc", "2.34-60.el9_2.3", None), ("bash", "5.1.8-9.el9", None)],
                &[],
                "tier2",
            ),
            host_json(
                "alma-mid",
                ("almalinux", "9.4"),
                &[("glibc", "2.34-60.el9_2.7", None)],
                &[],
                "tier2",
            ),
            host_json(
                "alma-new",
                ("almalinux", "9.8"),
                &[("glibc", "2.34-274.el9_8", None)],
                &[],
                "tier2",
            ),
            host_json(
                "alma8",
                ("almalinux", "8.10"),
                &[("glibc", "2.34-60.el9_2.3", None)],
                &[],
                "tier2",
            ),
        ],
    );
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv/almalinux.zip"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    assert_eq!(artifact.skipped_records.len(), 0);
    assert_eq!(artifact.sources[0].records, 710);

    let all_nine = [
        "ALSA-2023:5453",
        "ALSA-2024:3339",
        "ALSA-2025:4244",
        "ALSA-2025:8655",
        "ALSA-2025:9877",
        "ALSA-2026:20597",
        "ALSA-2026:2786",
        "ALSA-2026:33226",
        "ALSA-2026:42952",
    ];
    assert_eq!(advisories_of(host(&artifact, "alma-old"), "glibc"), all_nine);
    assert_eq!(advisories_of(host(&artifact, "alma-mid"), "glibc"), all_nine[1..]);
    assert!(host(&artifact, "alma-new").findings.is_empty());
    assert_eq!(host(&artifact, "alma8").coverage, ["AlmaLinux:8"]);
    assert!(
        advisories_of(host(&artifact, "alma8"), "glibc").iter().all(|id| id.starts_with("ALSA"))
    );
}

/// KEV on an internet-facing host is an emergency whatever its CVSS, and
/// the reason says so; a PCI tag caps the deadline.
#[test]
fn kev_on_internet_facing_host_is_an_emergency_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(
        dir.path(),
        &[
            host_json(
                "edge",
                ("almalinux", "9.2"),
                &[("glibc", "2.34-60.el9_2.3", None)],
                &["internet-facing"],
                "tier3",
            ),
            host_json(
                "inside",
                ("almalinux", "9.2"),
                &[("glibc", "2.34-60.el9_2.3", None)],
                &["pci"],
                "tier3",
            ),
        ],
    );
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv/almalinux.zip"),
        "--kev",
        &feed("kev/known_exploited_vulnerabilities.json"),
        "--epss",
        &feed("epss/epss_subset-2026-08-16.csv"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    let find = |host_name: &str| -> Finding {
        host(&artifact, host_name)
            .findings
            .iter()
            .find(|f| f.advisory == "ALSA-2023:5453")
            .unwrap()
            .clone()
    };

    let edge = find("edge");
    assert_eq!(edge.urgency, Urgency::Emergency);
    assert_eq!(edge.kev.as_ref().unwrap().cve, "CVE-2023-4911");
    assert!(
        edge.reason.starts_with("rule `kev-exposed`: KEV-listed `CVE-2023-4911`"),
        "{}",
        edge.reason
    );
    assert!(edge.reason.contains("host tagged `internet-facing`"));
    assert!(edge.epss.is_some());

    let inside = find("inside");
    assert_eq!(inside.urgency, Urgency::Scheduled);
    assert!(inside.reason.starts_with("rule `kev-internal`"), "{}", inside.reason);
    assert!(
        inside.deadline_reason.contains("CISA KEV due date 2023-12-12"),
        "{}",
        inside.deadline_reason
    );
    assert!(inside.overdue);
    assert!(artifact.summary.top_cves.iter().any(|cve| cve.cve == "CVE-2023-4911" && cve.kev));
}

/// A real Red Hat CSAF advisory (RHSA-2023:7207, c-ares) on RHEL hosts.
#[test]
fn red_hat_csaf_flags_rhel_hosts_below_the_fixed_build() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(
        dir.path(),
        &[
            host_json(
                "rhel-old",
                ("rhel", "8.8"),
                &[("c-ares", "1.13.0-6.el8", None), ("c-ares-devel", "1.13.0-6.el8", None)],
                &[],
                "tier2",
            ),
            host_json(
                "rhel-fixed",
                ("rhel", "8.9"),
                &[("c-ares", "1.13.0-9.el8_9.1", None)],
                &[],
                "tier2",
            ),
            host_json("rhel9", ("rhel", "9.3"), &[("c-ares", "1.13.0-6.el8", None)], &[], "tier2"),
        ],
    );
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("csaf"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    let old = host(&artifact, "rhel-old");
    assert_eq!(advisories_of(old, "c-ares"), ["RHSA-2023:7207"]);
    assert_eq!(advisories_of(old, "c-ares-devel"), ["RHSA-2023:7207"]);
    let finding = &old.findings[0];
    assert_eq!(finding.fixed_version.as_deref(), Some("1.13.0-9.el8_9.1"));
    assert_eq!(finding.cves, ["CVE-2020-22217", "CVE-2023-31130"]);
    assert!((finding.cvss.as_ref().unwrap().base_score - 5.9).abs() < 1e-9);
    assert!(host(&artifact, "rhel-fixed").findings.is_empty());
    assert_eq!(
        host(&artifact, "rhel9").status,
        patchpilot::artifact::assessment::HostStatus::NoAdvisoryData
    );
}

/// Regression for backports, pinned with the real DSA-5343-1: Debian fixed
/// OpenSSL's February 2023 CVEs in `1.1.1n-0+deb11u4`, although upstream's
/// fix is 1.1.1t. A host at or past Debian's fixed version must not be
/// flagged by it, even though `1.1.1n` looks older than `1.1.1t`.
#[test]
fn debian_backport_at_fixed_version_is_never_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(
        dir.path(),
        &[
            host_json(
                "deb-patched",
                ("debian", "11"),
                &[
                    ("libssl1.1", "1.1.1n-0+deb11u4", Some("openssl")),
                    ("openssl", "1.1.1n-0+deb11u4", None),
                ],
                &[],
                "tier2",
            ),
            host_json(
                "deb-later",
                ("debian", "11"),
                &[("libssl1.1", "1.1.1w-0+deb11u1", Some("openssl"))],
                &[],
                "tier2",
            ),
            host_json(
                "deb-behind",
                ("debian", "11"),
                &[("libssl1.1", "1.1.1n-0+deb11u3", Some("openssl"))],
                &[],
                "tier2",
            ),
        ],
    );
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("debian-security-tracker"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    assert!(
        host(&artifact, "deb-patched").findings.is_empty(),
        "{:?}",
        host(&artifact, "deb-patched").findings
    );
    assert!(host(&artifact, "deb-later").findings.is_empty());
    let behind = advisories_of(host(&artifact, "deb-behind"), "libssl1.1");
    assert_eq!(behind, ["DSA-5343-1"]);
    let finding = &host(&artifact, "deb-behind").findings[0];
    assert_eq!(finding.source_package.as_deref(), Some("openssl"));
    assert_eq!(finding.fixed_version.as_deref(), Some("1.1.1n-0+deb11u4"));
}

/// Ubuntu advisories name source packages; a binary such as `libc6` is
/// matched through the advisory's binary list even without a source name.
#[test]
fn ubuntu_source_advisory_reaches_binary_packages() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(
        dir.path(),
        &[host_json(
            "jammy",
            ("ubuntu", "22.04"),
            &[("libc6", "2.35-0ubuntu3.1", None), ("libc-bin", "2.35-0ubuntu3.4", None)],
            &[],
            "tier2",
        )],
    );
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv/ubuntu"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    let jammy = host(&artifact, "jammy");
    assert_eq!(advisories_of(jammy, "libc6"), ["UBUNTU-CVE-2023-4911"]);
    assert!(advisories_of(jammy, "libc-bin").is_empty());
    assert_eq!(jammy.findings[0].fixed_version.as_deref(), Some("2.35-0ubuntu3.4"));
    assert!((jammy.findings[0].cvss.as_ref().unwrap().base_score - 7.8).abs() < 1e-9);
}

/// Every real feed sample loads; the only skipped records are the ones
/// whose versions really are malformed, and they are named.
#[test]
fn real_feed_samples_load() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(dir.path(), &[]);
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv"),
        "-a",
        &feed("debian-security-tracker"),
        "-a",
        &feed("alpine-secdb"),
        "-a",
        &feed("csaf"),
        "--kev",
        &feed("kev/known_exploited_vulnerabilities.json"),
        "--epss",
        &feed("epss/epss_scores-2025-08-25.head.csv"),
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let artifact = read_artifact(&output);
    let kinds: Vec<&str> = artifact.sources.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["osv", "debian-security-tracker", "alpine-secdb", "red-hat-csaf", "kev", "epss"]
    );
    for source in &artifact.sources {
        assert!(source.records > 0, "{source:?}");
        assert_eq!(source.sha256.len(), 64);
    }
    let epss = artifact.sources.iter().find(|s| s.kind == "epss").unwrap();
    assert_eq!(epss.data_date.as_deref(), Some("2025-08-25"));
    assert_eq!(epss.records, 40);
    // 737 OSV records: the Livepatch notice and the OpenShift-only Red Hat
    // record have no OS package entries and yield no advisory.
    assert_eq!(artifact.sources[0].records, 735);

    // Alpine's v3.11 secdb really has two keys that are not apk versions.
    let skipped: Vec<(&str, &str)> = artifact
        .skipped_records
        .iter()
        .map(|record| (record.file.rsplit("advisories/").next().unwrap(), record.record.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("alpine-secdb/v3.11/main.yaml", "python2"), ("alpine-secdb/v3.11/main.yaml", "xen")]
    );
    let alpine = artifact.sources.iter().find(|s| s.kind == "alpine-secdb").unwrap();
    assert_eq!(alpine.skipped, 2);
    assert!(run.stderr.contains("warning: skipped record `python2` in `"), "{}", run.stderr);
    assert!(run.stderr.contains("`2.7.16-33` is not a valid apk version"), "{}", run.stderr);
}

/// `--strict` turns malformed records into an error that names the count.
#[test]
fn strict_refuses_malformed_records() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(dir.path(), &[]);
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("alpine-secdb"),
        "--strict",
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: 2 malformed feed records and `--strict` is set"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"));
    assert!(!output.exists(), "nothing is written on error");
}

/// `--max-age` refuses stale feeds with their dates and ages, and names the
/// undated ones.
#[test]
fn max_age_refuses_stale_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(dir.path(), &[]);
    let output = dir.path().join("assessment.json");
    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv/almalinux.zip"),
        "-a",
        &feed("alpine-secdb/v3.16"),
        "--kev",
        &feed("kev/known_exploited_vulnerabilities.json"),
        "--max-age",
        "30",
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("feeds older than `--max-age 30` days:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("known_exploited_vulnerabilities.json` (data of 2025-08-25, 362 days old)"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("almalinux.zip` (data"),
        "AlmaLinux data is a day old: {}",
        run.stderr
    );
    assert!(run.stderr.contains("alpine-secdb/v3.16` carries no data date"), "{}", run.stderr);

    let run = assess(&[
        "-i",
        &inventory,
        "-a",
        &feed("osv/almalinux.zip"),
        "--max-age",
        "30",
        "--today",
        "2026-08-22",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// End-of-life and the host's own pending security updates become findings,
/// and `--format csv` / `--format json` print what a spreadsheet or a
/// program wants.
#[test]
fn eol_and_pending_updates_are_findings_and_output_formats_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = host_json(
        "buster",
        ("debian", "10"),
        &[("zlib1g", "1:1.2.11.dfsg-1", Some("zlib"))],
        &["dmz"],
        "tier2",
    );
    old["eol"] = json!({"product": "debian", "cycle": "10", "eol_date": "2024-06-30", "state": "unsupported", "days_left": -783});
    old["facts"]["pending_updates"] = json!([
        {"name": "tzdata", "installed_version": "2024a-0+deb10u1", "candidate_version": "2025b-0+deb10u1",
         "arch": "all", "origin": "Debian-Security", "security": true},
        {"name": "vim", "installed_version": "2:8.1.0875-5", "candidate_version": "2:8.1.0875-5+deb10u1",
         "arch": "amd64", "origin": "Debian", "security": false}
    ]);
    let inventory = write_inventory(dir.path(), &[old]);
    let output = dir.path().join("assessment.json");

    let run = assess(&["-i", &inventory, "--today", "2026-08-22", "-o", output.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no `--advisories` given"));
    let artifact = read_artifact(&output);
    let buster = host(&artifact, "buster");
    let kinds: Vec<String> =
        buster.findings.iter().map(|f| serde_json::to_string(&f.kind).unwrap()).collect();
    assert_eq!(kinds, ["\"unsupported-os\"", "\"pending-security-update\""]);
    let eol = buster.findings.iter().find(|f| f.advisory == "unsupported-os").unwrap();
    assert!(eol.summary.as_deref().unwrap().contains("needs an exception or a migration plan"));
    assert_eq!(eol.urgency, Urgency::Scheduled);

    let run = Command::new(env!("CARGO_BIN_EXE_patchpilot"))
        .args(["--format", "csv", "assess", "-i", &inventory, "--today", "2026-08-22", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let mut lines = stdout.lines();
    assert!(lines.next().unwrap().starts_with("host,environment,tier,kind,advisory,cves,package"));
    assert_eq!(lines.count(), 2);

    let run = Command::new(env!("CARGO_BIN_EXE_patchpilot"))
        .args(["--format", "json", "assess", "-i", &inventory, "--today", "2026-08-22", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["findings"], 2);
    assert_eq!(summary["hosts"], 1);
}

/// A host that cannot be reached on one run keeps its findings and their
/// first-seen dates, so its SLA clock does not restart when it comes back.
#[test]
fn unreachable_host_keeps_its_findings_and_clock() {
    let dir = tempfile::tempdir().unwrap();
    let lab = feed("lab");
    let reachable = host_json(
        "flaky",
        ("debian", "12"),
        &[("libppcrypto1", "1.0-2", Some("ppcrypto"))],
        &[],
        "tier2",
    );
    let mut unreachable = reachable.clone();
    unreachable["facts"] = Value::Null;
    unreachable["outcome"] = json!({"status": "timed-out", "message": "no answer in 10s"});

    let mut previous: Option<PathBuf> = None;
    for (day, record) in
        [("2026-08-01", &reachable), ("2026-08-10", &unreachable), ("2026-08-22", &reachable)]
    {
        let inventory = write_inventory(dir.path(), std::slice::from_ref(record));
        let output = dir.path().join(format!("assessment-{day}.json"));
        let mut args =
            vec!["-i", &inventory, "-a", &lab, "--today", day, "-o", output.to_str().unwrap()];
        let previous_text = previous.as_ref().map(|path| path.display().to_string());
        if let Some(path) = &previous_text {
            args.extend(["--previous", path.as_str()]);
        }
        let run = assess(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let artifact = read_artifact(&output);
        let flaky = host(&artifact, "flaky");
        assert_eq!(flaky.findings.len(), 1, "{day}");
        assert_eq!(flaky.findings[0].first_seen, "2026-08-01", "{day}");
        assert!(flaky.resolved.is_empty());
        previous = Some(output);
    }
}

/// Another artifact given as the inventory is refused as soon as its
/// `meta` is read, with exit code 2.
#[test]
fn an_assessment_is_not_accepted_as_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = write_inventory(dir.path(), &[]);
    let first = dir.path().join("assessment.json");
    assert_eq!(
        assess(&["-i", &inventory, "--today", "2026-08-22", "-o", first.to_str().unwrap()]).code,
        0
    );

    let second = dir.path().join("again.json");
    let run = assess(&[
        "-i",
        first.to_str().unwrap(),
        "--today",
        "2026-08-22",
        "-o",
        second.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "it is an `assessment` artifact of schema version 1, expected `inventory` version 1"
        ),
        "{}",
        run.stderr
    );
    assert!(!second.exists());
}

/// An inventory cut off mid-host (a copy interrupted, a full disk) is
/// refused with exit code 2 naming the file, although the hosts before the
/// cut were parsed and assessed while the feeds loaded; no assessment is
/// written.
#[test]
fn a_truncated_inventory_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let hosts: Vec<Value> = (1..=3)
        .map(|n| {
            host_json(&format!("web{n}"), ("debian", "12"), &[("bash", "5.2", None)], &[], "tier2")
        })
        .collect();
    let inventory = write_inventory(dir.path(), &hosts);
    let bytes = std::fs::read(&inventory).unwrap();
    std::fs::write(&inventory, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let output = dir.path().join("assessment.json");

    let run = assess(&["-i", &inventory, "--today", "2026-08-22", "-o", output.to_str().unwrap()]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("`{inventory}` is not a usable inventory")),
        "{}",
        run.stderr
    );
    assert!(!output.exists());
}

/// A missing inventory and a missing feed are both named in one usage error
/// (exit code 2) before anything is read.
#[test]
fn missing_inventory_and_feed_are_named_together() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.json");
    let missing_feed = dir.path().join("no-such-feed");

    let run = assess(&[
        "-i",
        missing.to_str().unwrap(),
        "-a",
        missing_feed.to_str().unwrap(),
        "--today",
        "2026-08-22",
    ]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("inventory") && run.stderr.contains("absent.json"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no-such-feed"), "{}", run.stderr);
}
