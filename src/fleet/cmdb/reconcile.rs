//! Reconciling a CMDB export with what the inventory run found.
//!
//! Three questions, each answered for the operator to act on: which CMDB
//! hosts could not be confirmed (absent from the inventory, or not
//! reachable), which reachable hosts the CMDB does not know, and where the
//! CMDB's OS, address, owner or environment disagree with reality.
//!
//! Entries are matched to hosts by name (case-insensitive, a trailing dot
//! ignored), then by short name when the CMDB holds `web1` and the inventory
//! `web1.example.com` (or the reverse) and only one host fits, then by
//! address. Values are compared loosely: case and spacing never count, an
//! environment may be abbreviated (`prod`), and an OS agrees when family and
//! version are compatible (see `os_name`).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use super::os_name;
use super::{Cmdb, CmdbEntry};
use crate::artifact::inventory::{CmdbEntryRef, CmdbMismatch, CmdbReconciliation, HostRecord};

/// Compares the export with the host records of this run.
///
/// `not_selected` names inventory hosts left out by `--limit`: CMDB entries
/// for them are neither missing nor unreachable, just not looked at.
pub fn reconcile(
    cmdb: &Cmdb,
    hosts: &[HostRecord],
    not_selected: &BTreeSet<String>,
) -> CmdbReconciliation {
    let index = HostIndex::new(hosts);
    let skipped = HostIndex::from_names(not_selected.iter().map(String::as_str));
    let mut result = CmdbReconciliation::default();
    let mut matched: BTreeSet<usize> = BTreeSet::new();

    for entry in cmdb.entries() {
        let Some(position) = index.find(entry) else {
            if skipped.find(entry).is_none() {
                result.missing_or_unreachable.push(entry_ref(entry, "not-in-inventory"));
            }
            continue;
        };
        if !matched.insert(position) {
            result.missing_or_unreachable.push(entry_ref(entry, "duplicate-in-cmdb"));
            continue;
        }

        let host = &hosts[position];
        if !host.outcome.is_ok() {
            result.missing_or_unreachable.push(entry_ref(entry, host.outcome.status()));
        }
        result.mismatches.extend(mismatches(entry, host));
    }

    result.not_in_cmdb = hosts
        .iter()
        .enumerate()
        .filter(|(position, host)| host.outcome.is_ok() && !matched.contains(position))
        .map(|(_, host)| host.name.clone())
        .collect();

    result
        .missing_or_unreachable
        .sort_by(|left, right| (&left.name, &left.reason).cmp(&(&right.name, &right.reason)));
    result.not_in_cmdb.sort();
    result
        .mismatches
        .sort_by(|left, right| (&left.host, &left.field).cmp(&(&right.host, &right.field)));
    result
}

fn entry_ref(entry: &CmdbEntry, reason: &str) -> CmdbEntryRef {
    CmdbEntryRef { name: entry.name.clone(), reason: reason.to_string() }
}

/// Host positions by normalised name, short name, inventory address and
/// the addresses hosts carry themselves.
struct HostIndex {
    names: BTreeMap<String, usize>,
    short_names: BTreeMap<String, Vec<usize>>,
    addresses_of: BTreeMap<String, Vec<usize>>,
    /// Only consulted when the inventory addresses find nothing: an address
    /// such as Docker's `172.17.0.1` or a cluster's floating IP is on many
    /// hosts, and then names none of them.
    own_addresses_of: BTreeMap<String, Vec<usize>>,
}

impl HostIndex {
    fn new(hosts: &[HostRecord]) -> Self {
        let mut index = HostIndex::from_names(hosts.iter().map(|host| host.name.as_str()));
        for (position, host) in hosts.iter().enumerate() {
            index.addresses_of.entry(normalise_address(&host.address)).or_default().push(position);
            let own: BTreeSet<String> =
                own_addresses(host).iter().map(ToString::to_string).collect();
            for address in own {
                index.own_addresses_of.entry(address).or_default().push(position);
            }
        }
        index
    }

    fn from_names<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut index = HostIndex {
            names: BTreeMap::new(),
            short_names: BTreeMap::new(),
            addresses_of: BTreeMap::new(),
            own_addresses_of: BTreeMap::new(),
        };
        for (position, name) in names.enumerate() {
            let name = normalise_name(name);
            index.short_names.entry(short_name(&name).to_string()).or_default().push(position);
            index.names.insert(name, position);
        }
        index
    }

    fn find(&self, entry: &CmdbEntry) -> Option<usize> {
        let name = normalise_name(&entry.name);
        let unique = |positions: Option<&Vec<usize>>| match positions.map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        };

        self.names
            .get(&name)
            .copied()
            .or_else(|| unique(self.short_names.get(short_name(&name))))
            .or_else(|| {
                addresses(entry.address.as_deref())
                    .find_map(|address| unique(self.addresses_of.get(&address)))
            })
            .or_else(|| {
                addresses(entry.address.as_deref())
                    .find_map(|address| unique(self.own_addresses_of.get(&address)))
            })
    }
}

