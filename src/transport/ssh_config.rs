//! The parts of an OpenSSH client config that people rely on.
//!
//! libssh2 reads no config at all, so a host that `ssh web1` reaches through
//! `~/.ssh/config` would be unreachable to us without this. Parsing is done
//! by the `ssh2-config` crate; this module picks the fields we honour and
//! reads the two it leaves raw (`StrictHostKeyChecking`, `UserKnownHostsFile`).

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh2_config::{ParseRule, SshConfig};

/// Settings the config gives one host; `None` means "not set there".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub host_name: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_files: Vec<PathBuf>,
    /// Jump hosts in order, each `[user@]host[:port]`.
    pub proxy_jump: Vec<String>,
    /// `Some(true)` for yes, `Some(false)` for accept-new; `no` is refused
    /// at load time because we never connect without checking keys.
    pub strict_host_key_checking: Option<bool>,
    pub user_known_hosts_files: Vec<PathBuf>,
    pub connect_timeout: Option<Duration>,
}

/// Errors reading an OpenSSH client config.
#[derive(Debug, thiserror::Error)]
pub enum SshConfigError {
    #[error("cannot read `{path}`")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("`{path}`: {message}")]
    Parse { path: PathBuf, message: String },
}

/// A parsed client config.
#[derive(Debug)]
pub struct ClientConfig {
    config: SshConfig,
}

impl ClientConfig {
    /// Parses `path`; `~` and relative `Include`s resolve against `home`.
    pub fn load(path: &Path, home: &Path) -> Result<Self, SshConfigError> {
        let file = std::fs::File::open(path)
            .map_err(|source| SshConfigError::Read { path: path.to_path_buf(), source })?;
        let config = SshConfig::default()
            .home_dir(home)
            .parse(&mut BufReader::new(file), ParseRule::ALLOW_UNSUPPORTED_FIELDS)
            .map_err(|error| SshConfigError::Parse {
                path: path.to_path_buf(),
                message: error.to_string(),
            })?;
        Ok(ClientConfig { config })
    }

    /// Everything the config says for `host` (the name as given in the inventory).
    pub fn query(&self, host: &str) -> HostConfig {
        let params = self.config.query(host);
        let raw = |key: &str| params.unsupported_fields.get(key).cloned().unwrap_or_default();

        let strict = raw("stricthostkeychecking")
            .first()
            .map(|value| !value.eq_ignore_ascii_case("accept-new"));
        let known_hosts_files =
            raw("userknownhostsfile").iter().map(|path| expand_home(path)).collect();

        HostConfig {
            host_name: params.host_name.clone(),
            user: params.user.clone(),
            port: params.port,
            identity_files: params.identity_file.clone().unwrap_or_default(),
            proxy_jump: params.proxy_jump.clone().unwrap_or_default(),
            strict_host_key_checking: strict,
            user_known_hosts_files: known_hosts_files,
            connect_timeout: params.connect_timeout,
        }
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> ClientConfig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, text).unwrap();
        ClientConfig::load(&path, dir.path()).unwrap()
    }

    #[test]
    fn honours_host_patterns_and_first_value_wins() {
        let config = config(
            "Host web*\n  HostName 127.100.1.1\n  User ops\n  Port 2222\n\
             \n  IdentityFile /keys/web\n  ProxyJump bastion\n  ConnectTimeout 7\n\
             \n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile /lab/known_hosts\n\
             Host *\n  User root\n  Port 22\n",
        );
        let web = config.query("web1");
        assert_eq!(web.host_name.as_deref(), Some("127.100.1.1"));
        assert_eq!(web.user.as_deref(), Some("ops"));
        assert_eq!(web.port, Some(2222));
        assert_eq!(web.identity_files, vec![PathBuf::from("/keys/web")]);
        assert_eq!(web.proxy_jump, vec!["bastion".to_string()]);
        assert_eq!(web.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(web.strict_host_key_checking, Some(false));
        assert_eq!(web.user_known_hosts_files, vec![PathBuf::from("/lab/known_hosts")]);

        let db = config.query("db1");
        assert_eq!(db.user.as_deref(), Some("root"));
        assert_eq!(db.host_name, None);
        assert_eq!(db.strict_host_key_checking, None);
    }
}
