//! patchpilot's own hosts file (TOML): parsing and validation.
//!
//! The file is deserialized with serde into structs that deny unknown keys,
//! through `serde_path_to_error` so every failure carries the dotted field
//! path, while toml's spans give the line and column. Unknown keys get a
//! "did you mean" from the keys serde expected. Checks serde cannot express
//! (a relative watched path, a probe with both `tcp` and `http`) keep the
//! span of the offending value so they point at it too.
//!
//! The shape extends the file the lab writes:
//!
//! ```toml
//! [defaults]            # every host, unless a group or the host overrides
//! user = "root"
//! [hosts.h1]
//! address = "127.100.1.1"
//! tags = ["internet-facing"]
//! [groups.production]
//! hosts = ["h3", "h4"]
//! children = ["web"]
//! vars = { user = "ops" } # connection settings and free-form variables
//! [[tiers]]
//! tier = "tier1"
//! when = { tags = ["pci"] }
//! [tiers_default]
//! tier = "tier3"
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::{InventoryError, SourceLocation, closest, expected_names, first_backticked};
use super::host::{ExplicitTier, ProbeSpec, ProbeTarget, Transport};
use super::inventory::{Inventory, InventoryBuilder, InventoryFormat};
use super::layer::Layer;
use super::secrets::is_secret_key;
use super::tier::{TierDefault, TierRule, TierRules};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostsFile {
    defaults: Option<HostEntry>,
    #[serde(default)]
    hosts: BTreeMap<String, HostEntry>,
    #[serde(default)]
    groups: BTreeMap<String, GroupEntry>,
    #[serde(default)]
    tiers: Vec<TierRule>,
    tiers_default: Option<TierDefault>,
}

/// `[hosts.NAME]`, and `[defaults]` (which may not set `address`, `groups`
/// or `tier`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostEntry {
    address: Option<Spanned<String>>,
    port: Option<Spanned<u16>>,
    user: Option<String>,
    transport: Option<Transport>,
    environment: Option<String>,
    cluster: Option<String>,
    owner: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    groups: Vec<Spanned<String>>,
    #[serde(default)]
    vars: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    watch: Vec<Spanned<String>>,
    #[serde(default)]
    probes: Vec<Spanned<ProbeEntry>>,
    tier: Option<Spanned<String>>,
    identity_file: Option<String>,
    known_hosts_file: Option<String>,
    proxy_jump: Option<String>,
    #[serde(rename = "become")]
    become_root: Option<bool>,
    legacy_algorithms: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    children: Vec<Spanned<String>>,
    #[serde(default)]
    vars: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeEntry {
    name: String,
    tcp: Option<String>,
    http: Option<String>,
}

/// Settings that may also be given as variables (group `vars` mostly).
const SETTING_VARS: &[&str] = &[
    "port",
    "user",
    "transport",
    "environment",
    "cluster",
    "owner",
    "tier",
    "identity_file",
    "known_hosts_file",
    "proxy_jump",
    "become",
    "legacy_algorithms",
];

/// Parses a hosts file. `path` is used in messages and to resolve relative
/// key and `known_hosts` paths.
pub fn parse(text: &str, path: &Path) -> Result<Inventory, InventoryError> {
    let context = Context { path, text, base_dir: path.parent().unwrap_or(Path::new("")) };
    let file: HostsFile = serde_path_to_error::deserialize(toml::Deserializer::new(text))
        .map_err(|error| context.deserialize_error(error))?;

    let mut builder = InventoryBuilder::new(Some(path), InventoryFormat::Toml);
    if let Some(defaults) = file.defaults {
        builder.defaults = context.defaults_layer(defaults, &mut builder.warnings)?;
    }
    for (name, entry) in file.hosts {
        context.add_host(&mut builder, &name, entry)?;
    }
    for (name, entry) in file.groups {
        context.add_group(&mut builder, &name, entry)?;
    }
    builder.tier_rules = TierRules::new(file.tiers, file.tiers_default.map(|default| default.tier));

    builder.build()
}