fn normalise_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `web1` of `web1.example.com`; IP addresses are their own short name.
fn short_name(name: &str) -> &str {
    if name.parse::<IpAddr>().is_ok() {
        return name;
    }
    name.split('.').next().unwrap_or(name)
}

/// Addresses in a CMDB cell, which may list several (`10.0.0.1, 10.0.0.2`).
fn addresses(cell: Option<&str>) -> impl Iterator<Item = String> + '_ {
    cell.into_iter()
        .flat_map(|cell| cell.split([',', ';', ' ']))
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(normalise_address)
}

/// IP addresses in canonical form (`::1` for `0:0::1`); names lowercased.
fn normalise_address(address: &str) -> String {
    let trimmed = address.trim();
    trimmed.parse::<IpAddr>().map_or_else(|_| normalise_name(trimmed), |ip| ip.to_string())
}

fn mismatches(entry: &CmdbEntry, host: &HostRecord) -> Vec<CmdbMismatch> {
    let mismatch = |field: &str, cmdb: &str, observed: &str| CmdbMismatch {
        host: host.name.clone(),
        field: field.to_string(),
        cmdb: cmdb.to_string(),
        observed: observed.to_string(),
    };
    let mut found = Vec::new();

    if let Some(cmdb) = entry.address.as_deref() {
        let own = own_addresses(host);
        if address_disagrees(cmdb, &host.address, own) {
            found.push(mismatch("address", cmdb, &observed_addresses(&host.address, own)));
        }
    }
    if let (Some(cmdb), Some(observed)) = (entry.owner.as_deref(), host.owner.as_deref()) {
        if loose(cmdb) != loose(observed) {
            found.push(mismatch("owner", cmdb, observed));
        }
    }
    if let (Some(cmdb), Some(observed)) =
        (entry.environment.as_deref(), host.environment.as_deref())
    {
        if environment(cmdb) != environment(observed) {
            found.push(mismatch("environment", cmdb, observed));
        }
    }
    if let (Some(cmdb), Some(facts)) = (entry.os.as_deref(), host.facts.as_ref()) {
        if !os_name::agrees(cmdb, &facts.os) {
            found.push(mismatch("os", cmdb, &os_name::os_text(&facts.os)));
        }
    }
    found
}

/// Disagreement needs evidence. The CMDB agrees when it lists the address
/// the inventory reaches the host at, or any address the host carries
/// itself. Otherwise it disagrees when the host is reached at an IP address,
/// or both sides are names; and a host reached by name disagrees only with
/// CMDB addresses of the kinds a host carries on its own interfaces
/// (private, unique-local, loopback, link-local): a public address may be
/// translated to the host by NAT and never appear on it.
fn address_disagrees(cmdb: &str, observed: &str, own: &[IpAddr]) -> bool {
    let observed = normalise_address(observed);
    let listed: Vec<String> = addresses(Some(cmdb)).collect();
    let own_listed = own.iter().any(|address| listed.contains(&address.to_string()));
    if listed.contains(&observed) || own_listed {
        return false;
    }

    let listed_ips: Vec<IpAddr> = listed.iter().filter_map(|a| a.parse().ok()).collect();
    let observed_is_ip = observed.parse::<IpAddr>().is_ok();
    let names_differ = listed_ips.len() < listed.len();
    let own_contradicts = listed_ips.iter().any(|listed| {
        let same_family = own.iter().any(|own| own.is_ipv4() == listed.is_ipv4());
        same_family && would_be_gathered(listed)
    });
    observed_is_ip || names_differ || own_contradicts
}

/// Addresses the host would list among its own if it had them: private,
/// link-local and loopback IPv4 (but `127.0.0.1`, left out of the fact),
/// unique-local IPv6. Not public addresses, which a NAT gateway may
/// translate to the host, and not IPv6 link-local ones, which the fact
/// leaves out. The caller also needs an own address of the same family,
/// so a family whose step failed on the host is no evidence.
fn would_be_gathered(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_link_local()
                || (v4.is_loopback() && *v4 != Ipv4Addr::LOCALHOST)
        }
        IpAddr::V6(v6) => v6.is_unique_local(),
    }
}

/// The addresses the host was gathered with: none when it was not reached.
fn own_addresses(host: &HostRecord) -> &[IpAddr] {
    host.facts.as_ref().map_or(&[], |facts| facts.addresses.as_slice())
}

