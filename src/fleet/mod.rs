//! The fleet: which hosts exist, how to reach them, and what they are.
//!
//! This module owns everything patchpilot knows about hosts before it
//! contacts any: the inventory file (patchpilot's TOML hosts file, or an
//! Ansible INI/YAML inventory read as is), `--limit` selection, the
//! criticality tier of each host and the reconciliation of what was learned
//! against a CMDB export. Loading reports every mistake with file, line,
//! column and field, before any host is contacted.
//!
//! Entry points: [`load`] (format detected from extension and content),
//! [`Inventory::select`] with a [`Limit`], [`Inventory::tier_of`], and
//! [`cmdb::Cmdb::load`] with [`cmdb::reconcile`].

pub(crate) mod ansible;
pub mod cmdb;
mod error;
mod host;
mod inventory;
mod layer;
mod limit;
mod secrets;
mod tier;
mod toml_file;

use std::path::Path;

pub use error::{InventoryError, SourceLocation};
pub use host::{ConnectionSettings, ExplicitTier, Host, ProbeSpec, ProbeTarget, Transport};
pub use inventory::{Group, Inventory, InventoryFormat};
pub use limit::{Limit, LimitError};
pub use tier::{BUILTIN_DEFAULT_TIER, TierCondition, TierDefault, TierRule, TierRules};

/// Reads and parses an inventory file, detecting its format.
pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| InventoryError::Read { path: path.to_path_buf(), source })?;
    parse(&text, path, detect_format(path, &text))
}

/// Parses inventory text in a known format; `path` is used in messages and
/// to resolve relative paths.
pub fn parse(
    text: &str,
    path: &Path,
    format: InventoryFormat,
) -> Result<Inventory, InventoryError> {
    match format {
        InventoryFormat::Toml => toml_file::parse(text, path),
        InventoryFormat::AnsibleIni => ansible::ini::parse(text, path),
        InventoryFormat::AnsibleYaml => ansible::yaml::parse(text, path),
        InventoryFormat::LocalMachine => Ok(Inventory::local_machine()),
    }
}

/// The format of an inventory file: by extension (`.toml`; `.yml`, `.yaml`,
/// `.json`; `.ini`), otherwise by its first meaningful line, since Ansible
/// inventories are often extension-less (`/etc/ansible/hosts`).
pub fn detect_format(path: &Path, text: &str) -> InventoryFormat {
    let extension =
        path.extension().and_then(|extension| extension.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("toml") => return InventoryFormat::Toml,
        Some("yml" | "yaml" | "json") => return InventoryFormat::AnsibleYaml,
        Some("ini") => return InventoryFormat::AnsibleIni,
        _ => {}
    }
    detect_from_content(text)
}

fn detect_from_content(text: &str) -> InventoryFormat {
    let first =
        text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with(['#', ';']));
    let Some(first) = first else {
        return InventoryFormat::AnsibleIni;
    };

    if first == "---" || first.starts_with('{') || looks_like_yaml_key(first) {
        return InventoryFormat::AnsibleYaml;
    }
    if looks_like_toml(first) {
        return InventoryFormat::Toml;
    }
    InventoryFormat::AnsibleIni
}

/// `all:` or `webservers:   # comment`: a mapping key with nothing after it.
fn looks_like_yaml_key(line: &str) -> bool {
    let line = line.split(" #").next().unwrap_or(line).trim_end();
    line.strip_suffix(':').is_some_and(|key| !key.is_empty() && !key.contains(['[', '=', ' ']))
}

/// TOML tables this file format uses, or a `key = value` line (INI host
/// lines write `key=value` after a host name, never spaced around `=`).
fn looks_like_toml(line: &str) -> bool {
    let table = ["[[tiers]]", "[defaults]", "[tiers_default]"].contains(&line)
        || line.starts_with("[hosts.")
        || line.starts_with("[groups.");
    let assignment = line.split_once(" = ").is_some_and(|(key, _)| !key.trim().contains(' '));
    table || assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_detected_by_extension_first() {
        assert_eq!(detect_format(Path::new("hosts.toml"), "[web]\nw1\n"), InventoryFormat::Toml);
        assert_eq!(detect_format(Path::new("inv.yml"), ""), InventoryFormat::AnsibleYaml);
        assert_eq!(detect_format(Path::new("inv.ini"), "[hosts.x]"), InventoryFormat::AnsibleIni);
    }

    #[test]
    fn extensionless_files_are_detected_by_content() {
        let detect = |text: &str| detect_format(Path::new("/etc/ansible/hosts"), text);
        assert_eq!(
            detect("# comment\n[webservers]\nfoo.example.com\n"),
            InventoryFormat::AnsibleIni
        );
        assert_eq!(detect("mail.example.com\n[web]\n"), InventoryFormat::AnsibleIni);
        assert_eq!(detect("badwolf.example.com:5309\n"), InventoryFormat::AnsibleIni);
        assert_eq!(detect("w1 ansible_host=10.0.0.1\n"), InventoryFormat::AnsibleIni);
        assert_eq!(detect("---\nall:\n  hosts:\n"), InventoryFormat::AnsibleYaml);
        assert_eq!(detect("all:   # everything\n  hosts:\n"), InventoryFormat::AnsibleYaml);
        assert_eq!(detect("[defaults]\nuser = \"root\"\n"), InventoryFormat::Toml);
        assert_eq!(detect("[hosts.h1]\naddress = \"127.0.0.1\"\n"), InventoryFormat::Toml);
        assert_eq!(detect("[[tiers]]\n"), InventoryFormat::Toml);
    }

    #[test]
    fn load_reports_unreadable_files_with_their_path() {
        let error = load(Path::new("/nonexistent/hosts.toml")).expect_err("missing").to_string();
        assert_eq!(error, "cannot read inventory `/nonexistent/hosts.toml`");
    }
}
