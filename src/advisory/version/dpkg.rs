//! dpkg version ordering: `[epoch:]upstream[-revision]`.
//!
//! Written here rather than taken from the `debversion` crate because that
//! crate treats a missing digit run as smaller than `0`, so it orders `1.0a`
//! below `1.0a0` where dpkg calls them equal (see the regression test below);
//! the property test in `tests/version_differential.rs` holds this module to
//! the real `dpkg --compare-versions`.
//!
//! The rules follow dpkg's own parser and `verrevcmp`: the epoch is a decimal
//! number before the first colon, the revision is everything after the last
//! hyphen, and the two strings are compared in alternating runs of non-digits
//! (where `~` sorts before everything, even the end of the string, and letters
//! sort before other characters) and digits (compared as numbers).

use std::cmp::Ordering;
use std::fmt;

use super::{VersionError, VersionScheme};

/// A parsed dpkg version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion {
    epoch: u32,
    upstream: String,
    revision: String,
    /// Whether the epoch was written out, to print the version as given.
    explicit_epoch: bool,
}

impl DpkgVersion {
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = |reason| VersionError {
            version: text.to_string(),
            scheme: VersionScheme::Dpkg,
            reason,
        };

        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("version string is empty"));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(error("version string has embedded spaces"));
        }

        let (epoch, explicit_epoch, rest) = match trimmed.split_once(':') {
            Some((epoch, rest)) => (parse_epoch(epoch).map_err(error)?, true, rest),
            None => (0, false, trimmed),
        };

        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(error("revision number is empty")),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(error("version number is empty"));
        }

        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
            explicit_epoch,
        })
    }

    pub fn compare(&self, other: &DpkgVersion) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| compare_part(&self.upstream, &other.upstream))
            .then_with(|| compare_part(&self.revision, &other.revision))
    }
}

fn parse_epoch(epoch: &str) -> Result<u32, &'static str> {
    if epoch.is_empty() {
        return Err("epoch in version is empty");
    }
    if !epoch.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("epoch in version is not number");
    }
    epoch
        .parse::<u32>()
        .ok()
        .filter(|value| i32::try_from(*value).is_ok())
        .ok_or("epoch in version is too big")
}

/// Weight of one byte in a non-digit run: `~` first, then the end of the
/// string (and digits, which end the run), then letters, then the rest.
fn weight(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(b'~') => -1,
        Some(byte) if byte.is_ascii_digit() => 0,
        Some(byte) if byte.is_ascii_alphabetic() => i32::from(byte),
        Some(byte) => i32::from(byte) + 256,
    }
}

/// dpkg's `verrevcmp` over an upstream version or a revision.
fn compare_part(left: &str, right: &str) -> Ordering {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    let (mut i, mut j) = (0, 0);

    while i < left.len() || j < right.len() {
        // The non-digit run, byte by byte.
        while (i < left.len() && !left[i].is_ascii_digit())
            || (j < right.len() && !right[j].is_ascii_digit())
        {
            let (a, b) = (weight(left.get(i).copied()), weight(right.get(j).copied()));
            if a != b {
                return a.cmp(&b);
            }
            i += 1;
            j += 1;
        }

        // The digit run, as a number of any length: skip leading zeros,
        // then the longer run wins, then the first differing digit.
        while left.get(i) == Some(&b'0') {
            i += 1;
        }
        while right.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_difference = Ordering::Equal;
        while i < left.len()
            && j < right.len()
            && left[i].is_ascii_digit()
            && right[j].is_ascii_digit()
        {
            if first_difference == Ordering::Equal {
                first_difference = left[i].cmp(&right[j]);
            }
            i += 1;
            j += 1;
        }
        if left.get(i).is_some_and(u8::is_ascii_digit) {
            return Ordering::Greater;
        }
        if right.get(j).is_some_and(u8::is_ascii_digit) {
            return Ordering::Less;
        }
        if first_difference != Ordering::Equal {
            return first_difference;
        }
    }
    Ordering::Equal
}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.explicit_epoch {
            write!(formatter, "{}:", self.epoch)?;
        }
        formatter.write_str(&self.upstream)?;
        if !self.revision.is_empty() {
            write!(formatter, "-{}", self.revision)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a).unwrap().compare(&DpkgVersion::parse(b).unwrap())
    }

    #[test]
    fn tilde_sorts_before_everything_even_the_end() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~rc1-1", "1.0~rc1"), Ordering::Greater);
    }

    #[test]
    fn epoch_beats_everything_and_zero_epoch_equals_none() {
        assert_eq!(cmp("1:1.0", "2.0"), Ordering::Greater);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Ordering::Equal);
    }

    /// Regression: the `debversion` crate orders `1.0a` below `1.0a0`; dpkg
    /// treats an empty digit run as zero and calls them equal.
    #[test]
    fn empty_digit_run_counts_as_zero() {
        assert_eq!(cmp("1.0a", "1.0a0"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Equal);
    }

    #[test]
    fn debian_security_suffixes_order_as_published() {
        assert_eq!(cmp("1.1.1n-0+deb11u4", "1.1.1n-0+deb11u3"), Ordering::Greater);
        assert_eq!(cmp("1.1.1n-0+deb11u4", "1.1.1t-1"), Ordering::Less);
        assert_eq!(cmp("2.4.56-1~deb11u1", "2.4.56-1"), Ordering::Less);
        assert_eq!(cmp("1:8.9p1-3ubuntu0.10", "1:8.9p1-3ubuntu0.4"), Ordering::Greater);
    }

    #[test]
    fn revision_is_after_the_last_hyphen() {
        let version = DpkgVersion::parse("1:2.0-beta-3").unwrap();
        assert_eq!((version.upstream.as_str(), version.revision.as_str()), ("2.0-beta", "3"));
        assert_eq!(version.to_string(), "1:2.0-beta-3");
    }

    #[test]
    fn malformed_versions_are_rejected_with_dpkg_reasons() {
        assert_eq!(DpkgVersion::parse("").unwrap_err().reason, "version string is empty");
        assert_eq!(DpkgVersion::parse("a:1").unwrap_err().reason, "epoch in version is not number");
        assert_eq!(DpkgVersion::parse("1.0-").unwrap_err().reason, "revision number is empty");
        assert_eq!(
            DpkgVersion::parse("1 0").unwrap_err().reason,
            "version string has embedded spaces"
        );
    }
}
