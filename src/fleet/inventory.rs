//! The inventory: resolved hosts, their groups and the tier rules.
//!
//! Loaders (TOML, Ansible INI, Ansible YAML) only record what the file says
//! into an [`InventoryBuilder`]: layers of settings, group membership and
//! nesting. [`InventoryBuilder::build`] then does what all formats share —
//! creating hosts that were only named in a group, rejecting nesting cycles,
//! and folding each host's layers in precedence order: defaults, then group
//! variables with parents before children (equal depths in name order, as
//! Ansible does), then the host itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::error::{InventoryError, SourceLocation};
use super::host::{ConnectionSettings, Host, Transport};
use super::layer::Layer;
use super::limit::{Limit, LimitError};
use super::tier::TierRules;
use crate::artifact::inventory::TierAssignment;

/// What kind of file the inventory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryFormat {
    /// patchpilot's own hosts file.
    Toml,
    AnsibleIni,
    AnsibleYaml,
    /// No file: the local machine through the local transport.
    LocalMachine,
}

impl InventoryFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InventoryFormat::Toml => "toml",
            InventoryFormat::AnsibleIni => "ansible-ini",
            InventoryFormat::AnsibleYaml => "ansible-yaml",
            InventoryFormat::LocalMachine => "local-machine",
        }
    }
}

/// A group as declared: its direct members and its nesting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// Hosts listed directly in this group, sorted.
    pub hosts: Vec<String>,
    /// Nested groups, sorted.
    pub children: Vec<String>,
    /// Groups this one is nested in, sorted.
    pub parents: Vec<String>,
}

/// A loaded inventory with every host resolved.
#[derive(Debug, Clone)]
pub struct Inventory {
    path: Option<PathBuf>,
    format: InventoryFormat,
    hosts: BTreeMap<String, Host>,
    groups: BTreeMap<String, Group>,
    tier_rules: TierRules,
    warnings: Vec<String>,
}

