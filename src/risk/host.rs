//! The parts of an inventory host that assessment reads.
//!
//! A fleet's inventory is mostly package lists: 1,000 hosts with 1,500
//! packages each is a 300 MB file. Reading it into the owned inventory types
//! costs millions of small allocations, so assessment parses each host into
//! this view instead, borrowing package names and versions straight from the
//! inventory's text and skipping every field it does not use.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::advisory::installed::InstalledPackage;
use crate::artifact::ArtifactMeta;
use crate::artifact::inventory::{
    EolStatus, HostOutcome, HostRecord, OsInfo, PendingUpdate, TierAssignment,
};

/// One host, as assessment needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct HostView<'a> {
    pub name: String,
    pub environment: Option<String>,
    /// Carried through so planning can keep clusters redundant.
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
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
            cluster: host.cluster.clone(),
            groups: host.groups.clone(),
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

/// Reads `inventory.json` in one pass, handing each host to `each` as soon
/// as it is parsed, so assessing the first hosts overlaps with parsing the
/// rest. Returns the artifact's `meta`; `check_meta` may refuse it (wrong
/// kind or version) as soon as it is read.
pub fn stream_hosts<'de>(
    bytes: &'de [u8],
    check_meta: &dyn Fn(&ArtifactMeta) -> Result<(), String>,
    each: &mut dyn FnMut(HostView<'de>),
) -> Result<ArtifactMeta, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let meta = InventorySeed { check_meta, each }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    meta.ok_or_else(|| serde::de::Error::missing_field("meta"))
}

/// Walks the top-level object: checks `meta`, streams `hosts`, skips the rest.
struct InventorySeed<'f, 'de> {
    check_meta: &'f dyn Fn(&ArtifactMeta) -> Result<(), String>,
    each: &'f mut dyn FnMut(HostView<'de>),
}

impl<'de> DeserializeSeed<'de> for InventorySeed<'_, 'de> {
    type Value = Option<ArtifactMeta>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for InventorySeed<'_, 'de> {
    type Value = Option<ArtifactMeta>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("an inventory artifact")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut meta = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "meta" => {
                    let value: ArtifactMeta = map.next_value()?;
                    (self.check_meta)(&value).map_err(serde::de::Error::custom)?;
                    meta = Some(value);
                }
                "hosts" => map.next_value_seed(HostsSeed { each: &mut *self.each })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(meta)
    }
}

/// Streams the `hosts` array element by element.
struct HostsSeed<'f, 'de> {
    each: &'f mut dyn FnMut(HostView<'de>),
}

impl<'de> DeserializeSeed<'de> for HostsSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for HostsSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a list of hosts")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(host) = seq.next_element::<HostView<'de>>()? {
            (self.each)(host);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_stream_in_order_and_bad_meta_stops_early() {
        let text = r#"{"meta": {"kind": "inventory", "schema_version": 1, "tool": "t",
            "created_at": "2026-08-22T00:00:00Z", "operator": "o", "inputs": []},
            "eol_source": null, "cmdb": null, "hosts": [
            {"name": "a", "environment": null, "tags": [], "tier": {"tier": "t", "rule": "r"},
             "outcome": {"status": "ok"}, "facts": null, "eol": null},
            {"name": "b", "environment": null, "tags": [], "tier": {"tier": "t", "rule": "r"},
             "outcome": {"status": "ok"}, "facts": null, "eol": null}]}"#;
        let mut names = Vec::new();
        let accept = |_: &ArtifactMeta| Ok(());
        let meta =
            stream_hosts(text.as_bytes(), &accept, &mut |host| names.push(host.name)).unwrap();
        assert_eq!(meta.kind, "inventory");
        assert_eq!(names, ["a", "b"]);

        let refuse = |meta: &ArtifactMeta| Err(format!("`{}` is not wanted", meta.kind));
        let mut count = 0;
        let error = stream_hosts(text.as_bytes(), &refuse, &mut |_| count += 1).unwrap_err();
        assert!(error.to_string().contains("`inventory` is not wanted"), "{error}");
        assert_eq!(count, 0);
    }

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