struct Context<'a> {
    path: &'a Path,
    text: &'a str,
    base_dir: &'a Path,
}

impl Context<'_> {
    fn location(&self, span: &Range<usize>) -> SourceLocation {
        SourceLocation::from_offset(self.path, self.text, span.start)
    }

    fn invalid(
        &self,
        span: &Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> InventoryError {
        InventoryError::invalid(self.location(span), field, message.into())
    }

    fn deserialize_error(
        &self,
        error: serde_path_to_error::Error<toml::de::Error>,
    ) -> InventoryError {
        let field = clean_path(&error.path().to_string());
        let inner = error.into_inner();
        let location = self.location(&inner.span().unwrap_or(0..0));
        let message = inner.message().trim_end().to_string();

        if field == "." {
            return InventoryError::Syntax { location, message };
        }
        if message.starts_with("unknown field") || message.starts_with("unknown variant") {
            return unknown_key_error(location, field, &message);
        }
        InventoryError::Invalid { location, field, message, suggestion: None }
    }

    fn defaults_layer(
        &self,
        entry: HostEntry,
        warnings: &mut Vec<String>,
    ) -> Result<Layer, InventoryError> {
        let refused = [
            entry.address.as_ref().map(|value| ("address", value.span())),
            entry.groups.first().map(|value| ("groups", value.span())),
            entry.tier.as_ref().map(|value| ("tier", value.span())),
        ];
        if let Some((key, span)) = refused.into_iter().flatten().next() {
            let hint = match key {
                "tier" => "; set a fallback tier in `[tiers_default]`",
                _ => "",
            };
            return Err(self.invalid(
                &span,
                &format!("defaults.{key}"),
                format!("`{key}` cannot be a default{hint}"),
            ));
        }
        self.layer(entry, "defaults", warnings)
    }

    fn add_host(
        &self,
        builder: &mut InventoryBuilder,
        name: &str,
        mut entry: HostEntry,
    ) -> Result<(), InventoryError> {
        let field = format!("hosts.{name}");
        self.check_name(name, || self.key_span("hosts", name), &field)?;

        let groups = std::mem::take(&mut entry.groups);
        let tier = entry.tier.take();
        let mut layer = self.layer(entry, &field, &mut builder.warnings)?;
        if let Some(tier) = tier {
            layer.tier =
                Some(ExplicitTier { tier: tier.into_inner(), origin: format!("{field}.tier") });
        }

        builder.host_mut(name).apply(&layer);
        for group in groups {
            self.check_name(group.get_ref(), || group.span(), &format!("{field}.groups"))?;
            builder.add_member(group.get_ref(), name);
        }
        Ok(())
    }

    fn add_group(
        &self,
        builder: &mut InventoryBuilder,
        name: &str,
        entry: GroupEntry,
    ) -> Result<(), InventoryError> {
        let field = format!("groups.{name}");
        self.check_name(name, || self.key_span("groups", name), &field)?;

        let mut vars = Layer::default();
        self.apply_vars(entry.vars, &format!("{field}.vars"), &mut vars, &mut builder.warnings)?;
        builder.group_mut(name).vars = vars;

        for host in entry.hosts {
            self.check_name(host.get_ref(), || host.span(), &format!("{field}.hosts"))?;
            builder.add_member(name, host.get_ref());
        }
        for child in entry.children {
            self.check_name(child.get_ref(), || child.span(), &format!("{field}.children"))?;
            let location = self.location(&child.span());
            builder.add_child(name, child.get_ref(), Some(location));
        }
        Ok(())
    }

    /// Where a table key is written. Map keys carry no span through serde,
    /// so the text is searched for the usual spellings of the header.
    fn key_span(&self, table: &str, name: &str) -> Range<usize> {
        let spellings = [
            format!("{table}.{name}"),
            format!("{table}.\"{name}\""),
            format!("\"{name}\""),
            name.to_string(),
        ];
        spellings
            .iter()
            .find_map(|spelling| self.text.find(spelling.as_str()))
            .map_or(0..0, |start| start..start + 1)
    }

    /// Host and group names must be selectable with `--limit`. The span is
    /// only looked up for a bad name: finding a key's span means a search.
    fn check_name(
        &self,
        text: &str,
        span: impl FnOnce() -> Range<usize>,
        field: &str,
    ) -> Result<(), InventoryError> {
        let bad = text.is_empty()
            || text.starts_with(['!', '&', '~'])
            || text.contains(|c: char| c.is_whitespace() || c == ',');
        if bad {
            return Err(self.invalid(
                &span(),
                field,
                format!("`{text}` is not a usable name: names must be non-empty, without spaces or commas, and not start with `!`, `&` or `~`"),
            ));
        }
        Ok(())
    }

    fn layer(
        &self,
        entry: HostEntry,
        field: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Layer, InventoryError> {
        let mut layer = Layer {
            address: self.address(entry.address, field)?,
            port: self.port(entry.port, &format!("{field}.port"))?,
            user: entry.user,
            transport: entry.transport,
            environment: entry.environment,
            cluster: entry.cluster,
            owner: entry.owner,
            tier: None,
            identity_file: entry.identity_file.map(|file| self.resolve_path(&file)),
            known_hosts_file: entry.known_hosts_file.map(|file| self.resolve_path(&file)),
            proxy_jump: entry.proxy_jump,
            become_root: entry.become_root,
            legacy_algorithms: entry.legacy_algorithms,
            tags: entry.tags,
            vars: BTreeMap::new(),
            notes: entry.notes,
            watch: self.watch(entry.watch, &format!("{field}.watch"))?,
            probes: self.probes(entry.probes, &format!("{field}.probes"))?,
        };
        self.apply_vars(entry.vars, &format!("{field}.vars"), &mut layer, warnings)?;
        Ok(layer)
    }

    fn address(
        &self,
        address: Option<Spanned<String>>,
        field: &str,
    ) -> Result<Option<String>, InventoryError> {
        match address {
            Some(address) if address.get_ref().trim().is_empty() => {
                Err(self.invalid(&address.span(), &format!("{field}.address"), "address is empty"))
            }
            other => Ok(other.map(|address| address.into_inner().trim().to_string())),
        }
    }

    fn port(&self, port: Option<Spanned<u16>>, field: &str) -> Result<Option<u16>, InventoryError> {
        match port {
            Some(port) if *port.get_ref() == 0 => {
                Err(self.invalid(&port.span(), field, "port must be between 1 and 65535"))
            }
            other => Ok(other.map(Spanned::into_inner)),
        }
    }

    /// Relative key and `known_hosts` paths are relative to the hosts file, so
    /// an inventory directory can be moved or shared as a whole. `~` is left
    /// for the transport to expand, as OpenSSH does.
    fn resolve_path(&self, file: &str) -> PathBuf {
        let path = Path::new(file);
        if path.is_absolute() || file.starts_with('~') {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }

    fn watch(
        &self,
        watch: Vec<Spanned<String>>,
        field: &str,
    ) -> Result<Vec<String>, InventoryError> {
        watch
            .into_iter()
            .enumerate()
            .map(|(index, path)| {
                if is_absolute_anywhere(path.get_ref()) {
                    Ok(path.into_inner())
                } else {
                    let message =
                        format!("watched file `{}` must be an absolute path", path.get_ref());
                    Err(self.invalid(&path.span(), &format!("{field}[{index}]"), message))
                }
            })
            .collect()
    }

    fn probes(
        &self,
        probes: Vec<Spanned<ProbeEntry>>,
        field: &str,
    ) -> Result<Vec<ProbeSpec>, InventoryError> {
        probes
            .into_iter()
            .enumerate()
            .map(|(index, probe)| {
                let span = probe.span();
                probe_spec(probe.into_inner())
                    .map_err(|message| self.invalid(&span, &format!("{field}[{index}]"), message))
            })
            .collect()
    }

    /// Known setting names in `vars` set the setting (so a group can carry
    /// `user = "ops"`); everything else is a free-form variable.
    fn apply_vars(
        &self,
        vars: BTreeMap<String, Spanned<toml::Value>>,
        field: &str,
        layer: &mut Layer,
        warnings: &mut Vec<String>,
    ) -> Result<(), InventoryError> {
        for (key, value) in vars {
            let key_field = format!("{field}.{key}");
            let span = value.span();
            if is_secret_key(&key) {
                let message = format!(
                    "`{key}` looks like a secret; secrets never go in the inventory (use `--password-env` or a prompt)"
                );
                return Err(self.invalid(&span, &key_field, message));
            }

            if SETTING_VARS.contains(&key.as_str()) {
                self.apply_setting(&key, value.into_inner(), &key_field, layer)
                    .map_err(|message| self.invalid(&span, &key_field, message))?;
                continue;
            }

            if let Some(near) = closest(&key, SETTING_VARS.iter().copied()) {
                warnings.push(format!(
                    "{}: {key_field}: variable `{key}` is not a setting; did you mean `{near}`?",
                    self.location(&span)
                ));
            }
            let text = scalar_text(&value.into_inner()).ok_or_else(|| {
                self.invalid(
                    &span,
                    &key_field,
                    "variables must be strings, numbers, booleans or dates",
                )
            })?;
            layer.vars.insert(key, text);
        }
        Ok(())
    }

    fn apply_setting(
        &self,
        key: &str,
        value: toml::Value,
        field: &str,
        layer: &mut Layer,
    ) -> Result<(), String> {
        let already_set = match key {
            "port" => layer.port.is_some(),
            "user" => layer.user.is_some(),
            "transport" => layer.transport.is_some(),
            "environment" => layer.environment.is_some(),
            "cluster" => layer.cluster.is_some(),
            "owner" => layer.owner.is_some(),
            "identity_file" => layer.identity_file.is_some(),
            "known_hosts_file" => layer.known_hosts_file.is_some(),
            "proxy_jump" => layer.proxy_jump.is_some(),
            "become" => layer.become_root.is_some(),
            "legacy_algorithms" => layer.legacy_algorithms.is_some(),
            _ => false,
        };
        if already_set {
            return Err(format!("`{key}` is set both directly and in `vars`; keep one"));
        }

        match key {
            "port" => layer.port = Some(port_value(&value)?),
            "transport" => layer.transport = Some(transport_value(&value)?),
            "become" => layer.become_root = Some(bool_value(&value)?),
            "legacy_algorithms" => layer.legacy_algorithms = Some(bool_value(&value)?),
            "identity_file" => layer.identity_file = Some(self.resolve_path(&string_value(value)?)),
            "known_hosts_file" => {
                layer.known_hosts_file = Some(self.resolve_path(&string_value(value)?));
            }
            "tier" => {
                let origin = field.to_string();
                layer.tier = Some(ExplicitTier { tier: string_value(value)?, origin });
            }
            "user" => layer.user = Some(string_value(value)?),
            "environment" => layer.environment = Some(string_value(value)?),
            "cluster" => layer.cluster = Some(string_value(value)?),
            "owner" => layer.owner = Some(string_value(value)?),
            _ => layer.proxy_jump = Some(string_value(value)?),
        }
        Ok(())
    }
}

/// The path without the segments serde uses inside `Spanned` values.
fn clean_path(path: &str) -> String {
    path.split('.')
        .filter(|segment| !segment.starts_with("$__serde_spanned"))
        .collect::<Vec<_>>()
        .join(".")
}

fn unknown_key_error(location: SourceLocation, field: String, message: &str) -> InventoryError {
    let unknown = first_backticked(message).unwrap_or_default().to_string();
    let expected = expected_names(message);
    let suggestion = closest(&unknown, expected.iter().copied()).map(str::to_string);
    let what = if message.starts_with("unknown variant") { "value" } else { "key" };

    let message = match (&suggestion, expected.is_empty()) {
        (None, false) => {
            format!("unknown {what} `{unknown}`; expected one of `{}`", expected.join("`, `"))
        }
        _ => format!("unknown {what} `{unknown}`"),
    };
    InventoryError::Invalid { location, field, message, suggestion }
}

fn probe_spec(entry: ProbeEntry) -> Result<ProbeSpec, String> {
    let target = match (entry.tcp, entry.http) {
        (Some(address), None) => {
            check_tcp_target(&address)?;
            ProbeTarget::Tcp(address)
        }
        (None, Some(url)) if url.starts_with("http://") || url.starts_with("https://") => {
            ProbeTarget::Http(url)
        }
        (None, Some(url)) => {
            return Err(format!(
                "probe `{}`: `{url}` is not an http:// or https:// URL",
                entry.name
            ));
        }
        _ => return Err(format!("probe `{}` needs exactly one of `tcp` or `http`", entry.name)),
    };
    Ok(ProbeSpec { name: entry.name, target })
}

fn check_tcp_target(address: &str) -> Result<(), String> {
    let port = address.rsplit_once(':').and_then(|(host, port)| {
        (!host.is_empty()).then_some(port)?.parse::<u16>().ok().filter(|port| *port != 0)
    });
    match port {
        Some(_) => Ok(()),
        None => Err(format!("tcp probe target `{address}` is not `host:port`")),
    }
}

/// `/etc/x` on Unix, `C:\x` or `C:/x` on Windows hosts.
fn is_absolute_anywhere(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || (bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'\\' | b'/'))
}

fn scalar_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        toml::Value::Datetime(datetime) => Some(datetime.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

fn string_value(value: toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(text) => Ok(text),
        other => Err(format!("invalid type: {}, expected a string", other.type_str())),
    }
}

fn bool_value(value: &toml::Value) -> Result<bool, String> {
    value.as_bool().ok_or_else(|| format!("invalid type: {}, expected a boolean", value.type_str()))
}

fn port_value(value: &toml::Value) -> Result<u16, String> {
    value
        .as_integer()
        .and_then(|number| u16::try_from(number).ok())
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("invalid port `{value}`, expected an integer between 1 and 65535"))
}

