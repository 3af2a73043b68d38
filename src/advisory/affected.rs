//! What an advisory says about one package in one release, and whether a
//! given installed version falls inside it.
//!
//! This is OSV's model, which every feed is converted into: ranges of
//! `introduced` / `fixed` / `last_affected` events in the ecosystem's own
//! version order, plus an optional list of exactly affected versions. Events
//! are parsed and sorted once when a feed is loaded so that matching a host
//! only walks a short sorted list.

use std::cmp::Ordering;

use super::ecosystem::Distro;
use super::version::{Version, VersionError, VersionScheme};

/// One point in a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Vulnerable from this version on; `None` is OSV's `"0"`, the beginning.
    Introduced(Option<Version>),
    /// No longer vulnerable from this version on.
    Fixed(Version),
    /// Vulnerable up to and including this version; later ones are not.
    LastAffected(Version),
}

impl Event {
    fn version(&self) -> Option<&Version> {
        match self {
            Event::Introduced(version) => version.as_ref(),
            Event::Fixed(version) | Event::LastAffected(version) => Some(version),
        }
    }

    /// Among events at the same version a fix comes before a
    /// re-introduction, so `fixed X, introduced X` leaves X vulnerable.
    fn tie_rank(&self) -> u8 {
        match self {
            Event::Fixed(_) => 0,
            Event::LastAffected(_) => 1,
            Event::Introduced(_) => 2,
        }
    }
}

/// A sorted list of events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    events: Vec<Event>,
}

/// The result of placing an installed version against an advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Below every introduced version, or in no range at all.
    NotAffected,
    /// Inside a range; `fixed` is the first fixed version above it, if any.
    Affected { fixed: Option<&'a Version> },
    /// At or past the distribution's fixed version (or past the last
    /// affected one). Wins over any other entry's `Affected`, so a backported
    /// fix is never reported.
    Patched,
}

impl Range {
    /// Sorts the events by version; `Introduced(None)` sorts first.
    pub fn new(mut events: Vec<Event>) -> Self {
        events.sort_by(|a, b| match (a.version(), b.version()) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y).then(a.tie_rank().cmp(&b.tie_rank())),
        });
        Range { events }
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Walks the sorted events up to the installed version; the last event
    /// passed decides.
    pub fn evaluate(&self, installed: &Version) -> Verdict<'_> {
        let mut verdict = Verdict::NotAffected;
        for (index, event) in self.events.iter().enumerate() {
            match event {
                Event::Introduced(None) => {
                    verdict = Verdict::Affected { fixed: self.next_fix(index) };
                }
                Event::Introduced(Some(version)) if installed.compare(version).is_ge() => {
                    verdict = Verdict::Affected { fixed: self.next_fix(index) };
                }
                Event::Fixed(version) if installed.compare(version).is_ge() => {
                    verdict = Verdict::Patched;
                }
                Event::LastAffected(version) if installed.compare(version).is_gt() => {
                    verdict = Verdict::Patched;
                }
                Event::LastAffected(_) => {}
                _ => break,
            }
        }
        verdict
    }

    /// The fixed version that closes the range opened at `index`.
    fn next_fix(&self, index: usize) -> Option<&Version> {
        self.events[index + 1..]
            .iter()
            .take_while(|event| !matches!(event, Event::Introduced(_)))
            .find_map(|event| match event {
                Event::Fixed(version) => Some(version),
                _ => None,
            })
    }
}

/// One package in one release, as an advisory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub distro: Distro,
    /// The ecosystem exactly as the feed wrote it, for the artifact.
    pub ecosystem: String,
    /// The package as the advisory names it: a source package for Debian,
    /// Ubuntu and Alpine, a binary rpm for the Red Hat family.
    pub package: String,
    /// Binary packages built from `package`, where the feed lists them.
    pub binaries: Vec<String>,
    pub ranges: Vec<Range>,
    /// Versions listed as affected one by one.
    pub versions: Vec<Version>,
}

