//! Alpine: installed packages from `/lib/apk/db/installed` (or `apk list
//! --installed`) and pending updates from `apk list --upgradable` or `apk
//! version -l '<'`.
//!
//! The database is preferred because it is a plain file every apk-tools
//! version writes, and it names each package's origin (source) package
//! (`o:`), which Alpine's security database is keyed on. apk cannot tell
//! security updates apart, so `security` stays `None`.

use crate::artifact::inventory::{Package, PendingUpdate};

/// Parses `/lib/apk/db/installed` (whole, or filtered to its `P:`, `V:`,
/// `A:` and `o:` lines): one blank-line-separated block per package.
pub fn parse_apk_database(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    let mut current = Package::default();
    for line in text.lines().chain(std::iter::once("")) {
        let Some((key, value)) = line.split_once(':').filter(|(key, _)| key.len() == 1) else {
            if line.trim().is_empty() && !current.name.is_empty() {
                packages.push(finish(std::mem::take(&mut current)));
            }
            continue;
        };
        match key {
            "P" => current.name = value.to_string(),
            "V" => current.version = value.to_string(),
            "A" => current.arch = value.to_string(),
            "o" => current.source_name = Some(value.to_string()),
            _ => {}
        }
    }
    packages.sort();
    packages
}

fn finish(mut package: Package) -> Package {
    if package.source_name.as_deref() == Some(package.name.as_str()) {
        package.source_name = None;
    }
    package
}

/// Parses `apk list --installed`:
/// `NAME-VERSION ARCH {ORIGIN} (LICENSE) [installed]`.
pub fn parse_apk_list_installed(text: &str) -> Vec<Package> {
    let mut packages: Vec<Package> = text
        .lines()
        .filter(|line| line.ends_with("[installed]"))
        .filter_map(|line| {
            let entry = ListEntry::parse(line)?;
            Some(finish(Package {
                name: entry.name.to_string(),
                version: entry.version.to_string(),
                arch: entry.arch.to_string(),
                source_name: Some(entry.origin.to_string()),
                source_version: None,
            }))
        })
        .collect();
    packages.sort();
    packages
}

/// Parses `apk list --upgradable`:
/// `NAME-NEWVERSION ARCH {ORIGIN} (LICENSE) [upgradable from: NAME-OLDVERSION]`.
pub fn parse_apk_list_upgradable(text: &str) -> Vec<PendingUpdate> {
    let mut updates: Vec<PendingUpdate> = text
        .lines()
        .filter_map(|line| {
            let entry = ListEntry::parse(line)?;
            let from = line.split_once("[upgradable from: ")?.1.trim_end_matches(']');
            let (_, installed) = split_name_version(from.trim())?;
            Some(PendingUpdate {
                name: entry.name.to_string(),
                installed_version: Some(installed.to_string()),
                candidate_version: entry.version.to_string(),
                arch: Some(entry.arch.to_string()),
                origin: None,
                security: None,
            })
        })
        .collect();
    updates.sort();
    updates
}

/// Parses `apk version [-l '<']`: `NAME-INSTALLED < AVAILABLE` rows; rows
/// whose relation is not `<` are up to date (or newer) and left out.
pub fn parse_apk_version(text: &str) -> Vec<PendingUpdate> {
    let mut updates: Vec<PendingUpdate> = text
        .lines()
        .filter_map(|line| {
            let [installed, relation, available] = line.split_whitespace().collect::<Vec<_>>()[..]
            else {
                return None;
            };
            if relation != "<" {
                return None;
            }
            let (name, installed) = split_name_version(installed)?;
            Some(PendingUpdate {
                name: name.to_string(),
                installed_version: Some(installed.to_string()),
                candidate_version: available.to_string(),
                arch: None,
                origin: None,
                security: None,
            })
        })
        .collect();
    updates.sort();
    updates
}

/// The leading fields of an `apk list` line.
struct ListEntry<'a> {
    name: &'a str,
    version: &'a str,
    arch: &'a str,
    origin: &'a str,
}

impl<'a> ListEntry<'a> {
    fn parse(line: &'a str) -> Option<Self> {
        let mut words = line.split_whitespace();
        let (name, version) = split_name_version(words.next()?)?;
        let arch = words.next()?;
        let origin = words.next()?.strip_prefix('{')?.strip_suffix('}')?;
        Some(ListEntry { name, version, arch, origin })
    }
}

/// `busybox-binsh-1.36.1-r29` → (`busybox-binsh`, `1.36.1-r29`): the
/// version is the last two dash-separated parts, the first starting with a
/// digit and the second being the `rN` package release.
pub fn split_name_version(text: &str) -> Option<(&str, &str)> {
    let (rest, release) = text.rsplit_once('-')?;
    let (name, _) = rest.rsplit_once('-')?;
    let version = &text[name.len() + 1..];
    let is_version = release.starts_with('r') && version.starts_with(|c: char| c.is_ascii_digit());
    (is_version && !name.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_dashes_and_digits_split() {
        assert_eq!(
            split_name_version("libcrypto1.0-1.0.1q-r0"),
            Some(("libcrypto1.0", "1.0.1q-r0"))
        );
        assert_eq!(
            split_name_version("ca-certificates-bundle-20240226-r0"),
            Some(("ca-certificates-bundle", "20240226-r0"))
        );
        assert_eq!(split_name_version("WARNING: opening"), None);
    }

    #[test]
    fn database_blocks_without_trailing_blank_line() {
        let packages = parse_apk_database(
            "P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\nP:b\nV:1-r0\nA:x86_64\no:src",
        );
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].source_name.as_deref(), Some("src"));
        assert_eq!(packages[1].source_name, None);
    }
}
