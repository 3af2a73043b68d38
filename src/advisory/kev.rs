//! CISA's Known Exploited Vulnerabilities catalog
//! (`known_exploited_vulnerabilities.json`).
//!
//! A KEV listing is the strongest signal a finding can carry: the flaw is
//! being exploited now. Entries are read one by one so a single malformed
//! entry is skipped and reported instead of losing the whole catalog.

use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use super::feed::{FeedError, Parsed, read_file};
use super::is_cve_id;
use crate::artifact::assessment::{FeedSource, SkippedRecord};

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    pub cve: String,
    pub date_added: Date,
    pub due_date: Date,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub known_ransomware_use: bool,
}

/// The catalog indexed by CVE.
#[derive(Debug, Default)]
pub struct KevCatalog {
    pub entries: HashMap<String, KevEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevFile {
    #[serde(default)]
    catalog_version: Option<String>,
    #[serde(default)]
    date_released: Option<String>,
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// Reads the catalog; returns it with its provenance and skipped entries.
pub fn load(path: &Path) -> Result<(KevCatalog, FeedSource, Vec<SkippedRecord>), FeedError> {
    let (bytes, sha256) = read_file(path)?;
    let name = path.display().to_string();
    let catalog: KevFile = serde_json::from_slice(&bytes).map_err(|error| FeedError::Format {
        path: path.to_path_buf(),
        format: "CISA KEV",
        message: error.to_string(),
    })?;

    let mut parsed = Parsed::default();
    let mut kev = KevCatalog::default();
    for (index, value) in catalog.vulnerabilities.into_iter().enumerate() {
        match read_entry(value) {
            Ok(entry) => {
                kev.entries.insert(entry.cve.clone(), entry);
            }
            Err((label, reason)) => {
                parsed.skip(
                    &name,
                    label.unwrap_or_else(|| format!("entry #{}", index + 1)),
                    reason,
                );
            }
        }
    }

    let source = FeedSource {
        kind: "kev".into(),
        path: name,
        sha256,
        data_date: catalog
            .date_released
            .as_deref()
            .and_then(super::parse_date_prefix)
            .map(|date| date.to_string()),
        records: kev.entries.len(),
        skipped: parsed.skipped.len(),
        ignored_entries: 0,
    };
    tracing::debug!(version = ?catalog.catalog_version, entries = kev.entries.len(), "KEV catalog read");
    Ok((kev, source, parsed.skipped))
}

fn read_entry(value: serde_json::Value) -> Result<KevEntry, (Option<String>, String)> {
    let label = value.get("cveID").and_then(serde_json::Value::as_str).map(str::to_string);
    let entry: Entry =
        serde_json::from_value(value).map_err(|error| (label.clone(), error.to_string()))?;
    if !is_cve_id(&entry.cve_id) {
        return Err((label, format!("`{}` is not a CVE id", entry.cve_id)));
    }
    let date = |text: &str, field: &str| {
        text.parse::<Date>()
            .map_err(|_| (label.clone(), format!("{field} `{text}` is not a YYYY-MM-DD date")))
    };
    Ok(KevEntry {
        date_added: date(&entry.date_added, "dateAdded")?,
        due_date: date(&entry.due_date, "dueDate")?,
        known_ransomware_use: entry.known_ransomware_campaign_use.as_deref() == Some("Known"),
        cve: entry.cve_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_entries_are_skipped_and_good_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kev.json");
        std::fs::write(
            &path,
            r#"{"catalogVersion": "1", "dateReleased": "2025-08-25T17:04:19.9796Z", "vulnerabilities": [
                {"cveID": "CVE-2021-4034", "dateAdded": "2022-06-27", "dueDate": "2022-07-18",
                 "knownRansomwareCampaignUse": "Known"},
                {"cveID": "CVE-2021-3156", "dateAdded": "yesterday", "dueDate": "2022-04-27"},
                {"dateAdded": "2022-06-27"}]}"#,
        )
        .unwrap();
        let (kev, source, skipped) = load(&path).unwrap();
        assert!(kev.entries["CVE-2021-4034"].known_ransomware_use);
        assert_eq!(source.data_date.as_deref(), Some("2025-08-25"));
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].record, "CVE-2021-3156");
        assert_eq!(skipped[1].record, "entry #3");
    }
}