impl Affected {
    /// Places the installed version: `Patched` if any range says so,
    /// otherwise `Affected` if any range or the version list says so.
    pub fn evaluate(&self, installed: &Version) -> Verdict<'_> {
        let mut affected: Option<Option<&Version>> = None;
        for range in &self.ranges {
            match range.evaluate(installed) {
                Verdict::Patched => return Verdict::Patched,
                Verdict::Affected { fixed } => {
                    affected = Some(lowest(affected.flatten(), fixed));
                }
                Verdict::NotAffected => {}
            }
        }
        if affected.is_none() && self.versions.iter().any(|v| v.compare(installed).is_eq()) {
            affected = Some(self.first_fix_above(installed));
        }
        match affected {
            Some(fixed) => Verdict::Affected { fixed },
            None => Verdict::NotAffected,
        }
    }

    fn first_fix_above(&self, installed: &Version) -> Option<&Version> {
        self.ranges
            .iter()
            .flat_map(Range::events)
            .filter_map(|event| match event {
                Event::Fixed(version) if version.compare(installed).is_gt() => Some(version),
                _ => None,
            })
            .min_by(|a, b| a.compare(b))
    }
}

/// The lower of two optional fixed versions; a known fix beats none.
pub fn lowest<'a>(a: Option<&'a Version>, b: Option<&'a Version>) -> Option<&'a Version> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.compare(a).is_lt() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Builds an event from OSV's key and value, parsing the version.
pub fn parse_event(
    scheme: VersionScheme,
    kind: &str,
    value: &str,
) -> Result<Option<Event>, VersionError> {
    let event = match kind {
        "introduced" if value == "0" => Event::Introduced(None),
        "introduced" => Event::Introduced(Some(Version::parse(scheme, value)?)),
        "fixed" => Event::Fixed(Version::parse(scheme, value)?),
        "last_affected" => Event::LastAffected(Version::parse(scheme, value)?),
        _ => return Ok(None),
    };
    Ok(Some(event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::ecosystem::Family;

    fn dpkg(text: &str) -> Version {
        Version::parse(VersionScheme::Dpkg, text).unwrap()
    }

    fn range(events: &[(&str, &str)]) -> Range {
        Range::new(
            events
                .iter()
                .map(|(kind, value)| {
                    parse_event(VersionScheme::Dpkg, kind, value).unwrap().unwrap()
                })
                .collect(),
        )
    }

    #[test]
    fn introduced_fixed_range_brackets_versions() {
        let range = range(&[("fixed", "1.0-2"), ("introduced", "0")]);
        assert!(matches!(range.evaluate(&dpkg("1.0-1")), Verdict::Affected { fixed: Some(_) }));
        assert_eq!(range.evaluate(&dpkg("1.0-2")), Verdict::Patched);
        assert_eq!(range.evaluate(&dpkg("1.1-1")), Verdict::Patched);
    }

    #[test]
    fn last_affected_is_inclusive_and_introduced_is_a_floor() {
        let range = range(&[("introduced", "2.0"), ("last_affected", "2.5")]);
        assert_eq!(range.evaluate(&dpkg("1.9")), Verdict::NotAffected);
        assert_eq!(range.evaluate(&dpkg("2.5")), Verdict::Affected { fixed: None });
        assert_eq!(range.evaluate(&dpkg("2.6")), Verdict::Patched);
    }

    #[test]
    fn a_regression_reopens_the_range() {
        let range = range(&[("introduced", "0"), ("fixed", "1.2"), ("introduced", "1.5")]);
        assert_eq!(range.evaluate(&dpkg("1.3")), Verdict::Patched);
        assert_eq!(range.evaluate(&dpkg("1.6")), Verdict::Affected { fixed: None });
    }

    #[test]
    fn explicit_versions_list_marks_versions_outside_ranges() {
        let affected = Affected {
            distro: Distro::new(Family::Ubuntu, "22.04"),
            ecosystem: "Ubuntu:22.04:LTS".into(),
            package: "glibc".into(),
            binaries: vec![],
            ranges: vec![],
            versions: vec![dpkg("2.35-0ubuntu3.1")],
        };
        assert_eq!(affected.evaluate(&dpkg("2.35-0ubuntu3.1")), Verdict::Affected { fixed: None });
        assert_eq!(affected.evaluate(&dpkg("2.35-0ubuntu3.4")), Verdict::NotAffected);
    }
}
