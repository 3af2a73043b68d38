//! OSV records (<https://ossf.github.io/osv-schema/>) for the Debian, Ubuntu,
//! Alpine, AlmaLinux, Rocky and Red Hat ecosystems.
//!
//! Only `ECOSYSTEM` ranges are used: `SEMVER` and `GIT` ranges describe
//! upstream source, and comparing a distribution's backported package against
//! an upstream version would flag patched hosts. A record whose versions do
//! not parse under its ecosystem's rules is skipped as a whole and reported,
//! rather than half-matched. Entries for ecosystems patchpilot does not match
//! (language packages, non-OS Red Hat products, Ubuntu Livepatch modules)
//! are counted as ignored.

use serde::Deserialize;

use super::affected::{Affected, Range, parse_event};
use super::ecosystem::parse_osv_ecosystem;
use super::feed::{FeedFile, Parsed};
use super::version::Version;
use super::{Advisory, cve_ids, parse_date_prefix};

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    affected: Vec<AffectedEntry>,
}

#[derive(Debug, Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct AffectedEntry {
    package: Option<PackageEntry>,
    #[serde(default)]
    ranges: Vec<RangeEntry>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct RangeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Parses one file holding one OSV record or an array of them.
pub fn parse_file(file: &FeedFile) -> Parsed {
    let mut parsed = Parsed::default();

    // The common case, one well-formed record per file, in one pass.
    if let Ok(record) = serde_json::from_slice::<Record>(&file.bytes) {
        convert(record, &file.name, &mut parsed);
        return parsed;
    }

    let records: Vec<serde_json::Value> = match serde_json::from_slice(&file.bytes) {
        Ok(serde_json::Value::Array(records)) => records,
        Ok(record) => vec![record],
        Err(error) => {
            parsed.skip(&file.name, "(whole file)", format!("invalid JSON: {error}"));
            return parsed;
        }
    };

    for (index, value) in records.into_iter().enumerate() {
        let label = record_label(&value, index);
        match serde_json::from_value::<Record>(value) {
            Ok(record) => convert(record, &file.name, &mut parsed),
            Err(error) => parsed.skip(&file.name, label, format!("not an OSV record: {error}")),
        }
    }
    parsed
}

fn record_label(value: &serde_json::Value, index: usize) -> String {
    value
        .get("id")
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| format!("record #{}", index + 1), str::to_string)
}

fn convert(record: Record, file: &str, parsed: &mut Parsed) {
    let mut affected = Vec::new();
    let mut vectors = cvss_vectors(&record.severity);
    let mut ignored = 0;

    for entry in &record.affected {
        vectors.extend(cvss_vectors(&entry.severity));
        match convert_affected(entry) {
            Ok(Some(entry)) => affected.push(entry),
            Ok(None) => ignored += 1,
            Err(reason) => {
                parsed.skip(file, &record.id, reason);
                return;
            }
        }
    }
    vectors.sort();
    vectors.dedup();

    let ids = record.aliases.iter().chain(&record.related).chain(&record.upstream);
    let modified = record.modified.as_deref().and_then(parse_date_prefix);
    parsed.ignored_entries += ignored;
    parsed.note_date(modified);
    if affected.is_empty() {
        return;
    }
    parsed.advisories.push(Advisory {
        cves: cve_ids(ids.map(String::as_str).chain([record.id.as_str()])),
        vendor_severity: vendor_severity(&record),
        id: record.id,
        source: "osv",
        summary: record.summary,
        cvss_vectors: vectors,
        modified,
        affected,
    });
}

/// `Ok(None)` for an entry of an ecosystem that is not matched.
fn convert_affected(entry: &AffectedEntry) -> Result<Option<Affected>, String> {
    let Some(package) = &entry.package else {
        return Ok(None);
    };
    let Ok(distro) = parse_osv_ecosystem(&package.ecosystem) else {
        return Ok(None);
    };
    if is_livepatch(entry) {
        return Ok(None);
    }
    let scheme = distro.family.scheme();

    let mut ranges = Vec::new();
    for range in entry.ranges.iter().filter(|range| range.kind == "ECOSYSTEM") {
        let mut events = Vec::new();
        for event in &range.events {
            for (kind, value) in event {
                let value =
                    value.as_str().ok_or_else(|| format!("event `{kind}` is not a string"))?;
                let event = parse_event(scheme, kind, value)
                    .map_err(|error| format!("package `{}`: {error}", package.name))?;
                events.extend(event);
            }
        }
        if !events.is_empty() {
            ranges.push(Range::new(events));
        }
    }

    let versions = entry
        .versions
        .iter()
        .map(|version| Version::parse(scheme, version))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("package `{}`: {error}", package.name))?;
    if ranges.is_empty() && versions.is_empty() {
        return Ok(None);
    }

    Ok(Some(Affected {
        distro,
        ecosystem: package.ecosystem.clone(),
        package: package.name.clone(),
        binaries: binaries(entry),
        ranges,
        versions,
    }))
}

