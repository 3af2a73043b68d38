//! Differential tests: patchpilot's version ordering against the real
//! package managers, on thousands of generated pairs.
//!
//! Each proptest case generates a batch of pairs and asks the real tool about
//! all of them in one process (a shell loop around `dpkg --compare-versions`;
//! one `rpm --eval` Lua chunk calling rpm 4.18's own `rpm.ver` comparison), so
//! the whole test runs in seconds. Pairs are drawn from a small alphabet and
//! often share a prefix, so ties, `~`, `^`, epochs and leading zeros come up
//! constantly. A tool that is not installed skips its test with a note,
//! unless `PATCHPILOT_REQUIRE_REAL_TOOLS=1` (set it in CI, after
//! `apt-get install -y rpm`).

use std::cmp::Ordering;
use std::io::Write;
use std::process::Command;

use patchpilot::advisory::version::{VersionScheme, compare_strings};
use proptest::prelude::*;

const BATCH: usize = 800;
const CASES: u32 = 4;

#[expect(clippy::print_stderr, reason = "tells whoever runs the tests that a check was skipped")]
fn tool_available(program: &str, probe: &str) -> bool {
    let found = Command::new(program).arg(probe).output().is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var_os("PATCHPILOT_REQUIRE_REAL_TOOLS").is_none(),
            "`{program}` is required (apt-get install -y rpm)"
        );
        eprintln!("note: `{program}` not installed; differential test skipped");
    }
    found
}

/// Writes `left right` lines to a temp file for the tool to read.
fn pairs_file(pairs: &[(String, String)]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for (left, right) in pairs {
        writeln!(file, "{left} {right}").unwrap();
    }
    file.flush().unwrap();
    file
}

fn parse_results(stdout: &[u8], expected: usize) -> Vec<Ordering> {
    let results: Vec<Ordering> = String::from_utf8_lossy(stdout)
        .split_whitespace()
        .map(|word| match word {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("unexpected tool output `{other}`"),
        })
        .collect();
    assert_eq!(results.len(), expected, "tool answered {} of {expected} pairs", results.len());
    results
}

