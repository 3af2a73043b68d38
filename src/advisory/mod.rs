//! Advisories: reading vendor feeds, ordering versions exactly, and matching
//! installed packages against them.
//!
//! Every feed format (OSV, the Debian security tracker's DSA/DLA lists,
//! Alpine secdb, Red Hat CSAF) is converted into one model, [`Advisory`] with
//! [`affected::Affected`] entries in OSV's shape, so that matching is written
//! once. Threat intelligence (CISA KEV, EPSS) is read here too because it is
//! keyed by the same CVE identifiers. Feeds are local files only: nothing is
//! fetched at run time.

pub mod affected;
pub mod alpine_secdb;
pub mod csaf;
pub mod debian_tracker;
pub mod ecosystem;
pub mod epss;
pub mod feed;
pub mod index;
pub mod installed;
pub mod kev;
pub mod osv;
pub mod version;

use affected::Affected;

/// One advisory from any feed, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    /// The feed's identifier: `ALSA-2023:5453`, `DSA-5343-1`, `UBUNTU-CVE-2023-4911`.
    pub id: String,
    /// The feed format it came from (`osv`, `debian-security-tracker`, …).
    pub source: &'static str,
    pub summary: Option<String>,
    /// CVE identifiers the advisory covers, sorted and unique.
    pub cves: Vec<String>,
    /// CVSS vectors as published (`CVSS:3.1/AV:N/…`, `CVSS:4.0/…`).
    pub cvss_vectors: Vec<String>,
    /// The vendor's own rating (`Important`, `high`), when it gives one.
    pub vendor_severity: Option<String>,
    /// The newest date the record carries (`modified`, release date).
    pub modified: Option<jiff::civil::Date>,
    pub affected: Vec<Affected>,
}

/// Collects CVE identifiers from any list of ids, sorted and unique.
pub fn cve_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut cves: Vec<String> =
        ids.into_iter().map(str::trim).filter(|id| is_cve_id(id)).map(str::to_string).collect();
    cves.sort();
    cves.dedup();
    cves
}

/// `CVE-YYYY-NNNN…`.
pub fn is_cve_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The date part of an RFC 3339 timestamp or a plain date.
pub fn parse_date_prefix(text: &str) -> Option<jiff::civil::Date> {
    text.get(..10)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_are_filtered_sorted_and_unique() {
        let ids = ["USN-6409-1", "CVE-2023-4911", "CVE-2021-3156", "CVE-2023-4911", "CVE-20-1"];
        assert_eq!(cve_ids(ids), ["CVE-2021-3156", "CVE-2023-4911"]);
    }

    #[test]
    fn dates_are_read_from_timestamps() {
        assert_eq!(parse_date_prefix("2023-03-07T17:32:20Z").unwrap().to_string(), "2023-03-07");
        assert_eq!(parse_date_prefix("2023-03"), None);
    }
}
