//! Every fact parser against real captured tool output.
//!
//! Each fixture under `tests/fixtures/<tool>/` is a raw output file plus
//! `<stem>.expected.json` holding `{"parser": NAME, "output": VALUE}`; the
//! test runs parser NAME on the raw bytes and compares the result, as JSON,
//! with VALUE. Adding a fixture for an existing parser needs no code: drop
//! the raw file beside a stub `{"parser": "…"}`, run with
//! `UPDATE_FIXTURES=1` to fill in `output`, and review the diff. Where each
//! raw file came from is recorded in the `SOURCE.md` of its folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use patchpilot::facts::{self, FactsError, apk, apt, linux, macos, rpm, windows, zypper};
use serde::Serialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const EXPECTED_SUFFIX: &str = ".expected.json";

/// Runs the named parser; `None` for a name no parser has.
fn run_parser(parser: &str, raw: &[u8]) -> Option<Result<Value, FactsError>> {
    let text = facts::lossy_text(raw);
    let text = text.as_ref();
    let value = match parser {
        "gather-linux" => return Some(linux::parse(raw).map(to_json)),
        "os-release" => to_json(facts::host::parse_os_release(text)),
        "df" => to_json(facts::disk::parse_df(text)),
        "df-T" => to_json(serde_json::json!({
            "disks": facts::disk::parse_df(text),
            "types": facts::disk::parse_df_types(text),
        })),
        "listening" => to_json(facts::listen::parse_listening(text)),
        "if-inet6" => to_json(facts::addresses::parse_if_inet6(text)),
        "dpkg-query" => to_json(apt::parse_dpkg_query(text)),
        "apt-get-simulate" => to_json(apt::parse_apt_simulate(text)),
        "apt-list-upgradable" => to_json(apt::parse_apt_list_upgradable(text)),
        "apt-get-summary" => to_json(apt::parse_apt_summary(text)),
        "apt-cache-policy" => to_json(apt::parse_apt_policy(text)),
        "checkrestart" => to_json(apt::parse_checkrestart(text)),
        "rpm-query" => to_json(rpm::parse_rpm_query(text)),
        "check-update" => to_json(rpm::parse_check_update(text)),
        "needs-restarting-reboot" => to_json(rpm::parse_needs_restarting_reboot(text)),
        "needs-restarting" => to_json(rpm::parse_needs_restarting(text)),
        "repoquery-installed" => to_json(rpm::parse_repoquery_installed(text)),
        "repoquery-updates" => to_json(rpm::parse_repoquery_updates(text)),
        "rpm-last" => to_json(rpm::parse_rpm_last(text)),
        "zypper-list-updates" => to_json(zypper::parse_list_updates(text)),
        "zypper-list-patches" => to_json(zypper::parse_list_patches(text)),
        "zypper-patch-info" => to_json(zypper::parse_patch_info(text)),
        "zypper-needs-rebooting" => to_json(zypper::parse_needs_rebooting(text)),
        "zypper-xml-list-updates" => {
            return Some(zypper::parse_xml_list_updates(text).map(to_json));
        }
        "zypper-xml-search-patches" => {
            return Some(zypper::parse_xml_search_patches(text).map(to_json));
        }
        "apk-database" => to_json(apk::parse_apk_database(text)),
        "apk-list-installed" => to_json(apk::parse_apk_list_installed(text)),
        "apk-list-upgradable" => to_json(apk::parse_apk_list_upgradable(text)),
        "apk-version" => to_json(apk::parse_apk_version(text)),
        "sw-vers" => to_json(macos::parse_sw_vers(text)),
        "softwareupdate-list" => to_json(macos::parse_softwareupdate_list(text)),
        "get-hotfix" => return Some(windows::parse_get_hotfix(text).map(to_json)),
        "windows-update-search" => {
            return Some(windows::parse_update_search(text).map(|updates| {
                to_json(serde_json::json!({
                    "updates": updates,
                    "pending": windows::pending_updates(&updates),
                }))
            }));
        }
        _ => return None,
    };
    Some(Ok(value))
}

fn to_json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("parser results serialise")
}

/// Folders of captured package-manager and system-tool output; other
/// folders under `tests/fixtures/` belong to other tests.
const TOOL_FOLDERS: &[&str] =
    &["apk", "apt", "gather", "linux", "macos", "rpm", "windows", "zypper"];

