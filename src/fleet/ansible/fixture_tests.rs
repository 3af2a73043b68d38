//! Our Ansible import against Ansible itself, on real inventories.
//!
//! `tests/fixtures/ansible/` holds inventories from the Ansible documentation
//! and ansible-core's test suite, each with the `ansible-inventory --list`
//! output captured beside it. The first test compares our parse with those
//! captures; the second runs the installed `ansible-inventory` (required when
//! `CI=true`) so a newer Ansible that reads a file differently is noticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::fleet::{Host, Inventory, load};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ansible")
}

/// Every inventory fixture (not the captured `.json` outputs).
fn inventories() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixture directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            [".ini", ".yaml", ".yml"].iter().any(|extension| name.ends_with(extension))
        })
        .collect();
    paths.sort();
    paths
}

/// Variables we turn into settings, so they are absent from `Host::vars`.
const MAPPED: &[&str] = &[
    "ansible_host",
    "ansible_ssh_host",
    "ansible_port",
    "ansible_ssh_port",
    "ansible_user",
    "ansible_ssh_user",
    "ansible_ssh_private_key_file",
    "ansible_private_key_file",
    "ansible_become",
    "ansible_connection",
];

/// What `ansible-inventory --list` says about each host.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    address: String,
    port: Option<u16>,
    user: Option<String>,
    groups: Vec<String>,
    vars: BTreeMap<String, String>,
}

fn expected_hosts(list: &Value) -> BTreeMap<String, Expected> {
    let hostvars = list["_meta"]["hostvars"].as_object().cloned().unwrap_or_default();
    let groups_of = host_groups(list);
    let mut names: BTreeSet<String> = groups_of.keys().cloned().collect();
    names.extend(hostvars.keys().cloned());

    names
        .into_iter()
        .map(|name| {
            let vars = hostvars.get(&name).and_then(Value::as_object).cloned().unwrap_or_default();
            let text = |key: &str| vars.get(key).map(json_text);
            let expected = Expected {
                address: text("ansible_host")
                    .or_else(|| text("ansible_ssh_host"))
                    .unwrap_or_else(|| name.clone()),
                port: text("ansible_port").and_then(|port| port.parse().ok()),
                user: text("ansible_user"),
                groups: groups_of.get(&name).cloned().unwrap_or_default(),
                vars: vars
                    .iter()
                    .filter(|(key, _)| !MAPPED.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), json_text(value)))
                    .collect(),
            };
            (name, expected)
        })
        .collect()
}

/// Every host's groups, through nesting, without `all` and `ungrouped`.
fn host_groups(list: &Value) -> BTreeMap<String, Vec<String>> {
    let groups = list.as_object().cloned().unwrap_or_default();
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut direct: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (group, body) in &groups {
        for child in body["children"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            parents.entry(child.to_string()).or_default().push(group.clone());
        }
        for host in body["hosts"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            direct.entry(host.to_string()).or_default().push(group.clone());
        }
    }

    direct
        .into_iter()
        .map(|(host, groups)| {
            let mut found = BTreeSet::new();
            let mut pending = groups;
            while let Some(group) = pending.pop() {
                if found.insert(group.clone()) {
                    pending.extend(parents.get(&group).cloned().unwrap_or_default());
                }
            }
            found.retain(|group| group != "all" && group != "ungrouped");
            (host, found.into_iter().collect())
        })
        .collect()
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

fn ours(inventory: &Inventory) -> BTreeMap<String, Expected> {
    inventory.hosts().map(|host| (host.name.clone(), as_expected(host))).collect()
}

fn as_expected(host: &Host) -> Expected {
    Expected {
        address: host.connection.address.clone(),
        port: host.connection.port,
        user: host.connection.user.clone(),
        groups: host.groups.clone(),
        vars: host.vars.clone(),
    }
}

fn compare(path: &Path, list: &Value) {
    let inventory = load(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let expected = expected_hosts(list);
    assert!(!expected.is_empty(), "{}: Ansible lists no hosts", path.display());
    assert_eq!(ours(&inventory), expected, "{}", path.display());
}

/// `docs-southeast.ini` names an undefined child group; Ansible refuses it.
fn is_refused_by_ansible(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == "docs-southeast.ini")
}

#[test]
fn real_inventories_parse_as_ansible_inventory_listed_them() {
    let paths = inventories();
    assert!(paths.len() >= 20, "fixtures missing: {paths:?}");

    for path in paths {
        if is_refused_by_ansible(&path) {
            let error = load(&path).expect_err("undefined child group").to_string();
            assert!(
                error.ends_with(
                    ":21:1: section `[usa:children]` includes undefined group `northeast`"
                ),
                "{error}"
            );
            continue;
        }
        let captured = std::fs::read_to_string(format!("{}.list.json", path.display()))
            .expect("captured output");
        compare(&path, &serde_json::from_str(&captured).expect("captured JSON"));
    }
}

#[test]
fn ranges_from_the_documentation_expand_fully() {
    let inventory = load(&fixture_dir().join("docs-range.ini")).expect("valid");
    assert_eq!(inventory.hosts().count(), 50);
    let stride = load(&fixture_dir().join("docs-range-stride.yaml")).expect("valid");
    assert_eq!(stride.hosts().count(), 25);
}

/// Runs the real `ansible-inventory`; skipped when it is not installed,
/// except under `CI=true`, where the test command installs Ansible.
#[test]
fn agrees_with_the_installed_ansible_inventory() {
    let probe = Command::new("ansible-inventory").arg("--version").output();
    if probe.is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but `ansible-inventory` is not installed"
        );
        return;
    }

    let home = tempfile::tempdir().expect("temporary ANSIBLE_HOME");
    let paths = inventories();
    for chunk in paths.chunks(4) {
        let children: Vec<_> =
            chunk.iter().map(|path| (path, spawn_ansible_inventory(path, home.path()))).collect();
        for (path, child) in children {
            let output = child.wait_with_output().expect("ansible-inventory ran");
            if is_refused_by_ansible(path) {
                assert!(!output.status.success(), "ansible-inventory accepted {}", path.display());
                assert!(load(path).is_err());
                continue;
            }
            assert!(
                output.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr)
            );
            compare(path, &serde_json::from_slice(&output.stdout).expect("ansible-inventory JSON"));
        }
    }
}

fn spawn_ansible_inventory(path: &Path, home: &Path) -> std::process::Child {
    Command::new("ansible-inventory")
        .arg("-i")
        .arg(path)
        .arg("--list")
        .env("ANSIBLE_HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .env("ANSIBLE_NOCOLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ansible-inventory starts")
}