fn dpkg_compare(pairs: &[(String, String)]) -> Vec<Ordering> {
    let file = pairs_file(pairs);
    let script = r#"while read -r a b; do
        if dpkg --compare-versions "$a" lt "$b"; then echo -1
        elif dpkg --compare-versions "$a" eq "$b"; then echo 0
        else echo 1; fi
    done < "$1""#;
    let output = Command::new("sh").args(["-c", script, "sh"]).arg(file.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    parse_results(&output.stdout, pairs.len())
}

fn rpm_compare(pairs: &[(String, String)]) -> Vec<Ordering> {
    let file = pairs_file(pairs);
    let lua = format!(
        "%{{lua: for line in io.lines(\"{}\") do \
           local a, b = line:match(\"^(%S+) (%S+)$\") \
           local x, y = rpm.ver(a), rpm.ver(b) \
           if x < y then print(\"-1 \") elseif x == y then print(\"0 \") else print(\"1 \") end \
         end}}",
        file.path().display()
    );
    let output = Command::new("rpm").args(["--eval", &lua]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    parse_results(&output.stdout, pairs.len())
}

fn check(scheme: VersionScheme, pairs: &[(String, String)], real: &[Ordering]) {
    for ((left, right), expected) in pairs.iter().zip(real) {
        let ours = compare_strings(scheme, left, right).unwrap();
        assert_eq!(ours, *expected, "{scheme}: `{left}` vs `{right}`");
    }
}

/// `[epoch:]upstream[-revision]` with a shared prefix between the two sides.
fn dpkg_pair() -> impl Strategy<Value = (String, String)> {
    let epoch = proptest::option::weighted(0.2, "[0-2]");
    let revision = proptest::option::weighted(0.7, "[0-9a-cZ.+~]{1,4}");
    let side = (epoch, "[0-9a-cZ.+~]{0,3}", revision);
    ("[0-9][0-9a-cZ.+~]{0,4}", side.clone(), side).prop_map(|(prefix, a, b)| {
        let build = |(epoch, tail, revision): (Option<String>, String, Option<String>)| {
            let epoch = epoch.map(|e| format!("{e}:")).unwrap_or_default();
            let revision = revision.map(|r| format!("-{r}")).unwrap_or_default();
            format!("{epoch}{prefix}{tail}{revision}")
        };
        (build(a), build(b))
    })
}

/// `[epoch:]version-release` with `~`, `^`, `_`, `+` and dots.
fn rpm_pair() -> impl Strategy<Value = (String, String)> {
    let epoch = proptest::option::weighted(0.2, "[0-2]");
    let release = proptest::option::weighted(0.9, "[0-9a-c.~^_+]{1,5}");
    let side = (epoch, "[0-9a-c.~^_+]{0,3}", release);
    ("[0-9a-c][0-9a-c.~^_+]{0,4}", side.clone(), side).prop_map(|(prefix, a, b)| {
        let build = |(epoch, tail, release): (Option<String>, String, Option<String>)| {
            let epoch = epoch.map(|e| format!("{e}:")).unwrap_or_default();
            let release = release.map(|r| format!("-{r}")).unwrap_or_default();
            format!("{epoch}{prefix}{tail}{release}")
        };
        (build(a), build(b))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn dpkg_ordering_agrees_with_dpkg(pairs in proptest::collection::vec(dpkg_pair(), BATCH)) {
        if tool_available("dpkg", "--version") {
            let real = dpkg_compare(&pairs);
            check(VersionScheme::Dpkg, &pairs, &real);
        }
    }

    #[test]
    fn rpm_ordering_agrees_with_rpm(pairs in proptest::collection::vec(rpm_pair(), BATCH)) {
        if tool_available("rpm", "--version") {
            let real = rpm_compare(&pairs);
            check(VersionScheme::Rpm, &pairs, &real);
        }
    }
}

/// Hand-picked pairs from real advisories, checked against the tools too.
#[test]
fn real_advisory_versions_agree_with_the_tools() {
    let dpkg_pairs: Vec<(String, String)> = [
        ("1.1.1n-0+deb11u4", "1.1.1n-0+deb11u3"),
        ("1.1.1n-0+deb11u4", "1.1.1t-1"),
        ("2:1.20.11-1+deb11u6", "2:1.20.11-1"),
        ("1:8.9p1-3ubuntu0.10", "1:8.9p1-3ubuntu0.4"),
        ("1:2.7.0~rc3-1", "1:2.7.0-1"),
        ("1.8.9p5-1ubuntu1.5+esm6", "1.8.9p5-1ubuntu1.5"),
        ("102.9.0esr-1~deb11u1", "102.9.0esr-1"),
        ("1.0-1", "1.0-2"),
        ("1.0-2", "1.1-1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    if tool_available("dpkg", "--version") {
        check(VersionScheme::Dpkg, &dpkg_pairs, &dpkg_compare(&dpkg_pairs));
    }

    let rpm_pairs: Vec<(String, String)> = [
        ("1:3.5.5-4.el9_8", "1:3.5.5-4.el9_10"),
        ("0:4.18.0-425.10.1.el8_7.cloud", "4.18.0-425.10.1.el8_7"),
        ("1.20.1-1.module_el8.8.0+3601+e1b7a6c9", "1.20.1-1.module_el8.7.0+3343+2b0fe1c0"),
        ("2:4.4.1-21.el9_2", "4.4.1-21.el9_2"),
        ("1.13.0-9.el8_9.1", "1.13.0-9.el8"),
        ("1.0^git1-1", "1.0-1"),
        ("1.0~rc1-1", "1.0-1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    if tool_available("rpm", "--version") {
        check(VersionScheme::Rpm, &rpm_pairs, &rpm_compare(&rpm_pairs));
    }
}
