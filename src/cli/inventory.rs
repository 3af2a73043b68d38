//! Arguments of `patchpilot inventory` and `patchpilot inventory discover`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// Reach hosts, gather facts, reconcile with a CMDB and write inventory.json.
///
/// With no `--inventory`, the local machine is inventoried through a local
/// transport, so `patchpilot inventory` works out of the box.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
#[expect(clippy::struct_excessive_bools, reason = "each bool is one command-line switch")]
pub struct InventoryArgs {
    #[command(subcommand)]
    pub command: Option<InventoryCommand>,

    /// Hosts file (patchpilot TOML) or Ansible inventory (INI or YAML).
    #[arg(short, long, env = "PATCHPILOT_INVENTORY", help_heading = "Selection")]
    pub inventory: Option<PathBuf>,

    /// Select hosts: names, globs, groups, `~regex`; `!pattern` excludes,
    /// `&pattern` intersects; separate with `:` or `,`. Example:
    /// `web*:&production:!web3`.
    #[arg(short, long, help_heading = "Selection")]
    pub limit: Option<String>,

    /// Where to write the artifact.
    #[arg(short, long, default_value = "inventory.json", help_heading = "Output")]
    pub output: PathBuf,

    /// Hosts contacted at once.
    #[arg(
        short,
        long,
        default_value_t = 50,
        env = "PATCHPILOT_PARALLEL",
        help_heading = "Connection"
    )]
    pub parallel: usize,

    /// OpenSSH client config to read (Host, `HostName`, User, Port, `IdentityFile`,
    /// `ProxyJump`, `StrictHostKeyChecking`, `UserKnownHostsFile`, `ConnectTimeout`).
    /// Defaults to `~/.ssh/config` when it exists.
    #[arg(long, env = "PATCHPILOT_SSH_CONFIG", help_heading = "Connection")]
    pub ssh_config: Option<PathBuf>,

    /// What to do with a host whose key is not in `known_hosts`. A key that
    /// differs from the recorded one is always refused.
    #[arg(long, value_enum, default_value_t = HostKeyPolicyArg::Strict,
          help_heading = "Connection")]
    pub host_key_checking: HostKeyPolicyArg,

    /// Seconds to wait for a TCP connection and the SSH handshake
    /// [default: `ConnectTimeout` from the SSH config, else 10].
    #[arg(long, value_name = "SECONDS", help_heading = "Connection")]
    pub connect_timeout: Option<u64>,

    /// Seconds any single remote command may run.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", help_heading = "Connection")]
    pub command_timeout: u64,

    /// Seconds all work on one host may take, connection included.
    #[arg(long, default_value_t = 120, value_name = "SECONDS", help_heading = "Connection")]
    pub host_timeout: u64,

    /// Name of an environment variable holding the SSH password, for hosts
    /// without key authentication. Passwords are never taken on the command line.
    #[arg(long, value_name = "VAR", help_heading = "Authentication")]
    pub password_env: Option<String>,

    /// Run fact commands through `sudo`.
    #[arg(long = "become", help_heading = "Authentication")]
    pub become_root: bool,

    /// Name of an environment variable holding the sudo password.
    #[arg(long, value_name = "VAR", requires = "become_root", help_heading = "Authentication")]
    pub become_password_env: Option<String>,

    /// Prompt for the sudo password on the terminal.
    #[arg(
        long,
        requires = "become_root",
        conflicts_with = "become_password_env",
        help_heading = "Authentication"
    )]
    pub ask_become_pass: bool,

    /// Name of an environment variable holding the passphrase of encrypted
    /// key files. Each key is decrypted once per run, not once per host.
    #[arg(long, value_name = "VAR", help_heading = "Authentication")]
    pub key_passphrase_env: Option<String>,

    /// Prompt for the passphrase of encrypted key files on the terminal.
    #[arg(long, conflicts_with = "key_passphrase_env", help_heading = "Authentication")]
    pub ask_key_pass: bool,

    /// Refresh package lists on each host (`apt-get update`, `dnf makecache`)
    /// before reading pending updates. Needs root or `--become`.
    #[arg(long, help_heading = "Facts")]
    pub refresh: bool,

    /// Gather every package list afresh. By default a host whose dpkg and
    /// apt state has not changed since the inventory at `--output` keeps
    /// that inventory's packages and pending updates, which skips the two
    /// dearest steps on the host.
    #[arg(long, help_heading = "Facts")]
    pub full: bool,

    /// CMDB export (CSV or JSON) to reconcile against.
    #[arg(long, help_heading = "Reconciliation")]
    pub cmdb: Option<PathBuf>,

    /// CMDB column mapping, `field=column`, repeatable. Fields: name, address,
    /// os, owner, environment. Example: `--cmdb-map name=hostname`.
    #[arg(long, value_name = "FIELD=COLUMN", help_heading = "Reconciliation")]
    pub cmdb_map: Vec<String>,

    /// endoflife.date product files (directory of `*.md`) newer than the
    /// embedded table.
    #[arg(long, help_heading = "Reconciliation")]
    pub eol_data: Option<PathBuf>,

    /// Flag hosts whose OS reaches end of life within this many days.
    #[arg(long, default_value_t = 90, value_name = "DAYS", help_heading = "Reconciliation")]
    pub eol_warn_days: u32,

    /// Treat this date as today (YYYY-MM-DD), for reproducible reports.
    #[arg(long, env = "PATCHPILOT_TODAY", help_heading = "Reconciliation")]
    pub today: Option<String>,

    /// Bytes of stdout and stderr kept per remote command; the rest is dropped
    /// and the truncation recorded.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES",
          help_heading = "Connection")]
    pub max_output: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HostKeyPolicyArg {
    /// Refuse hosts whose key is not already in `known_hosts`.
    Strict,
    /// Record keys of hosts not seen before; refuse changed keys.
    AcceptNew,
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// List what answers on the given ports in an address range.
    Discover(DiscoverArgs),
}

/// A rate-limited TCP connect scan.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Address range to scan, e.g. `127.100.1.0/24`. Repeatable.
    #[arg(long, required = true)]
    pub cidr: Vec<String>,

    /// Ports to try, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "22,5985")]
    pub port: Vec<u16>,

    /// New connection attempts per second, at most.
    #[arg(long, default_value_t = 200)]
    pub rate: u32,

    /// Milliseconds to wait for each connection.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub timeout: u64,

    /// Connection attempts in flight at once.
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
}
