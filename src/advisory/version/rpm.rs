//! rpm version ordering: `[epoch:]version[-release]`, compared with rpmvercmp.
//!
//! The segment comparison (alternating alphabetic and numeric runs, `~` sorts
//! before everything, `^` after the base version but before any other suffix)
//! comes from the `rpm-version` crate; `tests/version_differential.rs` holds it
//! to rpm 4.18's own `rpm.ver` comparison. Splitting the string is done here
//! the way rpm's `parseEVR` does it, which the crate does not: the epoch is
//! only a run of digits before a colon, and the release starts after the
//! *last* hyphen. When epoch and version tie, a version with a release sorts
//! above one without (`1.0` < `1.0-~`), as `rpm.ver` in rpm 4.18 does.

use std::cmp::Ordering;
use std::fmt;

use rpm_version::Evr;

use super::{VersionError, VersionScheme};

/// A parsed rpm EVR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmVersion {
    /// Empty when not written; rpm treats that as `0`.
    epoch: String,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error =
            |reason| VersionError { version: text.to_string(), scheme: VersionScheme::Rpm, reason };

        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("version string is empty"));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(error("version string has embedded spaces"));
        }

        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match trimmed[digits..].strip_prefix(':') {
            Some(rest) => (&trimmed[..digits], rest),
            None => ("", trimmed),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release.to_string())),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(error("version number is empty"));
        }

        Ok(RpmVersion { epoch: epoch.to_string(), version: version.to_string(), release })
    }

    pub fn compare(&self, other: &RpmVersion) -> Ordering {
        let left = Evr::new(self.epoch_or_zero(), self.version.as_str(), "");
        let right = Evr::new(other.epoch_or_zero(), other.version.as_str(), "");
        left.cmp(&right).then_with(|| match (&self.release, &other.release) {
            (Some(left), Some(right)) => {
                Evr::new("0", "0", left.as_str()).cmp(&Evr::new("0", "0", right.as_str()))
            }
            (left, right) => left.is_some().cmp(&right.is_some()),
        })
    }

    fn epoch_or_zero(&self) -> &str {
        if self.epoch.is_empty() { "0" } else { &self.epoch }
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.epoch.is_empty() {
            write!(formatter, "{}:", self.epoch)?;
        }
        formatter.write_str(&self.version)?;
        if let Some(release) = &self.release {
            write!(formatter, "-{release}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a).unwrap().compare(&RpmVersion::parse(b).unwrap())
    }

    #[test]
    fn tilde_and_caret_follow_rpmvercmp() {
        assert_eq!(cmp("1.0~rc1-1", "1.0-1"), Ordering::Less);
        assert_eq!(cmp("1.0^git1-1", "1.0-1"), Ordering::Greater);
        assert_eq!(cmp("1.0^git1-1", "1.0.1-1"), Ordering::Less);
    }

    #[test]
    fn epoch_wins_and_missing_epoch_is_zero() {
        assert_eq!(cmp("1:3.5.5-4.el9_8", "3.9.0-1.el9"), Ordering::Greater);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Ordering::Equal);
    }

    #[test]
    fn module_and_dist_tags_order_like_rpm() {
        assert_eq!(
            cmp("1.20.1-1.module_el8.8.0+3601+e1b7a6c9", "1.20.1-1.module_el8.7.0+3343+2b0fe1c0"),
            Ordering::Greater
        );
        assert_eq!(cmp("2.34-100.el9_4.2", "2.34-100.el9_4.12"), Ordering::Less);
        assert_eq!(cmp("4.18.0-425.10.1.el8_7", "4.18.0-425.3.1.el8"), Ordering::Greater);
    }

    #[test]
    fn release_is_after_the_last_hyphen_and_optional() {
        let version = RpmVersion::parse("2:1.0-rc-3.el9").unwrap();
        assert_eq!(version.version, "1.0-rc");
        assert_eq!(version.release.as_deref(), Some("3.el9"));
        assert_eq!(cmp("1.0", "1.0-7"), Ordering::Less);
        assert_eq!(cmp("1.0-~", "1.0"), Ordering::Greater);
    }
}
