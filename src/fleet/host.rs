//! One host as the inventory describes it, with every setting resolved.
//!
//! By the time a [`Host`] exists, defaults, group variables and host settings
//! have been merged in precedence order, so the transport and the fact
//! gatherers never need to know where a value came from. The one exception
//! is the tier, whose origin is kept because every host must say which rule
//! set its tier.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::artifact::inventory::{HostOutcome, HostRecord, TierAssignment};

/// How patchpilot talks to a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    #[default]
    Ssh,
    /// The machine patchpilot runs on, without SSH.
    Local,
    /// Windows Remote Management; reserved for the Windows transport.
    Winrm,
}

impl Transport {
    /// The port used when neither the inventory nor `~/.ssh/config` names one.
    /// `WinRM` over HTTP listens on 5985; the local transport has no port.
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Ssh => 22,
            Transport::Local => 0,
            Transport::Winrm => 5985,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Ssh => "ssh",
            Transport::Local => "local",
            Transport::Winrm => "winrm",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Everything the transport needs to reach a host.
///
/// `port` and `user` stay unset when the inventory does not name them, so
/// `~/.ssh/config` (read by the transport) can still supply them; use
/// [`ConnectionSettings::port_or_default`] once that has been consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Name or IP address to connect to.
    pub address: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub transport: Transport,
    /// Private key file; relative paths in a TOML hosts file are already
    /// resolved against the file's directory.
    pub identity_file: Option<PathBuf>,
    pub known_hosts_file: Option<PathBuf>,
    /// `[user@]host[:port]` of a jump host, as OpenSSH's `ProxyJump`.
    pub proxy_jump: Option<String>,
    /// Run privileged commands through `sudo`.
    pub become_root: bool,
    /// Allow older key exchange and host key algorithms for legacy sshd.
    pub legacy_algorithms: bool,
}

impl ConnectionSettings {
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or_else(|| self.transport.default_port())
    }
}

/// A per-service check recorded as part of the host's baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSpec {
    pub name: String,
    pub target: ProbeTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeTarget {
    /// `host:port` to open a TCP connection to.
    Tcp(String),
    /// `http://…` URL to fetch.
    Http(String),
}

impl ProbeTarget {
    /// `tcp://host:port` or the URL, as recorded in the artifact.
    pub fn display_target(&self) -> String {
        match self {
            ProbeTarget::Tcp(address) => format!("tcp://{address}"),
            ProbeTarget::Http(url) => url.clone(),
        }
    }
}

/// A tier set directly on a host or its groups, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitTier {
    pub tier: String,
    /// Field path that set it, e.g. `hosts.h1.tier` or `groups.pci.vars.tier`.
    pub origin: String,
}

/// A host with every setting resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Inventory name; unique, used in `--limit` and in every artifact.
    pub name: String,
    pub connection: ConnectionSettings,
    /// e.g. `staging`, `production`.
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub owner: Option<String>,
    /// e.g. `internet-facing`, `pci`.
    pub tags: Vec<String>,
    /// Every group the host belongs to, directly or through nesting, sorted;
    /// the implicit `all` and `ungrouped` are left out.
    pub groups: Vec<String>,
    /// Free-form variables (never secrets: those are refused or dropped).
    pub vars: BTreeMap<String, String>,
    /// Owner notes carried into the artifact for later steps.
    pub notes: Vec<String>,
    /// Absolute paths of configuration files to hash for drift checks.
    pub watch: Vec<String>,
    pub probes: Vec<ProbeSpec>,
    pub tier: Option<ExplicitTier>,
}

impl Host {
    /// Membership as `--limit` and tier rules see it, implicit groups included.
    pub fn is_member_of(&self, group: &str) -> bool {
        match group {
            "all" => true,
            "ungrouped" => self.groups.is_empty(),
            _ => self.groups.binary_search_by(|name| name.as_str().cmp(group)).is_ok(),
        }
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|own| own.eq_ignore_ascii_case(tag))
    }

    /// The artifact record for this host before anything is learned about it:
    /// facts, end of life, baseline and watched-file digests are left empty
    /// for the later steps to fill. Port and user are the inventory's (or the
    /// transport defaults); overwrite them with what `~/.ssh/config` resolved.
    pub fn to_record(&self, tier: TierAssignment, outcome: HostOutcome) -> HostRecord {
        HostRecord {
            name: self.name.clone(),
            address: self.connection.address.clone(),
            port: self.connection.port_or_default(),
            user: self.connection.user.clone().unwrap_or_default(),
            transport: self.connection.transport.as_str().to_string(),
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            owner: self.owner.clone(),
            groups: self.groups.clone(),
            tags: self.tags.clone(),
            vars: self.vars.clone(),
            tier,
            outcome,
            duration_ms: 0,
            facts: None,
            eol: None,
            baseline: None,
            notes: self.notes.clone(),
            watched_files: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_follow_the_transport() {
        let mut connection = ConnectionSettings {
            address: "h".into(),
            port: None,
            user: None,
            transport: Transport::Winrm,
            identity_file: None,
            known_hosts_file: None,
            proxy_jump: None,
            become_root: false,
            legacy_algorithms: false,
        };
        assert_eq!(connection.port_or_default(), 5985);
        connection.transport = Transport::Ssh;
        assert_eq!(connection.port_or_default(), 22);
        connection.port = Some(2222);
        assert_eq!(connection.port_or_default(), 2222);
    }

    #[test]
    fn records_carry_the_inventory_view_of_a_host() {
        let inventory = crate::fleet::parse(
            "[hosts.h1]\naddress = \"127.100.1.1\"\nowner = \"team-web\"\nnotes = [\"n\"]\n[groups.web]\nhosts = [\"h1\"]\n",
            std::path::Path::new("hosts.toml"),
            crate::fleet::InventoryFormat::Toml,
        )
        .expect("valid");
        let host = inventory.host("h1").expect("h1");
        let record = host.to_record(inventory.tier_of(host), HostOutcome::Ok);
        assert_eq!(
            (record.address.as_str(), record.port, record.transport.as_str()),
            ("127.100.1.1", 22, "ssh")
        );
        assert_eq!(record.groups, ["web"]);
        assert_eq!(record.notes, ["n"]);
        assert_eq!(record.tier.rule, "default");
    }
}
