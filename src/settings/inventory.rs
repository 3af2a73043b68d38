//! Settings of `patchpilot inventory`, resolved and validated before any
//! host is contacted.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use jiff::civil::Date;

use super::{ConnectionDefaults, ConnectionResolver, GlobalSettings};
use crate::cli::{HostKeyPolicyArg, InventoryArgs};
use crate::eol::{EolPolicy, EolTable};
use crate::fleet::cmdb::{Cmdb, CmdbMapping};
use crate::fleet::{Host, Inventory, Limit};
use crate::output::UserError;
use crate::transport::ssh_config::ClientConfig;
use crate::transport::{Become, HostKeyPolicy, Secret};

/// Everything `inventory` runs on.
#[derive(Debug)]
pub struct InventorySettings {
    pub inventory_path: Option<PathBuf>,
    pub inventory_warnings: Vec<String>,
    /// Selected hosts, in name order.
    pub hosts: Vec<Host>,
    pub tiers: Vec<crate::artifact::inventory::TierAssignment>,
    /// Inventory hosts the limit left out.
    pub not_selected: BTreeSet<String>,
    pub resolver: ConnectionResolver,
    pub become_root: bool,
    pub become_password: Option<Secret>,
    pub refresh: bool,
    /// Do not carry package lists over from the previous inventory.
    pub full: bool,
    pub parallel: usize,
    pub command_timeout: Duration,
    pub host_timeout: Duration,
    pub max_output: usize,
    pub output: PathBuf,
    pub cmdb: Option<Cmdb>,
    pub eol_table: EolTable,
    pub eol_policy: EolPolicy,
    pub today: Date,
    pub operator: String,
}

impl InventorySettings {
    pub fn resolve(args: &InventoryArgs, global: &GlobalSettings) -> anyhow::Result<Self> {
        let inventory = match &args.inventory {
            Some(path) => crate::fleet::load(path).map_err(|e| UserError::usage(e.to_string()))?,
            None => Inventory::local_machine(),
        };
        let limit = args
            .limit
            .as_deref()
            .map(Limit::parse)
            .transpose()
            .map_err(|e| UserError::usage(e.to_string()))?;
        let selected =
            inventory.select(limit.as_ref()).map_err(|e| UserError::usage(e.to_string()))?;
        let hosts: Vec<Host> = selected.into_iter().cloned().collect();
        let names: BTreeSet<&str> = hosts.iter().map(|host| host.name.as_str()).collect();
        let not_selected = inventory
            .hosts()
            .filter(|h| !names.contains(h.name.as_str()))
            .map(|h| h.name.clone())
            .collect();
        let tiers = hosts.iter().map(|host| inventory.tier_of(host)).collect();

        if args.parallel == 0 {
            return Err(UserError::usage("`--parallel` must be at least 1").into());
        }

        Ok(InventorySettings {
            inventory_path: args.inventory.clone(),
            inventory_warnings: inventory.warnings().to_vec(),
            hosts,
            tiers,
            not_selected,
            resolver: resolver(args)?,
            become_root: args.become_root,
            become_password: become_password(args)?,
            refresh: args.refresh,
            full: args.full,
            parallel: args.parallel,
            command_timeout: Duration::from_secs(args.command_timeout),
            host_timeout: Duration::from_secs(args.host_timeout),
            max_output: args.max_output,
            output: args.output.clone(),
            cmdb: cmdb(args)?,
            eol_table: eol_table(args)?,
            eol_policy: EolPolicy { warn_days: args.eol_warn_days, ..EolPolicy::default() },
            today: today(args.today.as_deref())?,
            operator: global.operator.clone(),
        })
    }

    /// Sudo settings for a host: `--become` or the inventory's `become`.
    pub fn become_for(&self, host: &Host) -> Option<Become> {
        (self.become_root || host.connection.become_root)
            .then(|| Become { password: self.become_password.clone() })
    }
}

