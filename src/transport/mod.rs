//! Reaching hosts and running commands on them.
//!
//! One [`Session`] per host is kept for a whole step, because a fresh SSH
//! connection costs an order of magnitude more CPU than a command on an open
//! one. Connection failures are classified into the distinct outcomes an
//! operator acts on differently ([`TransportError`]): refused, unreachable,
//! timed out, authentication failed, host key changed or unknown. Every
//! deadline is explicit, because libssh2's default is to wait forever.
//!
//! Implementations: [`ssh`] (libssh2 through the `ssh2` crate) and [`local`]
//! (the controller itself). `WinRM` will be a third behind the same trait.

mod capture;
pub mod keys;
pub mod known_hosts;
mod local;
mod proxy;
pub mod quote;
mod ssh;
pub mod ssh_config;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use capture::BoundedBuffer;
pub use keys::Keyring;
pub use known_hosts::{HostKeyPolicy, KnownHosts, KnownHostsWriter};
pub use local::LocalSession;
pub use ssh::SshSession;

use crate::artifact::inventory::HostOutcome;

/// A secret (password) that never prints and never serialises.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(***)")
    }
}

/// Everything needed to open an SSH session to one host.
#[derive(Debug, Clone)]
pub struct SshTarget {
    /// Inventory name, used in messages and `known_hosts` lookups.
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub identity_files: Vec<PathBuf>,
    /// The run's key files as libssh2 should be given them, shared by all
    /// targets so each key is read (and decrypted) once.
    pub keyring: Arc<Keyring>,
    pub password: Option<Secret>,
    pub known_hosts: Arc<KnownHosts>,
    pub host_key_policy: HostKeyPolicy,
    /// Where `accept-new` records keys.
    pub known_hosts_writer: Option<Arc<KnownHostsWriter>>,
    /// Jump hosts, outermost first.
    pub proxy_jump: Vec<SshTarget>,
    pub connect_timeout: Duration,
    /// Allow SHA-1 algorithms for old servers, only where the inventory says so.
    pub legacy_algorithms: bool,
}

/// Privilege escalation through sudo.
#[derive(Debug, Clone)]
pub struct Become {
    /// Fed to `sudo -S` on stdin, never on the command line.
    pub password: Option<Secret>,
}

/// One command to run through a remote POSIX shell.
#[derive(Debug, Clone)]
pub struct RemoteCommand {
    /// Shell text; every value inside was quoted with [`quote::quote`].
    pub script: String,
    pub become_root: Option<Become>,
    /// Bytes fed on stdin after any sudo password.
    pub stdin: Vec<u8>,
    pub timeout: Duration,
    /// Bytes kept per stream.
    pub max_output: usize,
}

impl RemoteCommand {
    pub fn new(script: impl Into<String>, timeout: Duration, max_output: usize) -> Self {
        RemoteCommand {
            script: script.into(),
            become_root: None,
            stdin: Vec::new(),
            timeout,
            max_output,
        }
    }

    /// The command line the remote side runs, and what goes on its stdin.
    ///
    /// sshd hands the command line to the user's login shell, which may be
    /// bash, zsh or anything else, so the script always travels as one
    /// quoted argument of `sh -c` and runs under the system's POSIX shell.
    /// That is also the cheaper shell: dash starts and forks the gather
    /// script's tools for ~10 ms less CPU per host than bash (measured on
    /// the lab). With sudo, the quoted script also keeps a password line on
    /// stdin from ever being read as shell input when sudo does not ask.
    pub fn wire_form(&self) -> (String, Vec<u8>) {
        match &self.become_root {
            None => (format!("exec sh -c {}", quote::quote_str(&self.script)), self.stdin.clone()),
            Some(Become { password: None }) => {
                (format!("sudo -n -- sh -c {}", quote::quote_str(&self.script)), self.stdin.clone())
            }
            Some(Become { password: Some(password) }) => {
                let mut stdin = format!("{}\n", password.expose()).into_bytes();
                stdin.extend_from_slice(&self.stdin);
                (format!("sudo -S -p '' -- sh -c {}", quote::quote_str(&self.script)), stdin)
            }
        }
    }
}

/// What a command left behind.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    pub exit_status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Bytes dropped beyond the per-stream limit.
    pub stdout_dropped: u64,
    pub stderr_dropped: u64,
    pub duration: Duration,
}

impl CommandOutput {
    /// Assembles the result from the two bounded streams.
    pub fn from_streams(
        exit_status: i32,
        stdout: BoundedBuffer,
        stderr: BoundedBuffer,
        duration: Duration,
    ) -> Self {
        CommandOutput {
            exit_status,
            stdout_dropped: stdout.dropped(),
            stderr_dropped: stderr.dropped(),
            stdout: stdout.into_bytes(),
            stderr: stderr.into_bytes(),
            duration,
        }
    }