impl Inventory {
    /// The inventory used when none is given: this machine, reached through
    /// the local transport, so `patchpilot inventory` works out of the box.
    pub fn local_machine() -> Self {
        let layer = Layer {
            address: Some("localhost".to_string()),
            transport: Some(Transport::Local),
            ..Layer::default()
        };
        let host = into_host("localhost", layer, Vec::new());
        Inventory {
            path: None,
            format: InventoryFormat::LocalMachine,
            hosts: BTreeMap::from([(host.name.clone(), host)]),
            groups: BTreeMap::new(),
            tier_rules: TierRules::default(),
            warnings: Vec::new(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn format(&self) -> InventoryFormat {
        self.format
    }

    /// Every host, in name order.
    pub fn hosts(&self) -> impl ExactSizeIterator<Item = &Host> {
        self.hosts.values()
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.get(name)
    }

    /// Declared groups by name (the implicit `all` and `ungrouped` only when
    /// the file declares them).
    pub fn groups(&self) -> &BTreeMap<String, Group> {
        &self.groups
    }

    pub fn tier_rules(&self) -> &TierRules {
        &self.tier_rules
    }

    /// Replaces the tier rules, e.g. with rules from a policy file.
    pub fn set_tier_rules(&mut self, rules: TierRules) {
        self.tier_rules = rules;
    }

    /// The host's tier and the rule that set it.
    pub fn tier_of(&self, host: &Host) -> TierAssignment {
        self.tier_rules.assign(host)
    }

    /// Hosts selected by `limit` (all hosts without one), in name order.
    pub fn select(&self, limit: Option<&Limit>) -> Result<Vec<&Host>, LimitError> {
        match limit {
            Some(limit) => limit.select(self),
            None => Ok(self.hosts.values().collect()),
        }
    }

    /// Things that loaded but look wrong (a dropped secret, an unexpected
    /// key in an Ansible file); the command shows them as warnings.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// A group while loading: its own variables, members and children, with
/// where each child was named so a cycle can be pointed at.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupDraft {
    pub vars: Layer,
    pub hosts: BTreeSet<String>,
    pub children: BTreeMap<String, Option<SourceLocation>>,
}

/// Collects what a file says, then resolves it into an [`Inventory`].
#[derive(Debug)]
pub(crate) struct InventoryBuilder {
    path: Option<PathBuf>,
    format: InventoryFormat,
    pub defaults: Layer,
    pub hosts: BTreeMap<String, Layer>,
    pub groups: BTreeMap<String, GroupDraft>,
    pub tier_rules: TierRules,
    pub warnings: Vec<String>,
}

impl InventoryBuilder {
    pub fn new(path: Option<&Path>, format: InventoryFormat) -> Self {
        InventoryBuilder {
            path: path.map(Path::to_path_buf),
            format,
            defaults: Layer::default(),
            hosts: BTreeMap::new(),
            groups: BTreeMap::new(),
            tier_rules: TierRules::default(),
            warnings: Vec::new(),
        }
    }

    /// The host's own layer, created on first mention.
    pub fn host_mut(&mut self, name: &str) -> &mut Layer {
        self.hosts.entry(name.to_string()).or_default()
    }

    pub fn group_mut(&mut self, name: &str) -> &mut GroupDraft {
        self.groups.entry(name.to_string()).or_default()
    }

    pub fn add_member(&mut self, group: &str, host: &str) {
        self.host_mut(host);
        self.group_mut(group).hosts.insert(host.to_string());
    }

    pub fn add_child(&mut self, parent: &str, child: &str, location: Option<SourceLocation>) {
        self.group_mut(child);
        self.group_mut(parent).children.entry(child.to_string()).or_insert(location);
    }

    pub fn build(mut self) -> Result<Inventory, InventoryError> {
        let members: Vec<String> =
            self.groups.values().flat_map(|group| group.hosts.iter().cloned()).collect();
        for name in members {
            self.host_mut(&name);
        }

        let parents = self.parents()?;
        let depth = depths(&self.groups, &parents);
        let hosts = self.resolve_hosts(&parents, &depth);
        let groups = self.public_groups(&parents);

        Ok(Inventory {
            path: self.path,
            format: self.format,
            hosts,
            groups,
            tier_rules: self.tier_rules,
            warnings: self.warnings,
        })
    }

    /// Parent groups of each group, after checking that nesting has no cycle.
    fn parents(&self) -> Result<BTreeMap<&str, BTreeSet<&str>>, InventoryError> {
        let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, group) in &self.groups {
            for child in group.children.keys() {
                parents.entry(child.as_str()).or_default().insert(name.as_str());
            }
        }

        for name in self.groups.keys() {
            self.check_no_cycle(name, &mut vec![name.as_str()])?;
        }
        Ok(parents)
    }

    fn check_no_cycle<'a>(
        &'a self,
        start: &str,
        path: &mut Vec<&'a str>,
    ) -> Result<(), InventoryError> {
        let Some(current) = path.last().and_then(|name| self.groups.get(*name)) else {
            return Ok(());
        };

        for (child, location) in &current.children {
            if child == start {
                return Err(self.cycle_error(path, child, location.as_ref()));
            }
            if path.contains(&child.as_str()) {
                continue;
            }
            path.push(child);
            self.check_no_cycle(start, path)?;
            path.pop();
        }
        Ok(())
    }

    fn cycle_error(
        &self,
        path: &[&str],
        child: &str,
        location: Option<&SourceLocation>,
    ) -> InventoryError {
        let parent = path.last().copied().unwrap_or(child);
        let chain = path.iter().chain(std::iter::once(&child)).copied().collect::<Vec<_>>();
        let location = location.cloned().unwrap_or_else(|| {
            SourceLocation::new(self.path.as_deref().unwrap_or(Path::new("<inventory>")), 1, 1)
        });
        InventoryError::invalid(
            location,
            &format!("groups.{parent}.children"),
            format!("group `{child}` contains itself: `{}`", chain.join("` > `")),
        )
    }

    fn resolve_hosts(
        &self,
        parents: &BTreeMap<&str, BTreeSet<&str>>,
        depth: &BTreeMap<&str, usize>,
    ) -> BTreeMap<String, Host> {
        let mut direct: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (group, draft) in &self.groups {
            for host in &draft.hosts {
                direct.entry(host.as_str()).or_default().push(group.as_str());
            }
        }

        self.hosts
            .iter()
            .map(|(name, own)| {
                let groups =
                    ancestors(direct.get(name.as_str()).map_or(&[][..], Vec::as_slice), parents);
                let host = self.resolve_host(name, own, &groups, depth);
                (name.clone(), host)
            })
            .collect()
    }

    fn resolve_host(
        &self,
        name: &str,
        own: &Layer,
        groups: &BTreeSet<&str>,
        depth: &BTreeMap<&str, usize>,
    ) -> Host {
        let explicit: Vec<&str> =
            groups.iter().copied().filter(|group| !is_implicit(group)).collect();

        let mut applicable: Vec<&str> = explicit.clone();
        applicable.push("all");
        if explicit.is_empty() {
            applicable.push("ungrouped");
        }
        applicable.sort_by_key(|group| (depth.get(group).copied().unwrap_or(1), *group));

        let mut layer = self.defaults.clone();
        for group in applicable {
            if let Some(draft) = self.groups.get(group) {
                layer.apply(&draft.vars);
            }
        }
        layer.apply(own);

        into_host(name, layer, explicit)
    }

    fn public_groups(&self, parents: &BTreeMap<&str, BTreeSet<&str>>) -> BTreeMap<String, Group> {
        self.groups
            .iter()
            .map(|(name, draft)| {
                let group = Group {
                    name: name.clone(),
                    hosts: draft.hosts.iter().cloned().collect(),
                    children: draft.children.keys().cloned().collect(),
                    parents: parents
                        .get(name.as_str())
                        .map(|set| set.iter().map(|parent| (*parent).to_string()).collect())
                        .unwrap_or_default(),
                };
                (name.clone(), group)
            })
            .collect()
    }
}

fn is_implicit(group: &str) -> bool {
    group == "all" || group == "ungrouped"
}

/// The groups and every group they are nested in.
fn ancestors<'a>(
    direct: &[&'a str],
    parents: &BTreeMap<&str, BTreeSet<&'a str>>,
) -> BTreeSet<&'a str> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<&str> = direct.to_vec();
    while let Some(group) = pending.pop() {
        if found.insert(group) {
            pending.extend(parents.get(group).into_iter().flatten().copied());
        }
    }
    found
}