fn resolver(args: &InventoryArgs) -> anyhow::Result<ConnectionResolver> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let config_path = args
        .ssh_config
        .clone()
        .or_else(|| home.as_ref().map(|home| home.join(".ssh/config")).filter(|p| p.exists()));
    let client_config = match (&config_path, &home) {
        (Some(path), home) => Some(
            ClientConfig::load(path, home.as_deref().unwrap_or(std::path::Path::new("/")))
                .map_err(|e| UserError::usage(e.to_string()))?,
        ),
        (None, _) => None,
    };

    let password = secret_from_env(args.password_env.as_deref())?;
    let defaults = ConnectionDefaults {
        host_key_policy: match args.host_key_checking {
            HostKeyPolicyArg::Strict => None,
            HostKeyPolicyArg::AcceptNew => Some(HostKeyPolicy::AcceptNew),
        },
        connect_timeout: args.connect_timeout.map(Duration::from_secs),
        password,
        key_passphrase: key_passphrase(args)?,
        local_user: super::default_operator(),
        home,
    };
    Ok(ConnectionResolver::new(defaults, client_config))
}

fn become_password(args: &InventoryArgs) -> anyhow::Result<Option<Secret>> {
    let prompt = args.ask_become_pass.then_some("sudo password");
    secret_from_prompt_or_env(prompt, args.become_password_env.as_deref())
}

fn key_passphrase(args: &InventoryArgs) -> anyhow::Result<Option<Secret>> {
    let prompt = args.ask_key_pass.then_some("key passphrase");
    secret_from_prompt_or_env(prompt, args.key_passphrase_env.as_deref())
}

/// Asks on the terminal for `prompt` when the operator chose to be asked,
/// else reads the named environment variable.
fn secret_from_prompt_or_env(
    prompt: Option<&str>,
    variable: Option<&str>,
) -> anyhow::Result<Option<Secret>> {
    let Some(prompt) = prompt else {
        return secret_from_env(variable);
    };
    let secret = rpassword::prompt_password(format!("{prompt}: "))
        .with_context(|| format!("reading the {prompt} from the terminal"))?;
    Ok(Some(Secret::new(secret)))
}

/// Reads a secret from the named environment variable; naming one that is
/// unset is a mistake worth stopping for.
fn secret_from_env(variable: Option<&str>) -> anyhow::Result<Option<Secret>> {
    let Some(variable) = variable else {
        return Ok(None);
    };
    match std::env::var(variable) {
        Ok(value) => Ok(Some(Secret::new(value))),
        Err(_) => Err(UserError::usage(format!("environment variable `{variable}` is not set"))
            .with_hint("export it first; passwords are never taken on the command line")
            .into()),
    }
}

fn cmdb(args: &InventoryArgs) -> anyhow::Result<Option<Cmdb>> {
    let Some(path) = &args.cmdb else {
        return Ok(None);
    };
    let mapping =
        CmdbMapping::parse(&args.cmdb_map).map_err(|e| UserError::usage(e.to_string()))?;
    let cmdb = Cmdb::load(path, &mapping).map_err(|e| UserError::usage(e.to_string()))?;
    Ok(Some(cmdb))
}

fn eol_table(args: &InventoryArgs) -> anyhow::Result<EolTable> {
    let table = match &args.eol_data {
        Some(dir) => EolTable::with_overrides(dir),
        None => EolTable::embedded(),
    };
    Ok(table.map_err(|e| UserError::usage(e.to_string()))?)
}

/// `--today` pins the date for reproducible reports; otherwise the local date.
fn today(pinned: Option<&str>) -> anyhow::Result<Date> {
    match pinned {
        Some(text) => text.parse().map_err(|error| {
            UserError::usage(format!("`--today {text}` is not a date (YYYY-MM-DD): {error}")).into()
        }),
        None => Ok(jiff::ZonedDateTime::now().date()),
    }
}
