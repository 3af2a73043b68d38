//! The Debian security tracker's advisory lists (`data/DSA/list`,
//! `data/DLA/list`): the source from which Debian's OSV records are made.
//!
//! An entry is a header line `[29 Mar 2023] DSA-5380-1 xorg-server - security
//! update`, then tab-indented lines: `{CVE-… CVE-…}`, `[bullseye] - pkg
//! 2:1.20.11-1+deb11u6` (fixed in that release), or `[lenny] - pkg
//! <not-affected> (reason)`, and free `NOTE:` lines. Fixed versions are
//! Debian's own, so a backported fix such as `1.1.1n-0+deb11u4` is matched
//! exactly and never confused with an upstream release.

use jiff::civil::Date;

use super::affected::{Affected, Event, Range};
use super::ecosystem::{Distro, Family, debian_release_of_codename};
use super::feed::{FeedFile, Parsed};
use super::version::{Version, VersionScheme};
use super::{Advisory, cve_ids};

/// Whether text starts like a DSA/DLA/DTSA list.
pub fn looks_like_list(head: &str) -> bool {
    head.lines().find(|line| !line.trim().is_empty()).is_some_and(|line| {
        line.starts_with('[')
            && ["] DSA-", "] DLA-", "] DTSA-"].iter().any(|marker| line.contains(marker))
    })
}

/// One entry being read.
struct Entry {
    line: usize,
    id: String,
    summary: String,
    date: Date,
    cves: Vec<String>,
    affected: Vec<Affected>,
    error: Option<String>,
    ignored: usize,
}

pub fn parse_file(file: &FeedFile) -> Parsed {
    let mut parsed = Parsed::default();
    let text = String::from_utf8_lossy(&file.bytes);
    let mut current: Option<Entry> = None;

    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.starts_with('[') {
            finish(current.take(), &file.name, &mut parsed);
            match parse_header(line, number) {
                Ok(entry) => current = Some(entry),
                Err(reason) => parsed.skip(&file.name, format!("line {number}"), reason),
            }
            continue;
        }
        let Some(entry) = current.as_mut() else {
            continue;
        };
        let body = line.trim();
        if let Some(list) = body.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            entry.cves.extend(cve_ids(list.split_whitespace()));
        } else if body.starts_with('[') {
            read_release_line(entry, body);
        }
    }
    finish(current, &file.name, &mut parsed);
    parsed
}

fn parse_header(line: &str, number: usize) -> Result<Entry, String> {
    let (date, rest) = line[1..].split_once(']').ok_or("header has no closing `]`")?;
    let date = jiff::fmt::strtime::parse("%d %b %Y", date.trim())
        .and_then(|time| time.to_date())
        .map_err(|_| format!("date `{date}` is not `DD Mon YYYY`"))?;
    let mut words = rest.split_whitespace();
    let id = words.next().ok_or("header has no advisory id")?.to_string();
    let summary = rest.split_once(" - ").map(|(_, summary)| summary.trim().to_string());
    Ok(Entry {
        line: number,
        summary: summary.unwrap_or_default(),
        id,
        date,
        cves: Vec::new(),
        affected: Vec::new(),
        error: None,
        ignored: 0,
    })
}

/// `[bullseye] - openssl 1.1.1n-0+deb11u4` or `[lenny] - vlc <not-affected> (…)`.
fn read_release_line(entry: &mut Entry, body: &str) {
    let Some((codename, rest)) = body[1..].split_once(']') else {
        return;
    };
    let mut words = rest.trim_start().trim_start_matches('-').split_whitespace();
    let (Some(package), Some(version)) = (words.next(), words.next()) else {
        entry.error.get_or_insert_with(|| format!("release line `{body}` names no version"));
        return;
    };
    let Some(release) = debian_release_of_codename(codename) else {
        entry.ignored += 1;
        return;
    };

    let events = match version {
        "<not-affected>" | "<end-of-life>" | "<ignored>" | "<postponed>" => {
            entry.ignored += 1;
            return;
        }
        "<unfixed>" => vec![Event::Introduced(None)],
        version => match Version::parse(VersionScheme::Dpkg, version) {
            Ok(fixed) => vec![Event::Introduced(None), Event::Fixed(fixed)],
            Err(error) => {
                entry.error.get_or_insert_with(|| format!("package `{package}`: {error}"));
                return;
            }
        },
    };
    entry.affected.push(Affected {
        distro: Distro::new(Family::Debian, release),
        ecosystem: format!("Debian:{release}"),
        package: package.to_string(),
        binaries: Vec::new(),
        ranges: vec![Range::new(events)],
        versions: Vec::new(),
    });
}

fn finish(entry: Option<Entry>, file: &str, parsed: &mut Parsed) {
    let Some(entry) = entry else {
        return;
    };
    parsed.note_date(Some(entry.date));
    if let Some(reason) = entry.error {
        parsed.skip(file, format!("{} (line {})", entry.id, entry.line), reason);
        return;
    }
    parsed.ignored_entries += entry.ignored;
    if entry.affected.is_empty() {
        return;
    }
    let mut cves = entry.cves;
    cves.sort();
    cves.dedup();
    parsed.advisories.push(Advisory {
        id: entry.id,
        source: "debian-security-tracker",
        summary: Some(entry.summary).filter(|summary| !summary.is_empty()),
        cves,
        cvss_vectors: Vec::new(),
        vendor_severity: None,
        modified: Some(entry.date),
        affected: entry.affected,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "[07 Feb 2023] DSA-5343-1 openssl - security update
\t{CVE-2022-4304 CVE-2022-4450 CVE-2023-0215 CVE-2023-0286}
\t[bullseye] - openssl 1.1.1n-0+deb11u4
[20 Jan 2006] DSA-950-1 cupsys - buffer overflows
\t{CVE-2005-3191}
\t[woody] - cupsys <not-affected> (Vulnerable code not present)
\t[sarge] - cupsys 1.1.23-10sarge1
[xx Foo 2023] DSA-1-1 broken - header
[01 Jan 2020] DSA-2-1 broken - version
\t[buster] - broken 1.0-
";

    fn parse(text: &str) -> Parsed {
        parse_file(&FeedFile { name: "DSA/list".into(), bytes: text.as_bytes().to_vec() })
    }

    #[test]
    fn entries_become_advisories_per_release() {
        let parsed = parse(SAMPLE);
        assert_eq!(parsed.advisories.len(), 2);
        let openssl = &parsed.advisories[0];
        assert_eq!(openssl.id, "DSA-5343-1");
        assert_eq!(openssl.cves.len(), 4);
        assert_eq!(openssl.affected[0].distro, Distro::new(Family::Debian, "11"));
        assert_eq!(parsed.advisories[1].affected.len(), 1);
        assert_eq!(parsed.ignored_entries, 1);
        assert_eq!(parsed.data_date.unwrap().to_string(), "2023-02-07");
    }

    #[test]
    fn malformed_entries_are_skipped_and_named() {
        let parsed = parse(SAMPLE);
        assert_eq!(parsed.skipped.len(), 2);
        assert_eq!(parsed.skipped[0].record, "line 8");
        assert!(parsed.skipped[1].record.starts_with("DSA-2-1"));
        assert!(parsed.skipped[1].reason.contains("revision number is empty"));
    }
}
