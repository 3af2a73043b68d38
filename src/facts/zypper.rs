//! SUSE and openSUSE: pending updates from `zypper list-updates` (table or
//! `--xmlout`), patches from `zypper list-patches` and `patch-info`, and the
//! reboot need from `zypper needs-rebooting`. Installed packages come from
//! rpm (see [`super::rpm`]).
//!
//! zypper flags security at the level of *patches*, not packages; a package
//! update counts as security when a needed security patch names it in its
//! `Conflicts` list (`glibc.x86_64 < 2.33-9.1`), which `patch-info` shows.
//! Tables are read by their header names rather than column positions,
//! since zypper versions differ in which columns they print.

use std::collections::BTreeSet;

use serde::Serialize;

use super::FactsError;
use super::reboot::RebootHint;
use crate::artifact::inventory::PendingUpdate;

/// One row of `zypper list-patches` or one patch of `search -t patch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZypperPatch {
    pub name: String,
    pub repository: Option<String>,
    /// `security`, `recommended`, `optional`, `feature`…
    pub category: Option<String>,
    pub severity: Option<String>,
    /// `---`, `reboot`, `restart`, `message`…
    pub interactive: Option<String>,
    /// `needed`, `not needed`, `applied`; `installed`/`not-installed` in
    /// search results.
    pub status: Option<String>,
    pub summary: Option<String>,
}

/// What `zypper patch-info` says about one patch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZypperPatchInfo {
    pub name: String,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub interactive: Option<String>,
    /// Package names from its `Conflicts` list, architecture removed.
    pub packages: Vec<String>,
}

/// A `|`-separated zypper table, cells trimmed, with the header row's names.
struct Table<'a> {
    header: Vec<&'a str>,
    rows: Vec<Vec<&'a str>>,
}

