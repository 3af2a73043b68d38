//! The digest of a patch set: which package versions a plan installs.
//!
//! The digest covers the distinct `name=version` targets only, not hosts or
//! times, so two plans (or two environments of one plan) that install the
//! same versions have the same digest however their hosts and windows
//! differ. That is what lets staging vouch for production. The text hashed
//! is the sorted lines `name=version\n`; anyone can recompute it with
//! `sort -u | sha256sum`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::artifact::plan::{HostChange, PatchSet, PinnedPackage};
use crate::artifact::sha256_hex;

/// The environment name used for hosts without one.
pub const NO_ENVIRONMENT: &str = "unassigned";

/// Digests the targets of all changes, overall and per environment.
pub fn patch_set(changes: &[HostChange]) -> PatchSet {
    let mut all = BTreeSet::new();
    let mut by_environment: BTreeMap<String, BTreeSet<PinnedPackage>> = BTreeMap::new();
    for change in changes {
        let environment = change.environment.clone().unwrap_or_else(|| NO_ENVIRONMENT.to_string());
        for package in &change.packages {
            let pinned =
                PinnedPackage { name: package.name.clone(), version: package.target.clone() };
            by_environment.entry(environment.clone()).or_default().insert(pinned.clone());
            all.insert(pinned);
        }
    }

    PatchSet {
        sha256: digest(&all),
        by_environment: by_environment
            .iter()
            .map(|(environment, packages)| (environment.clone(), digest(packages)))
            .collect(),
        packages: all.into_iter().collect(),
    }
}

/// sha256 of `name=version\n` lines in sorted order.
pub fn digest(packages: &BTreeSet<PinnedPackage>) -> String {
    let mut text = String::new();
    for package in packages {
        let _ = writeln!(text, "{}={}", package.name, package.version);
    }
    sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_sorted_lines_hashed_by_sha256sum() {
        let packages = BTreeSet::from([
            PinnedPackage { name: "openssl".into(), version: "3.0.13-1~deb12u1".into() },
            PinnedPackage { name: "curl".into(), version: "7.88.1-10+deb12u7".into() },
        ]);
        let expected = sha256_hex(b"curl=7.88.1-10+deb12u7\nopenssl=3.0.13-1~deb12u1\n");
        assert_eq!(digest(&packages), expected);
    }
}