/// Longest nesting depth of each group: `all` is 0, a top-level group 1.
/// Parents' variables apply before their children's.
fn depths<'a>(
    groups: &'a BTreeMap<String, GroupDraft>,
    parents: &BTreeMap<&str, BTreeSet<&'a str>>,
) -> BTreeMap<&'a str, usize> {
    fn depth_of<'a>(
        group: &'a str,
        parents: &BTreeMap<&str, BTreeSet<&'a str>>,
        memo: &mut BTreeMap<&'a str, usize>,
    ) -> usize {
        if group == "all" {
            return 0;
        }
        if let Some(depth) = memo.get(group) {
            return *depth;
        }
        let depth = parents
            .get(group)
            .into_iter()
            .flatten()
            .map(|parent| depth_of(parent, parents, memo) + 1)
            .max()
            .unwrap_or(1);
        memo.insert(group, depth);
        depth
    }

    let mut memo = BTreeMap::new();
    for name in groups.keys() {
        depth_of(name, parents, &mut memo);
    }
    memo.insert("all", 0);
    memo
}

fn into_host(name: &str, layer: Layer, groups: Vec<&str>) -> Host {
    let transport = layer.transport.unwrap_or_default();
    Host {
        name: name.to_string(),
        connection: ConnectionSettings {
            address: layer.address.unwrap_or_else(|| name.to_string()),
            port: layer.port,
            user: layer.user,
            transport,
            identity_file: layer.identity_file,
            known_hosts_file: layer.known_hosts_file,
            proxy_jump: layer.proxy_jump,
            become_root: layer.become_root.unwrap_or(false),
            legacy_algorithms: layer.legacy_algorithms.unwrap_or(false),
        },
        environment: layer.environment,
        cluster: layer.cluster,
        owner: layer.owner,
        tags: layer.tags,
        groups: groups.into_iter().map(str::to_string).collect(),
        vars: layer.vars,
        notes: layer.notes,
        watch: layer.watch,
        probes: layer.probes,
        tier: layer.tier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer_with_user(user: &str) -> Layer {
        Layer { user: Some(user.to_string()), ..Layer::default() }
    }

    #[test]
    fn parents_apply_before_children_and_hosts_last() {
        let mut builder = InventoryBuilder::new(None, InventoryFormat::Toml);
        builder.defaults = layer_with_user("root");
        builder.group_mut("all").vars = layer_with_user("from-all");
        builder.group_mut("production").vars = layer_with_user("ops");
        builder.group_mut("web").vars = layer_with_user("web-ops");
        builder.add_child("production", "web", None);
        builder.add_member("web", "w1");
        builder.add_member("production", "p1");
        builder.add_member("zzz", "p1");
        builder.group_mut("zzz").vars.port = Some(2200);
        builder.host_mut("solo");
        *builder.host_mut("special") = layer_with_user("me");
        builder.add_member("web", "special");

        let inventory = builder.build().expect("no cycles");
        let user = |name: &str| inventory.host(name).and_then(|h| h.connection.user.clone());

        assert_eq!(user("w1").as_deref(), Some("web-ops"));
        assert_eq!(user("p1").as_deref(), Some("ops"));
        assert_eq!(inventory.host("p1").and_then(|h| h.connection.port), Some(2200));
        assert_eq!(user("solo").as_deref(), Some("from-all"));
        assert_eq!(user("special").as_deref(), Some("me"));
        assert_eq!(
            inventory.host("w1").map(|h| h.groups.clone()),
            Some(vec!["production".into(), "web".into()])
        );
        assert_eq!(inventory.host("solo").map(|h| h.connection.address.as_str()), Some("solo"));
        assert!(inventory.host("solo").is_some_and(|h| h.is_member_of("ungrouped")));
        assert_eq!(inventory.groups()["web"].parents, ["production"]);
    }

    #[test]
    fn nesting_cycles_are_refused_with_the_chain() {
        let mut builder = InventoryBuilder::new(Some(Path::new("h.toml")), InventoryFormat::Toml);
        builder.add_child("a", "b", None);
        builder.add_child("b", "c", Some(SourceLocation::new(Path::new("h.toml"), 7, 14)));
        builder.add_child("c", "a", None);

        let error = builder.build().expect_err("cycle").to_string();
        assert!(error.contains("group `a` contains itself: `a` > `b` > `c` > `a`"), "{error}");
    }

    #[test]
    fn the_local_machine_is_one_host_on_the_local_transport() {
        let inventory = Inventory::local_machine();
        let hosts: Vec<&Host> = inventory.hosts().collect();
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].connection.transport, Transport::Local);
        assert_eq!(inventory.format(), InventoryFormat::LocalMachine);
    }
}
