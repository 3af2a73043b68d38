//! The parts of an inventory host that assessment reads.
//!
//! A fleet's inventory is mostly package lists: 1,000 hosts with 1,500
//! packages each is a 300 MB file. Reading it into the owned inventory types
//! costs millions of small allocations, so assessment parses each host into
//! this view instead, borrowing package names and versions straight from the
//! inventory's text and skipping every field it does not use.

use std::borrow::Cow;

use serde::Deserialize;

use crate::advisory::installed::InstalledPackage;
use crate::artifact::inventory::{
    EolStatus, HostOutcome, HostRecord, OsInfo, PendingUpdate, TierAssignment,
};

/// One host, as assessment needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct HostView<'a> {
    pub name: String,
    pub environment: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub tier: TierAssignment,
    pub outcome: HostOutcome,
    #[serde(borrow)]
    pub facts: Option<FactsView<'a>>,
    pub eol: Option<EolStatus>,
}

/// The facts assessment reads.
#[derive(Debug, Clone, Deserialize)]
pub struct FactsView<'a> {
    pub os: OsInfo,
    #[serde(borrow)]
    pub packages: Vec<PackageView<'a>>,
    #[serde(default)]
    pub pending_updates: Vec<PendingUpdate>,
}

/// An installed package, borrowed from the inventory where possible.
#[derive(Debug, Clone, Deserialize)]
pub struct PackageView<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    #[serde(borrow, default)]
    pub source_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub source_version: Option<Cow<'a, str>>,
}

impl InstalledPackage for PackageView<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> &str {
        &self.version
    }

    fn source_name(&self) -> Option<&str> {
        self.source_name.as_deref()
    }

    fn source_version(&self) -> Option<&str> {
        self.source_version.as_deref()
    }
}

impl<'a> HostView<'a> {
    /// A view of an owned host record, borrowing its packages.
    pub fn from_record(host: &'a HostRecord) -> Self {
        let borrow = |text: &'a String| Cow::Borrowed(text.as_str());
        HostView {
            name: host.name.clone(),
            environment: host.environment.clone(),
            tags: host.tags.clone(),
            tier: host.tier.clone(),
            outcome: host.outcome.clone(),
            facts: host.facts.as_ref().map(|facts| FactsView {
                os: facts.os.clone(),
                packages: facts
                    .packages
                    .iter()
                    .map(|package| PackageView {
                        name: borrow(&package.name),
                        version: borrow(&package.version),
                        source_name: package.source_name.as_ref().map(borrow),
                        source_version: package.source_version.as_ref().map(borrow),
                    })
                    .collect(),
                pending_updates: facts.pending_updates.clone(),
            }),
            eol: host.eol.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_borrow_from_the_inventory_text() {
        let text = r#"{"name": "web1", "address": "10.0.0.1", "environment": null, "tags": ["pci"],
            "tier": {"tier": "tier1", "rule": "x"}, "outcome": {"status": "ok"}, "eol": null,
            "facts": {"os": {"id": "debian", "version_id": "12", "pretty_name": "", "codename": null,
                             "id_like": []},
                      "kernel": "6.1", "packages": [{"name": "libc6", "version": "2.36-9+deb12u7",
                      "arch": "amd64", "source_name": "glibc", "source_version": null}],
                      "pending_updates": []}}"#;
        let host: HostView<'_> = serde_json::from_str(text).unwrap();
        let package = &host.facts.as_ref().unwrap().packages[0];
        assert!(matches!(package.name, Cow::Borrowed("libc6")));
        assert_eq!(package.source_name(), Some("glibc"));
    }
}
