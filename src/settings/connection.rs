//! Resolving how to reach each host: inventory, then `~/.ssh/config`, then
//! OpenSSH's defaults, the way `ssh` itself would.
//!
//! The inventory plays the part of OpenSSH's command line: what it states
//! wins over the client config, which wins over built-in defaults. Host-key
//! files are read once per distinct set of paths and shared by all hosts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fleet::Host;
use crate::output::UserError;
use crate::transport::ssh_config::{ClientConfig, HostConfig};
use crate::transport::{HostKeyPolicy, Keyring, KnownHosts, KnownHostsWriter, Secret, SshTarget};

/// Settings that apply to every host unless the inventory or client config
/// says otherwise.
#[derive(Debug, Clone)]
pub struct ConnectionDefaults {
    /// `--host-key-checking`; `None` when not given, so the client config may set it.
    pub host_key_policy: Option<HostKeyPolicy>,
    /// `--connect-timeout`; `None` when not given.
    pub connect_timeout: Option<Duration>,
    pub password: Option<Secret>,
    /// Unlocks encrypted key files (decrypted once for the whole run).
    pub key_passphrase: Option<Secret>,
    pub local_user: String,
    pub home: Option<PathBuf>,
}

/// Builds SSH targets, caching parsed `known_hosts` files.
#[derive(Debug)]
pub struct ConnectionResolver {
    defaults: ConnectionDefaults,
    client_config: Option<ClientConfig>,
    known_hosts_cache: Mutex<BTreeMap<Vec<PathBuf>, Arc<KnownHosts>>>,
    writers: Mutex<BTreeMap<PathBuf, Arc<KnownHostsWriter>>>,
    keyring: Arc<Keyring>,
    /// Warnings for the operator (unparsable `known_hosts` lines).
    pub warnings: Mutex<Vec<String>>,
}

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl ConnectionResolver {
    pub fn new(mut defaults: ConnectionDefaults, client_config: Option<ClientConfig>) -> Self {
        ConnectionResolver {
            // Moved, not copied: the keyring is the one holder of the passphrase.
            keyring: Arc::new(Keyring::new(defaults.key_passphrase.take())),
            defaults,
            client_config,
            known_hosts_cache: Mutex::new(BTreeMap::new()),
            writers: Mutex::new(BTreeMap::new()),
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The SSH target for an inventory host.
    pub fn ssh_target(&self, host: &Host) -> Result<SshTarget, UserError> {
        let config = self.config_for(&host.name);
        let connection = &host.connection;

        // A host without an explicit address carries its name as address; then
        // the client config's HostName may say where it really is.
        let address = if connection.address == host.name {
            config.host_name.clone().unwrap_or_else(|| connection.address.clone())
        } else {
            connection.address.clone()
        };
        let jumps =
            connection.proxy_jump.as_deref().map_or_else(|| config.proxy_jump.clone(), split_jumps);

        let mut target = self.target_from(
            &host.name,
            address,
            connection.port.or(config.port).unwrap_or(22),
            connection.user.clone().or(config.user.clone()),
            connection.identity_file.iter().cloned().chain(config.identity_files.clone()).collect(),
            connection.known_hosts_file.clone(),
            &config,
        )?;
        target.legacy_algorithms = connection.legacy_algorithms;
        target.proxy_jump = jumps
            .iter()
            .filter(|jump| !jump.eq_ignore_ascii_case("none"))
            .map(|jump| self.jump_target(jump))
            .collect::<Result<_, _>>()?;
        Ok(target)
    }

    /// A jump host given as `[user@]host[:port]`, itself resolved through the
    /// client config.
    fn jump_target(&self, spec: &str) -> Result<SshTarget, UserError> {
        let (user, rest) = match spec.split_once('@') {
            Some((user, rest)) => (Some(user.to_string()), rest),
            None => (None, spec),
        };
        let (name, port) = match rest.rsplit_once(':') {
            Some((name, port)) => {
                let port = port
                    .parse()
                    .map_err(|_| UserError::usage(format!("invalid port in ProxyJump `{spec}`")))?;
                (name, Some(port))
            }
            None => (rest, None),
        };
        let config = self.config_for(name);
        self.target_from(
            name,
            config.host_name.clone().unwrap_or_else(|| name.to_string()),
            port.or(config.port).unwrap_or(22),
            user.or(config.user.clone()),
            config.identity_files.clone(),
            None,
            &config,
        )
    }

    #[expect(clippy::too_many_arguments, reason = "one call per field of the resolved target")]
    fn target_from(
        &self,
        name: &str,
        address: String,
        port: u16,
        user: Option<String>,
        identity_files: Vec<PathBuf>,
        inventory_known_hosts: Option<PathBuf>,
        config: &HostConfig,
    ) -> Result<SshTarget, UserError> {
        let known_hosts_files = self.known_hosts_files(inventory_known_hosts, config);
        let policy =
            self.defaults.host_key_policy.unwrap_or(match config.strict_host_key_checking {
                Some(false) => HostKeyPolicy::AcceptNew,
                _ => HostKeyPolicy::Strict,
            });
        let writer =
            (policy == HostKeyPolicy::AcceptNew).then(|| self.writer(&known_hosts_files[0]));

        Ok(SshTarget {
            name: name.to_string(),
            address,
            port,
            user: user.unwrap_or_else(|| self.defaults.local_user.clone()),
            identity_files,
            keyring: Arc::clone(&self.keyring),
            password: self.defaults.password.clone(),
            known_hosts: self.known_hosts(&known_hosts_files)?,
            host_key_policy: policy,
            known_hosts_writer: writer,
            proxy_jump: Vec::new(),
            connect_timeout: self
                .defaults
                .connect_timeout
                .or(config.connect_timeout)
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            legacy_algorithms: false,
        })
    }

    fn config_for(&self, name: &str) -> HostConfig {
        self.client_config.as_ref().map(|config| config.query(name)).unwrap_or_default()
    }

    /// The user's file first (where `accept-new` writes), then the system's.
    fn known_hosts_files(&self, inventory: Option<PathBuf>, config: &HostConfig) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = inventory.into_iter().collect();
        if files.is_empty() {
            files.extend(config.user_known_hosts_files.iter().cloned());
        }
        if files.is_empty() {
            if let Some(home) = &self.defaults.home {
                files.push(home.join(".ssh/known_hosts"));
            }
        }
        files.push(PathBuf::from("/etc/ssh/ssh_known_hosts"));
        files
    }

    fn known_hosts(&self, files: &[PathBuf]) -> Result<Arc<KnownHosts>, UserError> {
        let mut cache =
            self.known_hosts_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = cache.get(files) {
            return Ok(Arc::clone(known));
        }
        let known = KnownHosts::load(files)
            .map_err(|error| UserError::usage(format!("cannot read known_hosts: {error}")))?;
        if !known.skipped_lines.is_empty() {
            self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!(
                "unparsable known_hosts lines skipped: {}",
                known.skipped_lines.join(", ")
            ));
        }
        let known = Arc::new(known);
        cache.insert(files.to_vec(), Arc::clone(&known));
        Ok(known)
    }

    fn writer(&self, path: &Path) -> Arc<KnownHostsWriter> {
        let mut writers = self.writers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            writers
                .entry(path.to_path_buf())
                .or_insert_with(|| Arc::new(KnownHostsWriter::new(path.to_path_buf()))),
        )
    }
}

/// `ProxyJump a,b` means through `a`, then `b`.
fn split_jumps(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|part| !part.is_empty()).map(String::from).collect()
}