/// Ubuntu lists the binary packages built from the source it names.
fn binaries(entry: &AffectedEntry) -> Vec<String> {
    let Some(list) = entry
        .ecosystem_specific
        .as_ref()
        .and_then(|specific| specific.get("binaries"))
        .and_then(serde_json::Value::as_array)
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = list
        .iter()
        .filter_map(|binary| binary.get("binary_name").and_then(serde_json::Value::as_str))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Ubuntu Livepatch notices describe kernel modules, not packages.
fn is_livepatch(entry: &AffectedEntry) -> bool {
    entry
        .ecosystem_specific
        .as_ref()
        .is_some_and(|specific| specific.get("module_name_regex").is_some())
}

fn cvss_vectors(severity: &[SeverityEntry]) -> Vec<String> {
    severity
        .iter()
        .filter(|entry| entry.kind.starts_with("CVSS_V"))
        .map(|entry| entry.score.trim().to_string())
        .collect()
}

/// Ubuntu's priority (`severity` of type `Ubuntu`), or the Red Hat-style
/// `Important: …` prefix of AlmaLinux and Rocky summaries.
fn vendor_severity(record: &Record) -> Option<String> {
    if let Some(entry) = record.severity.iter().find(|entry| entry.kind == "Ubuntu") {
        return Some(entry.score.clone());
    }
    let summary = record.summary.as_deref()?;
    let (prefix, _) = summary.split_once(':')?;
    ["Critical", "Important", "Moderate", "Low"]
        .contains(&prefix.trim())
        .then(|| prefix.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::affected::Verdict;
    use crate::advisory::ecosystem::Family;
    use crate::advisory::version::VersionScheme;

    fn parse(text: &str) -> Parsed {
        parse_file(&FeedFile { name: "t.json".into(), bytes: text.as_bytes().to_vec() })
    }

    #[test]
    fn ubuntu_record_keeps_binaries_and_ignores_upstream_ranges() {
        let parsed = parse(
            r#"{"id": "UBUNTU-CVE-2023-4911", "related": ["CVE-2023-4911", "USN-6409-1"],
                "modified": "2023-10-03T17:00:00Z",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}],
                "affected": [
                  {"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "glibc"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.35-0ubuntu3.4"}]},
                              {"type": "GIT", "events": [{"introduced": "abc"}]}],
                   "ecosystem_specific": {"binaries": [{"binary_name": "libc6", "binary_version": "2.35-0ubuntu3.4"}]}},
                  {"package": {"ecosystem": "PyPI", "name": "glibc"}, "versions": ["1"]}]}"#,
        );
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        assert_eq!(parsed.ignored_entries, 1);
        let advisory = &parsed.advisories[0];
        assert_eq!(advisory.cves, ["CVE-2023-4911"]);
        assert_eq!(advisory.affected[0].distro.family, Family::Ubuntu);
        assert_eq!(advisory.affected[0].binaries, ["libc6"]);
        assert_eq!(advisory.affected[0].ranges.len(), 1);
        let installed = Version::parse(VersionScheme::Dpkg, "2.35-0ubuntu3.1").unwrap();
        assert!(matches!(advisory.affected[0].evaluate(&installed), Verdict::Affected { .. }));
        assert_eq!(parsed.data_date.unwrap().to_string(), "2023-10-03");
    }

    #[test]
    fn record_with_unparsable_version_is_skipped_with_its_id() {
        let parsed = parse(
            r#"[{"id": "ALSA-BAD", "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "x"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": ""}]}]}]},
                {"id": 5}]"#,
        );
        assert!(parsed.advisories.is_empty());
        assert_eq!(parsed.skipped.len(), 2);
        assert_eq!(parsed.skipped[0].record, "ALSA-BAD");
        assert!(parsed.skipped[0].reason.contains("version string is empty"));
        assert_eq!(parsed.skipped[1].record, "record #2");
    }

    #[test]
    fn red_hat_style_summary_gives_vendor_severity() {
        let parsed = parse(
            r#"{"id": "ALSA-2022:4940", "summary": "Important: xz security update",
                "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "xz"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.5-8.el9_0"}]}]}]}"#,
        );
        assert_eq!(parsed.advisories[0].vendor_severity.as_deref(), Some("Important"));
    }
}