/// What the mismatch shows as observed: the inventory's address, and the
/// host's own addresses when it has any besides that one.
fn observed_addresses(address: &str, own: &[IpAddr]) -> String {
    let reached_at = normalise_address(address);
    let others: Vec<String> =
        own.iter().map(ToString::to_string).filter(|own| *own != reached_at).collect();
    if others.is_empty() {
        return address.to_string();
    }
    format!("{address} (on the host: {})", others.join(", "))
}

fn loose(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Environments with their usual abbreviations spelled out.
fn environment(text: &str) -> String {
    let text = loose(text);
    let full = match text.as_str() {
        "prod" | "prd" | "live" => "production",
        "stage" | "stg" => "staging",
        "dev" => "development",
        "tst" => "test",
        other => other,
    };
    full.to_string()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::artifact::inventory::HostOutcome;
    use crate::artifact::inventory::{Facts, OsInfo, TierAssignment};
    use crate::fleet::cmdb::CmdbMapping;

    fn record(
        name: &str,
        address: &str,
        outcome: HostOutcome,
        os: Option<(&str, &str, &str)>,
    ) -> HostRecord {
        HostRecord {
            name: name.into(),
            address: address.into(),
            port: 22,
            user: "root".into(),
            transport: "ssh".into(),
            environment: Some("production".into()),
            cluster: None,
            owner: Some("team-web".into()),
            groups: Vec::new(),
            tags: Vec::new(),
            vars: BTreeMap::new(),
            tier: TierAssignment { tier: "tier3".into(), rule: "default".into() },
            outcome,
            duration_ms: 0,
            facts: os.map(|(id, version_id, pretty_name)| Facts {
                os: OsInfo {
                    id: id.into(),
                    version_id: version_id.into(),
                    pretty_name: pretty_name.into(),
                    codename: None,
                    id_like: Vec::new(),
                },
                ..Facts::default()
            }),
            eol: None,
            baseline: None,
            notes: Vec::new(),
            watched_files: Vec::new(),
        }
    }

    fn cmdb(text: &str) -> Cmdb {
        Cmdb::parse_csv(text.as_bytes(), Path::new("export.csv"), &CmdbMapping::default())
            .expect("valid export")
    }

    const EXPORT: &str = "name,ip_address,os,owner,environment\n\
        web1,127.100.1.1,Debian 12,Team-Web,prod\n\
        web2.example.com,127.100.1.2,debian 12,team-web,production\n\
        db1,127.100.1.3,Debian 11,team-db,staging\n\
        old-mail,10.9.9.9,CentOS 6,team-mail,production\n\
        down1,127.100.1.5,Ubuntu 22.04,team-web,production\n\
        other,127.100.1.9,Debian 12,team-web,production\n";

    fn hosts() -> Vec<HostRecord> {
        let bookworm = Some(("debian", "12", "Debian GNU/Linux 12 (bookworm)"));
        vec![
            record("web1", "127.100.1.1", HostOutcome::Ok, bookworm),
            record("web2", "127.100.1.2", HostOutcome::Ok, bookworm),
            record("db1", "127.100.1.33", HostOutcome::Ok, bookworm),
            record(
                "down1",
                "127.100.1.5",
                HostOutcome::Refused { message: "refused".into() },
                None,
            ),
            record("new1", "127.100.1.7", HostOutcome::Ok, bookworm),
            record("gone", "127.100.1.8", HostOutcome::TimedOut { message: "t".into() }, None),
        ]
    }

    #[test]
    fn reports_missing_unreachable_unknown_and_mismatched_hosts() {
        let not_selected = BTreeSet::from(["other".to_string()]);
        let result = reconcile(&cmdb(EXPORT), &hosts(), &not_selected);

        let missing: Vec<(&str, &str)> = result
            .missing_or_unreachable
            .iter()
            .map(|entry| (entry.name.as_str(), entry.reason.as_str()))
            .collect();
        assert_eq!(missing, [("down1", "refused"), ("old-mail", "not-in-inventory")]);
        assert_eq!(result.not_in_cmdb, ["new1"]);

        let mismatches: Vec<(&str, &str, &str, &str)> = result
            .mismatches
            .iter()
            .map(|m| (m.host.as_str(), m.field.as_str(), m.cmdb.as_str(), m.observed.as_str()))
            .collect();
        assert_eq!(
            mismatches,
            [
                ("db1", "address", "127.100.1.3", "127.100.1.33"),
                ("db1", "environment", "staging", "production"),
                ("db1", "os", "Debian 11", "Debian GNU/Linux 12 (bookworm)"),
                ("db1", "owner", "team-db", "team-web"),
            ]
        );
    }

    #[test]
    fn duplicate_entries_are_reported_once_matched() {
        let export = "name,ip\nweb1,127.100.1.1\nWEB1.,127.100.1.1\n";
        let result = reconcile(&cmdb(export), &hosts()[..1], &BTreeSet::new());
        assert_eq!(
            result.missing_or_unreachable,
            [CmdbEntryRef { name: "WEB1.".into(), reason: "duplicate-in-cmdb".into() }]
        );
    }

    #[test]
    fn entries_match_by_address_when_names_differ() {
        let export = "name,ip\nasset-00172,127.100.1.2\n";
        let result = reconcile(&cmdb(export), &hosts()[1..2], &BTreeSet::new());
        assert!(result.not_in_cmdb.is_empty());
        assert!(result.missing_or_unreachable.is_empty());
    }

    #[test]
    fn addresses_compare_canonically_and_dns_names_are_not_guessed() {
        assert!(!address_disagrees("10.0.0.1, 10.0.0.2", "10.0.0.2", &[]));
        assert!(!address_disagrees("::1", "0:0::1", &[]));
        assert!(address_disagrees("10.0.0.1", "10.0.0.3", &[]));
        assert!(!address_disagrees("10.0.0.1", "web1.example.com", &[]));
        assert!(!address_disagrees("WEB1.example.com", "web1.example.com", &[]));
        assert!(address_disagrees("web2.example.com", "web1.example.com", &[]));
    }

    fn ips(text: &[&str]) -> Vec<IpAddr> {
        text.iter().map(|address| address.parse().unwrap()).collect()
    }

    #[test]
    fn a_host_reached_by_name_is_checked_against_its_own_addresses() {
        let own = ips(&["10.0.0.9", "fd00::9"]);
        let name = "web1.example.com";
        assert!(!address_disagrees("10.0.0.9", name, &own));
        assert!(!address_disagrees("fd00:0::9", name, &own));
        assert!(address_disagrees("10.0.0.5", name, &own), "private: would be on the host");
        assert!(address_disagrees("203.0.113.5, 10.0.0.5", name, &own));
        assert!(!address_disagrees("203.0.113.5", name, &own), "public: may be NAT");
        assert!(!address_disagrees("10.0.0.9", "203.0.113.5", &own), "reached through NAT");
        assert!(!address_disagrees("fe80::1", name, &own), "link-local IPv6 is not gathered");
        let only_ipv6 = ips(&["fd00::9"]);
        assert!(!address_disagrees("10.0.0.5", name, &only_ipv6), "no IPv4 evidence");
    }

    /// Docker's bridge address is on every container host: it must not stop
    /// an entry matching the host the inventory reaches at its address.
    #[test]
    fn an_address_many_hosts_carry_matches_none_of_them() {
        let hosts: Vec<HostRecord> = ["10.0.0.1", "10.0.0.2"]
            .iter()
            .enumerate()
            .map(|(i, address)| {
                let mut host = record(&format!("node{i}"), address, HostOutcome::Ok, None);
                let own = ips(&[address, "172.17.0.1"]);
                host.facts = Some(Facts { addresses: own, ..Facts::default() });
                host
            })
            .collect();
        let export = "name,ip
asset-1,10.0.0.2
asset-docker,172.17.0.1
";

        let result = reconcile(&cmdb(export), &hosts, &BTreeSet::new());
        assert_eq!(result.not_in_cmdb, ["node0"]);
        assert_eq!(
            result.missing_or_unreachable,
            [CmdbEntryRef { name: "asset-docker".into(), reason: "not-in-inventory".into() }]
        );
    }

    #[test]
    fn a_wrong_address_shows_what_the_host_carries() {
        let mut host = record("web1.example.com", "web1.example.com", HostOutcome::Ok, None);
        host.facts = Some(Facts { addresses: ips(&["127.100.1.9"]), ..Facts::default() });
        let export = "name,ip
web1.example.com,127.100.1.1
";

        let result = reconcile(&cmdb(export), &[host], &BTreeSet::new());
        assert_eq!(result.mismatches.len(), 1, "{:?}", result.mismatches);
        assert_eq!(result.mismatches[0].field, "address");
        assert_eq!(result.mismatches[0].observed, "web1.example.com (on the host: 127.100.1.9)");
    }

    #[test]
    fn entries_match_by_an_address_the_host_carries() {
        let mut host = record("web9", "web9.example.com", HostOutcome::Ok, None);
        host.facts = Some(Facts { addresses: ips(&["10.0.0.9"]), ..Facts::default() });
        let export = "name,ip
asset-00419,10.0.0.9
";

        let result = reconcile(&cmdb(export), &[host], &BTreeSet::new());
        assert!(result.not_in_cmdb.is_empty(), "{result:?}");
        assert!(result.missing_or_unreachable.is_empty(), "{result:?}");
        assert!(result.mismatches.is_empty(), "{result:?}");
    }
}
