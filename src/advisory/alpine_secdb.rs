//! Alpine's secfixes database (`secdb.alpinelinux.org/v3.x/main.json`, and
//! the older `main.yaml`): for each origin package, which version fixed which
//! CVEs.
//!
//! Each `fixed-version: [CVE…]` pair becomes one advisory, because the host's
//! remedy is that version. The pseudo-version `0` lists CVEs that never
//! affected Alpine's build and produces nothing. The file carries no date, so
//! its data date is unknown and `--max-age` reports it as such.

use serde::Deserialize;

use super::affected::{Affected, Event, Range};
use super::ecosystem::{Distro, Family};
use super::feed::{FeedFile, Parsed};
use super::version::{Version, VersionScheme};
use super::{Advisory, cve_ids};

#[derive(Debug, Deserialize)]
struct Secdb {
    distroversion: String,
    #[serde(default)]
    reponame: Option<String>,
    #[serde(default)]
    packages: Vec<PackageEntry>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    pkg: Package,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    /// Keys may be read as numbers from YAML (`0:`), so they stay values.
    #[serde(default)]
    secfixes: serde_yaml_ng::Mapping,
}

pub fn parse_file(file: &FeedFile) -> Parsed {
    let mut parsed = Parsed::default();
    let secdb: Result<Secdb, String> = if super::feed::has_extension(&file.name, "json") {
        serde_json::from_slice(&file.bytes).map_err(|error| error.to_string())
    } else {
        serde_yaml_ng::from_slice(&file.bytes).map_err(|error| error.to_string())
    };
    let secdb = match secdb {
        Ok(secdb) => secdb,
        Err(error) => {
            parsed.skip(&file.name, "(whole file)", format!("not a secdb file: {error}"));
            return parsed;
        }
    };

    let release = secdb.distroversion.trim().trim_start_matches('v').to_string();
    let distro = Distro::new(Family::Alpine, &release);
    let repository = secdb.reponame.unwrap_or_default();
    for entry in secdb.packages {
        match convert(&entry.pkg, &distro, &secdb.distroversion, &repository) {
            Ok(advisories) => parsed.advisories.extend(advisories),
            Err(reason) => parsed.skip(&file.name, &entry.pkg.name, reason),
        }
    }
    parsed
}

fn convert(
    package: &Package,
    distro: &Distro,
    distroversion: &str,
    repository: &str,
) -> Result<Vec<Advisory>, String> {
    let mut advisories = Vec::new();
    for (version, cves) in &package.secfixes {
        let version = yaml_text(version).ok_or("a secfixes key is not a version")?;
        if version == "0" {
            continue;
        }
        let fixed = Version::parse(VersionScheme::Apk, &version).map_err(|e| e.to_string())?;
        let cves: Vec<String> = match cves {
            serde_yaml_ng::Value::Sequence(items) => items.iter().filter_map(yaml_text).collect(),
            _ => Vec::new(),
        };
        let cves = cve_ids(cves.iter().flat_map(|text| text.split_whitespace()));

        advisories.push(Advisory {
            id: format!("ALPINE-{distroversion}-{}-{version}", package.name),
            source: "alpine-secdb",
            summary: Some(format!("{} fixed in {version} ({repository})", package.name)),
            cves,
            cvss_vectors: Vec::new(),
            vendor_severity: None,
            modified: None,
            affected: vec![Affected {
                distro: distro.clone(),
                ecosystem: format!("Alpine:{distroversion}"),
                package: package.name.clone(),
                binaries: Vec::new(),
                ranges: vec![Range::new(vec![Event::Introduced(None), Event::Fixed(fixed)])],
                versions: Vec::new(),
            }],
        });
    }
    Ok(advisories)
}

fn yaml_text(value: &serde_yaml_ng::Value) -> Option<String> {
    match value {
        serde_yaml_ng::Value::String(text) => Some(text.trim().to_string()),
        serde_yaml_ng::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_secfixes_become_one_advisory_per_fixed_version() {
        let text = "---\ndistroversion: v3.11\nreponame: main\npackages:\n  - pkg:\n      name: bind\n      secfixes:\n        9.12.3_p4-r0:\n          - CVE-2019-6465\n        0:\n          - CVE-2000-1\n  - pkg:\n      name: broken\n      secfixes:\n        1.0-x:\n          - CVE-2020-1234\n";
        let parsed = parse_file(&FeedFile { name: "v3.11/main.yaml".into(), bytes: text.into() });
        assert_eq!(parsed.advisories.len(), 1);
        let advisory = &parsed.advisories[0];
        assert_eq!(advisory.id, "ALPINE-v3.11-bind-9.12.3_p4-r0");
        assert_eq!(advisory.cves, ["CVE-2019-6465"]);
        assert_eq!(advisory.affected[0].distro, Distro::new(Family::Alpine, "3.11"));
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.skipped[0].record, "broken");
    }
}