fn transport_value(value: &toml::Value) -> Result<Transport, String> {
    match value.as_str() {
        Some("ssh") => Ok(Transport::Ssh),
        Some("local") => Ok(Transport::Local),
        Some("winrm") => Ok(Transport::Winrm),
        _ => Err(format!("unknown transport `{value}`; expected `ssh`, `local` or `winrm`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::host::Host;

    const LAB_SHAPE: &str = r#"
[defaults]
user = "root"
port = 22
identity_file = "/run/patchpilot-lab/id_ed25519"
known_hosts_file = "/run/patchpilot-lab/known_hosts"

[hosts.h1]
address = "127.100.1.1"
environment = "staging"
cluster = "web-1"
owner = "team-web"
tags = ["internet-facing"]
notes = ["nginx fronts the payments API"]
watch = ["/etc/nginx/nginx.conf"]
probes = [{ name = "web", tcp = "127.100.1.1:8081" }, { name = "health", http = "http://127.100.1.1:8081/health" }]
vars = { datacenter = "fra1" }

[hosts.h2]
address = "127.100.1.2"
tier = "tier0"

[hosts.h3]
address = "127.100.1.3"
tags = ["pci"]

[groups.production]
hosts = ["h3", "h4"]
children = ["web"]
vars = { user = "ops", sla = "gold" }

[groups.web]
hosts = ["h1"]
vars = { port = 2222 }

[[tiers]]
tier = "tier1"
when = { tags = ["pci"] }

[[tiers]]
tier = "tier2"
when = { groups = ["web"] }

[tiers_default]
tier = "tier3"
"#;

    fn load(text: &str) -> Result<Inventory, InventoryError> {
        parse(text, Path::new("hosts.toml"))
    }

    fn error(text: &str) -> String {
        load(text).expect_err("invalid file").to_string()
    }

    fn host<'a>(inventory: &'a Inventory, name: &str) -> &'a Host {
        inventory.host(name).expect("host exists")
    }

    #[test]
    fn lab_shaped_file_resolves_defaults_groups_and_hosts() {
        let inventory = load(LAB_SHAPE).expect("valid file");
        let h1 = host(&inventory, "h1");

        assert_eq!(h1.connection.address, "127.100.1.1");
        assert_eq!(h1.connection.user.as_deref(), Some("ops"));
        assert_eq!(h1.connection.port, Some(2222));
        assert_eq!(
            h1.connection.identity_file.as_deref(),
            Some(Path::new("/run/patchpilot-lab/id_ed25519"))
        );
        assert_eq!(h1.groups, ["production", "web"]);
        assert_eq!(h1.vars["datacenter"], "fra1");
        assert_eq!(h1.vars["sla"], "gold");
        assert_eq!(h1.watch, ["/etc/nginx/nginx.conf"]);
        assert_eq!(h1.probes[1].target.display_target(), "http://127.100.1.1:8081/health");
        assert_eq!(h1.notes, ["nginx fronts the payments API"]);

        let h2 = host(&inventory, "h2");
        assert_eq!(h2.connection.user.as_deref(), Some("root"));
        assert!(h2.groups.is_empty());
    }

    #[test]
    fn the_file_the_lab_writes_loads_unchanged() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fleet/lab-inventory.toml");
        let inventory = crate::fleet::load(&path).expect("lab inventory loads");
        let names: Vec<&str> = inventory.hosts().map(|host| host.name.as_str()).collect();
        assert_eq!(names, ["h1", "h2", "h3"]);

        let h3 = host(&inventory, "h3");
        assert_eq!(h3.connection.address, "127.100.1.3");
        assert_eq!(h3.connection.user.as_deref(), Some("root"));
        assert_eq!(
            h3.connection.known_hosts_file.as_deref(),
            Some(Path::new("/run/patchpilot-lab/known_hosts"))
        );
        assert_eq!(h3.environment.as_deref(), Some("production"));
        assert_eq!(h3.tags, ["internet-facing"]);
        assert_eq!(h3.groups, ["production"]);
    }

    #[test]
    fn hosts_named_only_in_a_group_use_their_name_as_address() {
        let inventory = load(LAB_SHAPE).expect("valid file");
        let h4 = host(&inventory, "h4");
        assert_eq!(h4.connection.address, "h4");
        assert_eq!(h4.connection.user.as_deref(), Some("ops"));
    }

    #[test]
    fn every_host_gets_a_tier_and_the_rule_behind_it() {
        let inventory = load(LAB_SHAPE).expect("valid file");
        let tier = |name: &str| {
            let assigned = inventory.tier_of(host(&inventory, name));
            format!("{} ({})", assigned.tier, assigned.rule)
        };
        assert_eq!(tier("h1"), "tier2 (tiers[1]: member of web)");
        assert_eq!(tier("h2"), "tier0 (hosts.h2.tier)");
        assert_eq!(tier("h3"), "tier1 (tiers[0]: tags contains pci)");
        assert_eq!(tier("h4"), "tier3 (tiers_default)");
    }

    #[test]
    fn group_tier_is_explicit_and_names_its_origin() {
        let inventory =
            load("[groups.pci]\nhosts = [\"db1\"]\nvars = { tier = \"tier1\" }\n").expect("valid");
        let assigned = inventory.tier_of(host(&inventory, "db1"));
        assert_eq!(assigned.rule, "groups.pci.vars.tier");
    }

    #[test]
    fn type_errors_name_file_line_column_and_field() {
        let text = "[hosts.h1]\naddress = \"a\"\n\n[hosts.h7]\nport = \"22\"\n";
        assert_eq!(
            error(text),
            "hosts.toml:5:8: hosts.h7.port: invalid type: string \"22\", expected u16"
        );
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        assert_eq!(
            error("[hosts.h7]\nprot = 22\n"),
            "hosts.toml:2:1: hosts.h7.prot: unknown key `prot`; did you mean `port`?"
        );
        assert_eq!(
            error("[defaults]\nenviroment = \"prod\"\n"),
            "hosts.toml:2:1: defaults.enviroment: unknown key `enviroment`; did you mean `environment`?"
        );
        assert!(error("[hostz.a]\n").contains("unknown key `hostz`; did you mean `hosts`?"));
        assert!(
            error("[[tiers]]\ntier = \"t\"\nwhen = { tag = \"pci\" }\n")
                .contains("tiers[0].when.tag: unknown key `tag`; did you mean `tags`?")
        );
    }

    #[test]
    fn unknown_transport_values_are_suggested_too() {
        let message = error("[hosts.a]\ntransport = \"sssh\"\n");
        assert_eq!(
            message,
            "hosts.toml:2:13: hosts.a.transport: unknown value `sssh`; did you mean `ssh`?"
        );
    }

    #[test]
    fn semantic_errors_point_at_the_value() {
        assert_eq!(
            error("[hosts.a]\nwatch = [\"/etc/x\", \"etc/y\"]\n"),
            "hosts.toml:2:20: hosts.a.watch[1]: watched file `etc/y` must be an absolute path"
        );
        assert!(
            error("[hosts.a]\nprobes = [{ name = \"p\", tcp = \"x:1\", http = \"http://x\" }]\n")
                .contains("hosts.a.probes[0]: probe `p` needs exactly one of `tcp` or `http`")
        );
        assert!(
            error("[hosts.a]\nprobes = [{ name = \"p\", tcp = \"nohost\" }]\n")
                .contains("is not `host:port`")
        );
        assert!(
            error("[groups.g]\nvars = { port = 70000 }\n")
                .starts_with("hosts.toml:2:17: groups.g.vars.port: invalid port `70000`")
        );
        assert!(
            error("[defaults]\ntier = \"t\"\n")
                .contains("defaults.tier: `tier` cannot be a default")
        );
        assert!(
            error("[hosts.a]\nport = 0\n")
                .contains("hosts.a.port: port must be between 1 and 65535")
        );
        assert!(error("[hosts.\"a b\"]\n").contains("is not a usable name"));
    }

    #[test]
    fn secrets_are_refused_in_vars() {
        let message = error("[groups.g]\nvars = { ssh_password = \"hunter2\" }\n");
        assert!(
            message.contains("groups.g.vars.ssh_password: `ssh_password` looks like a secret"),
            "{message}"
        );
        assert!(!message.contains("hunter2"));
    }

    #[test]
    fn settings_set_twice_in_one_table_are_refused() {
        let message = error("[hosts.a]\nuser = \"x\"\nvars = { user = \"y\" }\n");
        assert!(
            message.contains("hosts.a.vars.user: `user` is set both directly and in `vars`"),
            "{message}"
        );
    }

    #[test]
    fn near_miss_variables_warn() {
        let inventory =
            load("[groups.g]\nhosts = [\"a\"]\nvars = { usr = \"ops\" }\n").expect("valid");
        assert_eq!(inventory.warnings().len(), 1);
        assert!(
            inventory.warnings()[0].contains("did you mean `user`?"),
            "{:?}",
            inventory.warnings()
        );
        assert_eq!(host(&inventory, "a").vars["usr"], "ops");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let message = error("[hosts.a]\naddress = \n");
        assert!(message.starts_with("hosts.toml:2:"), "{message}");
    }

    #[test]
    fn relative_key_paths_are_relative_to_the_hosts_file() {
        let inventory = parse(
            "[hosts.a]\nidentity_file = \"keys/id\"\nknown_hosts_file = \"~/.ssh/kh\"\n",
            Path::new("/srv/fleet/hosts.toml"),
        )
        .expect("valid");
        let connection = &host(&inventory, "a").connection;
        assert_eq!(connection.identity_file.as_deref(), Some(Path::new("/srv/fleet/keys/id")));
        assert_eq!(connection.known_hosts_file.as_deref(), Some(Path::new("~/.ssh/kh")));
    }

    #[test]
    fn nested_group_cycles_point_at_the_child_entry() {
        let message = error("[groups.a]\nchildren = [\"b\"]\n[groups.b]\nchildren = [\"a\"]\n");
        assert!(message.starts_with("hosts.toml:"), "{message}");
        assert!(message.contains("contains itself"), "{message}");
    }
}
