//! EPSS scores (FIRST's Exploit Prediction Scoring System) as CSV.
//!
//! The official daily file starts with a `#model_version:…,score_date:…`
//! comment line before the `cve,epss,percentile` header; mirrors and subsets
//! often drop it. Both are accepted. The data date is the comment's
//! `score_date`, or else a `YYYY-MM-DD` in the file name.

use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;

use super::feed::{FeedError, Parsed, read_file};
use super::is_cve_id;
use crate::artifact::assessment::{FeedSource, SkippedRecord};

/// One CVE's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpssEntry {
    pub score: f64,
    pub percentile: f64,
}

/// Scores by CVE.
#[derive(Debug, Default)]
pub struct EpssScores {
    pub entries: HashMap<String, EpssEntry>,
    pub model_version: Option<String>,
}

pub fn load(path: &Path) -> Result<(EpssScores, FeedSource, Vec<SkippedRecord>), FeedError> {
    let (bytes, sha256) = read_file(path)?;
    let name = path.display().to_string();
    let text = String::from_utf8_lossy(&bytes);
    let (scores, data_date, parsed) = parse(&text, &name);

    let data_date = data_date.or_else(|| date_in_name(path));
    if scores.entries.is_empty() {
        return Err(FeedError::Format {
            path: path.to_path_buf(),
            format: "EPSS CSV",
            message: "no `cve,epss,percentile` rows".into(),
        });
    }
    let source = FeedSource {
        kind: "epss".into(),
        path: name,
        sha256,
        data_date: data_date.map(|date| date.to_string()),
        records: scores.entries.len(),
        skipped: parsed.skipped.len(),
        ignored_entries: 0,
    };
    Ok((scores, source, parsed.skipped))
}

fn parse(text: &str, name: &str) -> (EpssScores, Option<Date>, Parsed) {
    let mut scores = EpssScores::default();
    let mut parsed = Parsed::default();
    let mut data_date = None;
    let mut header_seen = false;

    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            for pair in comment.split(',') {
                match pair.split_once(':') {
                    Some(("model_version", version)) => scores.model_version = Some(version.into()),
                    Some(("score_date", date)) => data_date = super::parse_date_prefix(date),
                    _ => {}
                }
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if !header_seen && line.starts_with("cve,") {
            header_seen = true;
            continue;
        }
        match parse_row(line) {
            Ok((cve, entry)) => {
                scores.entries.insert(cve, entry);
            }
            Err(reason) => parsed.skip(name, format!("line {}", index + 1), reason),
        }
    }
    (scores, data_date, parsed)
}

fn parse_row(line: &str) -> Result<(String, EpssEntry), String> {
    let mut fields = line.split(',').map(str::trim);
    let (Some(cve), Some(score), Some(percentile)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(format!("`{line}` does not have three fields"));
    };
    if !is_cve_id(cve) {
        return Err(format!("`{cve}` is not a CVE id"));
    }
    let probability = |text: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|value| (0.0..=1.0).contains(value))
            .ok_or_else(|| format!("`{text}` is not a number between 0 and 1"))
    };
    let entry = EpssEntry { score: probability(score)?, percentile: probability(percentile)? };
    Ok((cve.to_string(), entry))
}

/// `epss_scores-2025-08-25.csv` → 2025-08-25.
fn date_in_name(path: &Path) -> Option<Date> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    (0..name.len().saturating_sub(9)).find_map(|start| name.get(start..start + 10)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_format_with_model_version_line() {
        let text = "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\nCVE-1999-0001,0.0142,0.79763\n";
        let (scores, date, parsed) = parse(text, "epss.csv");
        assert_eq!(scores.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(date.unwrap().to_string(), "2025-08-25");
        assert!((scores.entries["CVE-1999-0001"].score - 0.0142).abs() < 1e-12);
        assert!(parsed.skipped.is_empty());
    }

    #[test]
    fn subset_without_comment_and_bad_rows() {
        let text = "cve,epss,percentile\nCVE-1999-0710,0.116000000,0.956640000\nCVE-X,1,1\nCVE-2000-0001,1.5,0.2\n";
        let (scores, date, parsed) = parse(text, "epss.csv");
        assert_eq!(scores.entries.len(), 1);
        assert_eq!(date, None);
        assert_eq!(parsed.skipped.len(), 2);
        assert_eq!(parsed.skipped[0].record, "line 3");
    }

    #[test]
    fn date_comes_from_the_file_name_when_absent() {
        let date = date_in_name(Path::new("/x/epss_subset-2026-08-16.csv")).unwrap();
        assert_eq!(date.to_string(), "2026-08-16");
    }
}
