//! Red Hat security advisories in CSAF 2.0 (`RHSA-2023_7207.json`).
//!
//! A CSAF document names products by id; what a product *is* lives in the
//! product tree. A fixed product id such as
//! `BaseOS-8.9.0.Z.MAIN:c-ares-0:1.13.0-9.el8_9.1.x86_64` is a relationship
//! joining a package (whose purl gives name, version and epoch) to a platform
//! (whose CPE gives the RHEL release). Both are resolved here, and every
//! binary package fixed on a RHEL platform becomes an `introduced 0, fixed
//! EVR` entry. Source rpms are left out: hosts install binaries.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::affected::{Affected, Event, Range};
use super::ecosystem::{Distro, parse_red_hat_cpe};
use super::feed::{FeedFile, Parsed};
use super::version::{Version, VersionScheme};
use super::{Advisory, cve_ids, parse_date_prefix};

#[derive(Debug, Deserialize)]
struct CsafFile {
    document: DocumentHeader,
    product_tree: ProductTree,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Debug, Deserialize)]
struct DocumentHeader {
    #[serde(default)]
    title: Option<String>,
    tracking: Tracking,
    #[serde(default)]
    aggregate_severity: Option<AggregateSeverity>,
}

#[derive(Debug, Deserialize)]
struct Tracking {
    id: String,
    #[serde(default)]
    current_release_date: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AggregateSeverity {
    text: String,
}

#[derive(Debug, Deserialize)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Debug, Deserialize)]
struct Branch {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    product: Option<Product>,
}

#[derive(Debug, Deserialize)]
struct Product {
    product_id: String,
    #[serde(default)]
    product_identification_helper: Option<Helper>,
}

#[derive(Debug, Deserialize)]
struct Helper {
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    cpe: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Relationship {
    full_product_name: FullProductName,
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Debug, Deserialize)]
struct FullProductName {
    product_id: String,
}

#[derive(Debug, Deserialize)]
struct Vulnerability {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    product_status: ProductStatus,
    #[serde(default)]
    scores: Vec<Score>,
}

#[derive(Debug, Default, Deserialize)]
struct ProductStatus {
    #[serde(default)]
    fixed: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Score {
    #[serde(default)]
    cvss_v3: Option<CvssData>,
    #[serde(default)]
    cvss_v4: Option<CvssData>,
}

#[derive(Debug, Deserialize)]
struct CvssData {
    #[serde(rename = "vectorString")]
    vector_string: String,
}

/// A package named by a purl: `pkg:rpm/redhat/c-ares@1.13.0-9.el8_9.1?arch=x86_64`.
#[derive(Debug, PartialEq, Eq)]
struct RpmPurl {
    name: String,
    evr: String,
    arch: String,
}

pub fn parse_file(file: &FeedFile) -> Parsed {
    let mut parsed = Parsed::default();
    let document: CsafFile = match serde_json::from_slice(&file.bytes) {
        Ok(document) => document,
        Err(error) => {
            parsed.skip(&file.name, "(whole file)", format!("not a CSAF 2.0 document: {error}"));
            return parsed;
        }
    };
    let id = document.document.tracking.id.clone();
    match convert(document, &mut parsed) {
        Ok(Some(advisory)) => parsed.advisories.push(advisory),
        Ok(None) => {}
        Err(reason) => parsed.skip(&file.name, id, reason),
    }
    parsed
}

fn convert(document: CsafFile, parsed: &mut Parsed) -> Result<Option<Advisory>, String> {
    let mut helpers = HashMap::new();
    collect_helpers(&document.product_tree.branches, &mut helpers);
    let relationships: HashMap<&str, &Relationship> = document
        .product_tree
        .relationships
        .iter()
        .map(|relationship| (relationship.full_product_name.product_id.as_str(), relationship))
        .collect();

    let mut fixed: BTreeMap<(Distro, String), String> = BTreeMap::new();
    for product_id in document.vulnerabilities.iter().flat_map(|v| &v.product_status.fixed) {
        let Some(relationship) = relationships.get(product_id.as_str()) else {
            parsed.ignored_entries += 1;
            continue;
        };
        let purl =
            helpers.get(relationship.product_reference.as_str()).and_then(|h| h.purl.as_deref());
        let cpe = helpers
            .get(relationship.relates_to_product_reference.as_str())
            .and_then(|h| h.cpe.as_deref());
        let (Some(purl), Some(distro)) =
            (purl.and_then(parse_rpm_purl), cpe.and_then(parse_red_hat_cpe))
        else {
            parsed.ignored_entries += 1;
            continue;
        };
        if purl.arch != "src" {
            fixed.insert((distro, purl.name), purl.evr);
        }
    }

    let mut affected = Vec::new();
    for ((distro, name), evr) in fixed {
        let version = Version::parse(VersionScheme::Rpm, &evr)
            .map_err(|error| format!("package `{name}`: {error}"))?;
        affected.push(Affected {
            ecosystem: format!("Red Hat:enterprise_linux:{}", distro.release),
            distro,
            package: name,
            binaries: Vec::new(),
            ranges: vec![Range::new(vec![Event::Introduced(None), Event::Fixed(version)])],
            versions: Vec::new(),
        });
    }

    let modified =
        document.document.tracking.current_release_date.as_deref().and_then(parse_date_prefix);
    parsed.note_date(modified);
    if affected.is_empty() {
        return Ok(None);
    }

    let mut vectors: Vec<String> = document
        .vulnerabilities
        .iter()
        .flat_map(|vulnerability| &vulnerability.scores)
        .flat_map(|score| [score.cvss_v3.as_ref(), score.cvss_v4.as_ref()])
        .flatten()
        .map(|cvss| cvss.vector_string.clone())
        .collect();
    vectors.sort();
    vectors.dedup();

    Ok(Some(Advisory {
        id: document.document.tracking.id,
        source: "red-hat-csaf",
        summary: document.document.title,
        cves: cve_ids(document.vulnerabilities.iter().filter_map(|v| v.cve.as_deref())),
        cvss_vectors: vectors,
        vendor_severity: document.document.aggregate_severity.map(|severity| severity.text),
        modified,
        affected,
    }))
}

fn collect_helpers<'a>(branches: &'a [Branch], helpers: &mut HashMap<&'a str, &'a Helper>) {
    for branch in branches {
        if let Some(product) = &branch.product {
            if let Some(helper) = &product.product_identification_helper {
                helpers.insert(product.product_id.as_str(), helper);
            }
        }
        collect_helpers(&branch.branches, helpers);
    }
}

fn parse_rpm_purl(purl: &str) -> Option<RpmPurl> {
    let rest = purl.strip_prefix("pkg:rpm/")?;
    let (path, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
    let (path, version) = path.split_once('@')?;
    let name = path.rsplit('/').next()?.to_string();

    let qualifier = |key: &str| {
        qualifiers
            .split('&')
            .find_map(|pair| pair.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    };
    let evr = match qualifier("epoch") {
        Some(epoch) if epoch != "0" => format!("{epoch}:{version}"),
        _ => version.to_string(),
    };
    Some(RpmPurl { name, evr, arch: qualifier("arch").unwrap_or_default().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_give_name_epoch_version_and_arch() {
        assert_eq!(
            parse_rpm_purl("pkg:rpm/redhat/c-ares@1.13.0-9.el8_9.1?arch=x86_64"),
            Some(RpmPurl {
                name: "c-ares".into(),
                evr: "1.13.0-9.el8_9.1".into(),
                arch: "x86_64".into()
            })
        );
        assert_eq!(
            parse_rpm_purl("pkg:rpm/redhat/podman@4.4.1-21.el9_2?arch=src&epoch=2").unwrap().evr,
            "2:4.4.1-21.el9_2"
        );
        assert_eq!(parse_rpm_purl("pkg:deb/debian/x@1"), None);
    }
}