impl<'a> Table<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut lines = text.lines().filter(|line| line.contains('|'));
        let header = split_row(lines.next()?);
        let rows = lines
            .filter(|line| !line.trim_start().starts_with("--"))
            .map(split_row)
            .filter(|row| row.len() >= header.len().min(5))
            .collect();
        Some(Table { header, rows })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|cell| cell.eq_ignore_ascii_case(name))
    }

    fn cell(row: &[&'a str], column: Option<usize>) -> Option<&'a str> {
        column.and_then(|index| row.get(index)).copied().filter(|cell| !cell.is_empty())
    }
}

fn split_row(line: &str) -> Vec<&str> {
    line.split('|').map(str::trim).collect()
}

/// Parses `zypper [--terse] [-q] list-updates` tables.
pub fn parse_list_updates(text: &str) -> Vec<PendingUpdate> {
    let Some(table) = Table::parse(text) else {
        return vec![];
    };
    let repository = table.column("Repository");
    let name = table.column("Name");
    let current = table.column("Current Version");
    let available = table.column("Available Version").or_else(|| table.column("Version"));
    let arch = table.column("Arch");

    let mut updates: Vec<PendingUpdate> = table
        .rows
        .iter()
        .filter_map(|row| {
            Some(PendingUpdate {
                name: Table::cell(row, name)?.to_string(),
                installed_version: Table::cell(row, current).map(str::to_string),
                candidate_version: Table::cell(row, available)?.to_string(),
                arch: Table::cell(row, arch).map(str::to_string),
                origin: Table::cell(row, repository).map(str::to_string),
                security: None,
            })
        })
        .collect();
    updates.sort();
    updates
}

/// Parses `zypper [--terse] list-patches` tables.
pub fn parse_list_patches(text: &str) -> Vec<ZypperPatch> {
    let Some(table) = Table::parse(text) else {
        return vec![];
    };
    let column = |name: &str| table.column(name);
    let (repository, name, category) = (column("Repository"), column("Name"), column("Category"));
    let (severity, interactive) = (column("Severity"), column("Interactive"));
    let (status, summary) = (column("Status"), column("Summary"));
    let owned = |row: &[&str], index| Table::cell(row, index).map(str::to_string);
    table
        .rows
        .iter()
        .filter_map(|row| {
            Some(ZypperPatch {
                name: owned(row, name)?,
                repository: owned(row, repository),
                category: owned(row, category),
                severity: owned(row, severity),
                interactive: owned(row, interactive),
                status: owned(row, status),
                summary: owned(row, summary),
            })
        })
        .collect()
}

/// Parses `zypper patch-info` output for one or several patches.
pub fn parse_patch_info(text: &str) -> Vec<ZypperPatchInfo> {
    let mut patches: Vec<ZypperPatchInfo> = Vec::new();
    let mut in_conflicts = false;
    for line in text.lines() {
        if line.starts_with("Information for patch") {
            patches.push(ZypperPatchInfo::default());
            in_conflicts = false;
            continue;
        }
        let Some(patch) = patches.last_mut() else {
            continue;
        };
        if in_conflicts && line.starts_with([' ', '\t']) {
            if let Some(package) = conflict_package(line) {
                patch.packages.push(package);
            }
            continue;
        }
        in_conflicts = false;
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = Some(value.trim().to_string()).filter(|value| !value.is_empty());
        match key.trim() {
            "Name" => patch.name = value.unwrap_or_default(),
            "Category" => patch.category = value,
            "Severity" => patch.severity = value,
            "Interactive" => patch.interactive = value,
            "Conflicts" => in_conflicts = true,
            _ => {}
        }
    }
    for patch in &mut patches {
        patch.packages.sort();
        patch.packages.dedup();
    }
    patches
}

/// `    glibc.x86_64 < 3-2.1` → `glibc`; `srcpackage:` entries are skipped.
fn conflict_package(line: &str) -> Option<String> {
    let word = line.split_whitespace().next()?;
    if word.contains(':') {
        return None;
    }
    let name = word.rsplit_once('.').map_or(word, |(name, _arch)| name);
    Some(name.to_string())
}

/// The package names that needed security patches fix.
pub fn security_packages(patches: &[ZypperPatchInfo]) -> BTreeSet<String> {
    patches
        .iter()
        .filter(|patch| patch.category.as_deref() == Some("security"))
        .flat_map(|patch| patch.packages.iter().cloned())
        .collect()
}

/// Parses `zypper needs-rebooting`.
pub fn parse_needs_rebooting(text: &str) -> RebootHint {
    let required = if text.contains("Reboot is required") {
        Some(true)
    } else if text.contains("Reboot is probably not necessary") {
        Some(false)
    } else {
        None
    };
    RebootHint { required, packages: vec![] }
}

/// Parses `zypper --xmlout list-updates`: package updates with their
/// repository alias; patch entries are left out.
pub fn parse_xml_list_updates(text: &str) -> Result<Vec<PendingUpdate>, FactsError> {
    let document = parse_xml(text, "`zypper --xmlout list-updates` output")?;
    let mut updates: Vec<PendingUpdate> = document
        .descendants()
        .filter(|node| node.has_tag_name("update"))
        .filter(|node| node.attribute("kind").is_none_or(|kind| kind == "package"))
        .filter_map(|node| {
            let source = node.children().find(|child| child.has_tag_name("source"));
            Some(PendingUpdate {
                name: node.attribute("name")?.to_string(),
                installed_version: node.attribute("edition-old").map(str::to_string),
                candidate_version: node.attribute("edition")?.to_string(),
                arch: node.attribute("arch").map(str::to_string),
                origin: source.and_then(|source| source.attribute("alias")).map(str::to_string),
                security: None,
            })
        })
        .collect();
    updates.sort();
    Ok(updates)
}

/// Parses `zypper --xmlout search -t patch` results.
pub fn parse_xml_search_patches(text: &str) -> Result<Vec<ZypperPatch>, FactsError> {
    let document = parse_xml(text, "`zypper --xmlout search -t patch` output")?;
    Ok(document
        .descendants()
        .filter(|node| node.has_tag_name("solvable"))
        .filter(|node| node.attribute("kind") == Some("patch"))
        .filter_map(|node| {
            let attribute = |name: &str| node.attribute(name).map(str::to_string);
            Some(ZypperPatch {
                name: attribute("name")?,
                status: attribute("status"),
                summary: attribute("summary"),
                ..ZypperPatch::default()
            })
        })
        .collect())
}

fn parse_xml<'a>(text: &'a str, what: &'static str) -> Result<roxmltree::Document<'a>, FactsError> {
    roxmltree::Document::parse(text).map_err(|source| FactsError::Xml { what, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_read_by_header_name() {
        let text = "S | Repository | Name | Current Version | Available Version | Arch\n\
                    --+------------+------+-----------------+-------------------+-----\n\
                    v | Updates    | git  | 2.43.0-1        | 2.43.0-3.1        | x86_64\n";
        let updates = parse_list_updates(text);
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].installed_version.as_deref(), Some("2.43.0-1"));
        assert_eq!(updates[0].origin.as_deref(), Some("Updates"));
        assert!(parse_list_updates("").is_empty());
    }

    #[test]
    fn security_packages_come_from_security_patches_only() {
        let text = "Information for patch a:\nName : a\nCategory : security\nConflicts : [2]\n\
                    \x20   glibc.x86_64 < 3-2.1\n    glibc.i586 < 3-2.1\nSummary : x\n\
                    Information for patch b:\nName : b\nCategory : recommended\nConflicts : [1]\n\
                    \x20   zypper.x86_64 < 1\n";
        let patches = parse_patch_info(text);
        assert_eq!(patches[0].packages, ["glibc"]);
        assert_eq!(security_packages(&patches).into_iter().collect::<Vec<_>>(), ["glibc"]);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(parse_xml_list_updates("<stream><update").is_err());
    }
}