    pub fn is_truncated(&self) -> bool {
        self.stdout_dropped > 0 || self.stderr_dropped > 0
    }
}

/// Why a host could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("connection refused by `{address}`")]
    Refused { address: String },
    #[error("`{address}` is unreachable: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("timed out {stage} after {seconds:.1}s")]
    TimedOut { stage: &'static str, seconds: f64 },
    #[error("authentication as `{user}` failed (tried {tried})")]
    AuthenticationFailed { user: String, tried: String },
    #[error(
        "host key for `{host}` has CHANGED (now {fingerprint}); refusing to connect. \
         If the host was rebuilt, remove its old entry from known_hosts"
    )]
    HostKeyChanged { host: String, fingerprint: String },
    #[error("host key {fingerprint} for `{host}` is REVOKED in known_hosts; refusing to connect")]
    HostKeyRevoked { host: String, fingerprint: String },
    #[error(
        "host `{host}` is not in known_hosts (key {fingerprint}); refusing under strict checking"
    )]
    HostKeyUnknown { host: String, fingerprint: String },
    #[error("no common {what} algorithm with `{host}`: {detail}")]
    NoCommonAlgorithm { host: String, what: &'static str, detail: String },
    #[error("ssh: {0}")]
    Protocol(String),
    #[error("i/o: {0}")]
    Io(String),
}

impl TransportError {
    /// The inventory outcome this error is recorded as.
    pub fn outcome(&self) -> HostOutcome {
        let message = self.to_string();
        match self {
            TransportError::Refused { .. } => HostOutcome::Refused { message },
            TransportError::Unreachable { .. } => HostOutcome::Unreachable { message },
            TransportError::TimedOut { .. } => HostOutcome::TimedOut { message },
            TransportError::AuthenticationFailed { .. } => {
                HostOutcome::AuthenticationFailed { message }
            }
            TransportError::HostKeyChanged { fingerprint, .. }
            | TransportError::HostKeyRevoked { fingerprint, .. } => {
                HostOutcome::HostKeyMismatch { message, fingerprint: fingerprint.clone() }
            }
            TransportError::HostKeyUnknown { fingerprint, .. } => {
                HostOutcome::HostKeyUnknown { message, fingerprint: fingerprint.clone() }
            }
            TransportError::NoCommonAlgorithm { .. }
            | TransportError::Protocol(_)
            | TransportError::Io(_) => HostOutcome::Failed { message },
        }
    }
}

/// An open connection to one host.
pub trait Session: Send {
    /// Runs a command, giving up at whichever comes first: the command's own
    /// time-out or `deadline` (the whole host's budget).
    fn run(
        &mut self,
        command: &RemoteCommand,
        deadline: Instant,
    ) -> Result<CommandOutput, TransportError>;
}

/// Time left until `deadline`, or a time-out error naming `stage`.
pub(crate) fn remaining(
    deadline: Instant,
    started: Instant,
    stage: &'static str,
) -> Result<Duration, TransportError> {
    let now = Instant::now();
    if now >= deadline {
        return Err(TransportError::TimedOut {
            stage,
            seconds: now.duration_since(started).as_secs_f64(),
        });
    }
    Ok(deadline - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What sshd does with a bash login shell: `bash -c <command line>`.
    #[test]
    fn scripts_run_under_sh_whatever_the_login_shell() {
        let command =
            RemoteCommand::new(r#"echo "$0"; echo 'it'"'"'s'"#, Duration::from_secs(5), 1024);
        let (line, stdin) = command.wire_form();
        assert!(stdin.is_empty());

        let output = std::process::Command::new("bash").arg("-c").arg(&line).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "sh\nit's\n");
    }

    #[test]
    fn sudo_password_goes_on_stdin_never_on_the_command_line() {
        let mut command = RemoteCommand::new("id -u; echo '$x'", Duration::from_secs(5), 1024);
        command.become_root = Some(Become { password: Some(Secret::new("s3cr;et".into())) });
        let (line, stdin) = command.wire_form();
        assert!(!line.contains("s3cr;et"), "{line}");
        assert_eq!(line, "sudo -S -p '' -- sh -c 'id -u; echo '\\''$x'\\'''");
        assert_eq!(stdin, b"s3cr;et\n");
        assert_eq!(
            format!("{:?}", command.become_root),
            "Some(Become { password: Some(Secret(***)) })"
        );
    }
}