/// Raw fixture files: everything but expectations and notes, in a stable order.
fn raw_fixtures() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in TOOL_FOLDERS {
        let tool = std::path::Path::new(FIXTURES).join(folder);
        for entry in std::fs::read_dir(&tool).expect("readable tool folder") {
            let path = entry.expect("readable entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let is_note = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
            if path.is_file() && !name.ends_with(EXPECTED_SUFFIX) && !is_note {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn expected_path(raw: &Path) -> PathBuf {
    let stem = raw.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    raw.with_file_name(format!("{stem}{EXPECTED_SUFFIX}"))
}

/// Checks one fixture; returns a readable failure, or `None` when it passes.
fn check_fixture(raw: &Path, update: bool) -> Option<String> {
    let name = raw.strip_prefix(FIXTURES).unwrap_or(raw).display().to_string();
    let expected_file = expected_path(raw);
    let Ok(expected_text) = std::fs::read_to_string(&expected_file) else {
        return Some(format!(
            "{name}: no `{}`; create it with {{\"parser\": \"…\"}}",
            expected_file.display()
        ));
    };
    let mut expected: Value = match serde_json::from_str(&expected_text) {
        Ok(value) => value,
        Err(error) => return Some(format!("{name}: expectation is not JSON: {error}")),
    };
    let parser = expected["parser"].as_str().unwrap_or_default().to_string();
    let raw_bytes = std::fs::read(raw).expect("readable fixture");
    let actual = match run_parser(&parser, &raw_bytes) {
        None => return Some(format!("{name}: unknown parser `{parser}`")),
        Some(Err(error)) => return Some(format!("{name}: parser `{parser}` failed: {error}")),
        Some(Ok(value)) => value,
    };

    if update {
        expected["output"] = actual;
        let mut text = serde_json::to_string_pretty(&expected).expect("serialises");
        text.push('\n');
        std::fs::write(&expected_file, text).expect("writable expectation");
        return None;
    }
    (expected["output"] != actual)
        .then(|| diff_report(&name, &parser, &expected["output"], &actual))
}

fn diff_report(name: &str, parser: &str, expected: &Value, actual: &Value) -> String {
    let expected = serde_json::to_string_pretty(expected).expect("serialises");
    let actual = serde_json::to_string_pretty(actual).expect("serialises");
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let mut report = format!("{name} (parser `{parser}`): output differs (- expected, + actual)\n");
    let _ =
        write!(report, "{}", diff.unified_diff().context_radius(3).header("expected", "actual"));
    report
}

#[test]
fn every_fixture_parses_as_expected() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let fixtures = raw_fixtures();
    assert!(fixtures.len() >= 40, "expected the captured fixtures, found {}", fixtures.len());

    let failures: Vec<String> =
        fixtures.iter().filter_map(|raw| check_fixture(raw, update)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}

/// `apt list --upgradable` replaced `apt-get -s dist-upgrade` in the gather
/// script for speed; both were captured on the same machine the same day and
/// must agree on every update, version and security flag.
#[test]
fn apt_list_and_apt_get_simulation_agree_on_the_same_machine() {
    let read = |name: &str| std::fs::read_to_string(format!("{FIXTURES}/apt/{name}")).unwrap();
    let listed = apt::parse_apt_list_upgradable(&read("apt-list-upgradable_debian12.txt"));
    let simulated = apt::parse_apt_simulate(&read("apt-get-s-dist-upgrade_debian12.txt"));
    let key = |u: &patchpilot::artifact::inventory::PendingUpdate| {
        (u.name.clone(), u.installed_version.clone(), u.candidate_version.clone(), u.security)
    };
    assert_eq!(listed.len(), 137);
    assert_eq!(
        listed.iter().map(key).collect::<Vec<_>>(),
        simulated.iter().map(key).collect::<Vec<_>>()
    );
}

/// Two gathers captured back to back on one machine, the second sent the
/// first's `package-state`: the host answered `# unchanged`, and parsing it
/// with the first as the previous facts must give the same packages and
/// pending updates, marked as carried over, while host facts stay fresh.
#[test]
fn unchanged_package_state_carries_the_previous_lists_over() {
    let read = |name: &str| std::fs::read(format!("{FIXTURES}/gather/{name}")).unwrap();
    let first = linux::parse(&read("debian12-controller-watched-files.txt")).unwrap();
    let second_raw = read("debian12-controller-packages-unchanged.txt");

    let second = linux::parse_with_previous(&second_raw, b"", Some(&first)).unwrap();
    let alone = linux::parse(&second_raw).unwrap();

    assert!(first.packages.len() > 500, "the first gather lists every package");
    assert!(!first.packages_carried_over);
    assert!(second.packages_carried_over);
    assert_eq!(second.packages, first.packages);
    assert_eq!(second.pending_updates, first.pending_updates);
    assert_eq!(second.package_state, first.package_state);
    assert_eq!(second.hostname, first.hostname);
    assert!(alone.packages.is_empty() && !alone.packages_carried_over);
}
