//! SSH sessions through libssh2, with the safety libssh2 leaves to callers.
//!
//! What is handled here and why (measured on this project's lab):
//! - libssh2 waits forever by default: the TCP connect has its own time-out,
//!   every blocking libssh2 call gets `set_timeout`, and command output is
//!   read in non-blocking mode with `poll(2)` up to the command's deadline.
//! - Host keys are checked by [`super::known_hosts`], not libssh2.
//! - Host-key algorithms are pinned to plain (non-certificate) types, in the
//!   order `known_hosts` has them for the host, because a server with a host
//!   certificate otherwise makes libssh2 pick the certificate and fail the
//!   plain check.
//! - curve25519 key exchange first: it costs the client about a tenth of
//!   OpenSSH's default post-quantum exchange.
//! - stdout and stderr are drained together, so a chatty stderr can never
//!   fill the channel window and stall stdout.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use ssh2::{BlockDirections, ErrorCode, MethodType};

use super::keys::KeyCredential;
use super::known_hosts::{self, HostKeyPolicy, Verdict};
use super::proxy::{self, Tunnel};
use super::{
    BoundedBuffer, CommandOutput, RemoteCommand, Secret, Session, SshTarget, TransportError,
    remaining,
};

const KEX_PREFERENCE: &str = "curve25519-sha256,curve25519-sha256@libssh.org,\
ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,\
diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
const HOST_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
];
const LEGACY_HOST_KEY_TYPES: &[&str] = &["ssh-rsa"];
const LEGACY_KEX: &str = "diffie-hellman-group14-sha1";

/// How long a channel may be silent before we send a keepalive.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// libssh2 error codes we translate.
const LIBSSH2_ERROR_KEX_FAILURE: i32 = -5;
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;
const LIBSSH2_ERROR_FILE: i32 = -16;
const LIBSSH2_ERROR_SOCKET_TIMEOUT: i32 = -30;

/// An authenticated SSH session to one host.
pub struct SshSession {
    session: ssh2::Session,
    /// A second handle on the socket, for `poll(2)`.
    socket: OwnedFd,
    name: String,
    /// The bridge through a jump host, when there is one; dropped last.
    tunnel: Option<Tunnel>,
}

impl std::fmt::Debug for SshSession {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SshSession").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SshSession {
    /// Connects, verifies the host key and authenticates, all before `deadline`.
    pub fn connect(target: &SshTarget, deadline: Instant) -> Result<Self, TransportError> {
        let started = Instant::now();
        let budget = target.connect_timeout.min(remaining(deadline, started, "connecting")?);
        let mut session = ssh2::Session::new().map_err(protocol_error)?;
        session.set_timeout(millis(budget));
        set_algorithm_preferences(&session, target)?;
        let (socket, tunnel) = attach_stream(&mut session, target, budget, deadline)?;
        session.handshake().map_err(|error| classify_handshake_error(&error, target, started))?;

        verify_host_key(&session, target)?;
        session.set_timeout(millis(remaining(deadline, started, "authenticating")?));
        authenticate(&session, target, started)?;
        session.set_keepalive(false, 15);

        Ok(SshSession { session, socket, name: target.name.clone(), tunnel })
    }

    /// Gives up the session, its socket and any tunnel it runs over, for
    /// use as a jump host.
    fn into_parts(self) -> (ssh2::Session, OwnedFd, Option<Tunnel>) {
        (self.session, self.socket, self.tunnel)
    }

    /// Waits until the socket can make progress in the direction libssh2 is
    /// blocked on, or until `deadline`.
    fn wait_for_socket(&self, deadline: Instant, started: Instant) -> Result<(), TransportError> {
        let left = remaining(deadline, started, "running a command")?;
        let flags = match self.session.block_directions() {
            BlockDirections::Outbound => PollFlags::OUT,
            BlockDirections::Both => PollFlags::IN | PollFlags::OUT,
            BlockDirections::Inbound | BlockDirections::None => PollFlags::IN,
        };
        let slice = left.min(Duration::from_secs(1));
        let timeout = Timespec {
            tv_sec: i64::try_from(slice.as_secs()).unwrap_or(1),
            tv_nsec: i64::from(slice.subsec_nanos()),
        };
        let mut fds = [PollFd::new(&self.socket, flags)];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(error) => Err(TransportError::Io(error.to_string())),
        }
    }
}

impl Session for SshSession {
    fn run(
        &mut self,
        command: &RemoteCommand,
        deadline: Instant,
    ) -> Result<CommandOutput, TransportError> {
        let started = Instant::now();
        let deadline = deadline.min(started + command.timeout);
        let (line, stdin) = command.wire_form();
        tracing::trace!(host = %self.name, command = %command.script, "running");

        self.session.set_blocking(true);
        self.session.set_timeout(millis(remaining(deadline, started, "opening a channel")?));
        let mut channel =
            self.session.channel_session().map_err(|e| ssh_call_error(&e, started))?;
        channel.exec(&line).map_err(|e| ssh_call_error(&e, started))?;
        if !stdin.is_empty() {
            channel.write_all(&stdin).map_err(io_error)?;
        }
        channel.send_eof().map_err(|e| ssh_call_error(&e, started))?;

        let (stdout, stderr) = self.drain(&mut channel, command.max_output, deadline, started)?;

        self.session.set_blocking(true);
        self.session.set_timeout(millis(remaining(deadline, started, "closing a channel")?));
        channel.wait_close().map_err(|e| ssh_call_error(&e, started))?;
        let exit_status = channel.exit_status().map_err(protocol_error)?;

        Ok(CommandOutput::from_streams(exit_status, stdout, stderr, started.elapsed()))
    }
}

impl SshSession {
    /// Reads stdout and stderr in turn until the remote side closes both.
    fn drain(
        &self,
        channel: &mut ssh2::Channel,
        limit: usize,
        deadline: Instant,
        started: Instant,
    ) -> Result<(BoundedBuffer, BoundedBuffer), TransportError> {
        let mut stdout = BoundedBuffer::new(limit);
        let mut stderr = BoundedBuffer::new(limit);
        let mut chunk = vec![0_u8; 32 * 1024];
        let mut last_traffic = Instant::now();
        self.session.set_blocking(false);

        loop {
            let mut progressed = read_available(channel, &mut chunk, &mut stdout)?;
            progressed |= read_available(&mut channel.stderr(), &mut chunk, &mut stderr)?;
            if progressed {
                last_traffic = Instant::now();
                continue;
            }
            if channel.eof() {
                return Ok((stdout, stderr));
            }
            // libssh2 sends keepalives only when asked; a quiet command (an
            // upgrade unpacking) must not look like a dead link to a firewall.
            if last_traffic.elapsed() >= KEEPALIVE_INTERVAL {
                let _ = self.session.keepalive_send();
                last_traffic = Instant::now();
            }
            self.wait_for_socket(deadline, started)?;
        }
    }
}

/// Reads what is there without blocking; true if anything was read.
fn read_available(
    stream: &mut impl Read,
    chunk: &mut [u8],
    into: &mut BoundedBuffer,
) -> Result<bool, TransportError> {
    let mut progressed = false;
    loop {
        match stream.read(chunk) {
            Ok(0) => return Ok(progressed),
            Ok(count) => {
                into.push(&chunk[..count]);
                progressed = true;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Ok(progressed),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(io_error(error)),
        }
    }
}

/// Connects the session's transport: a TCP socket, or a tunnel through the
/// last jump host (which itself may sit behind earlier ones).
fn attach_stream(
    session: &mut ssh2::Session,
    target: &SshTarget,
    budget: Duration,
    deadline: Instant,
) -> Result<(OwnedFd, Option<Tunnel>), TransportError> {
    let Some((jump, earlier)) = target.proxy_jump.split_last() else {
        let address = resolve(&target.address, target.port)?;
        let tcp = TcpStream::connect_timeout(&address, budget)
            .map_err(|error| classify_connect_error(&error, &target.address, budget))?;
        let _ = tcp.set_nodelay(true);
        let socket = OwnedFd::from(tcp.try_clone().map_err(io_error)?);
        session.set_tcp_stream(tcp);
        return Ok((socket, None));
    };

    let mut jump = jump.clone();
    jump.proxy_jump = earlier.to_vec();
    let (jump_session, jump_socket, upstream) = SshSession::connect(&jump, deadline)?.into_parts();
    let (stream, tunnel) = proxy::open(
        proxy::Upstream { session: jump_session, socket: jump_socket, tunnel: upstream },
        &target.address,
        target.port,
        deadline,
    )?;
    let socket = OwnedFd::from(stream.try_clone().map_err(io_error)?);
    session.set_tcp_stream(stream);
    Ok((socket, Some(tunnel)))
}

fn resolve(address: &str, port: u16) -> Result<SocketAddr, TransportError> {
    (address, port)
        .to_socket_addrs()
        .map_err(|error| TransportError::Unreachable {
            address: address.to_string(),
            reason: format!("cannot resolve: {error}"),
        })?
        .next()
        .ok_or_else(|| TransportError::Unreachable {
            address: address.to_string(),
            reason: "name resolves to no address".to_string(),
        })
}

fn set_algorithm_preferences(
    session: &ssh2::Session,
    target: &SshTarget,
) -> Result<(), TransportError> {
    let names = [target.name.as_str(), target.address.as_str()];
    let mut host_keys = target.known_hosts.algorithms_for(&names, target.port);
    for algorithm in HOST_KEY_TYPES {
        if !host_keys.iter().any(|known| known == algorithm) {
            host_keys.push((*algorithm).to_string());
        }
    }
    host_keys.retain(|algorithm| {
        HOST_KEY_TYPES.contains(&algorithm.as_str()) || target.legacy_algorithms
    });
    let mut kex = KEX_PREFERENCE.to_string();
    if target.legacy_algorithms {
        host_keys.extend(LEGACY_HOST_KEY_TYPES.iter().map(ToString::to_string));
        kex = format!("{kex},{LEGACY_KEX}");
    }

    session.method_pref(MethodType::HostKey, &host_keys.join(",")).map_err(protocol_error)?;
    session.method_pref(MethodType::Kex, &kex).map_err(protocol_error)
}

fn verify_host_key(session: &ssh2::Session, target: &SshTarget) -> Result<(), TransportError> {
    let (blob, _) = session
        .host_key()
        .ok_or_else(|| TransportError::Protocol("server sent no host key".to_string()))?;
    let names = [target.name.as_str(), target.address.as_str()];
    let fingerprint = known_hosts::fingerprint(blob);
    let host = target.name.clone();

    match target.known_hosts.verify(&names, target.port, blob) {
        Verdict::Trusted => Ok(()),
        Verdict::Revoked => Err(TransportError::HostKeyRevoked { host, fingerprint }),
        Verdict::Changed => Err(TransportError::HostKeyChanged { host, fingerprint }),
        Verdict::Unknown => match (target.host_key_policy, &target.known_hosts_writer) {
            (HostKeyPolicy::AcceptNew, Some(writer)) => {
                tracing::warn!(host = %host, %fingerprint, "accepting new host key");
                writer.append(&names, target.port, blob).map_err(io_error)
            }
            _ => Err(TransportError::HostKeyUnknown { host, fingerprint }),
        },
    }
}

/// Tries the agent, then key files, then a password, as OpenSSH does.
fn authenticate(
    session: &ssh2::Session,
    target: &SshTarget,
    started: Instant,
) -> Result<(), TransportError> {
    let user = target.user.as_str();
    let mut tried = Vec::new();

    if std::env::var_os("SSH_AUTH_SOCK").is_some() {
        tried.push("agent".to_string());
        if session.userauth_agent(user).is_ok() && session.authenticated() {
            return Ok(());
        }
    }

    for key in identity_files(target) {
        tried.push(format!("key `{}`", key.display()));
        let attempt = match target.keyring.credential(&key) {
            KeyCredential::File { private, public, passphrase } => session.userauth_pubkey_file(
                user,
                public.as_deref(),
                &private,
                passphrase.as_ref().map(Secret::expose),
            ),
            // LIMITATION: ssh2 copies the decrypted key into a CString it
            // frees without wiping; an ssh2 call taking bytes would lift it.
            KeyCredential::Unlocked(unlocked) => session.userauth_pubkey_memory(
                user,
                Some(&unlocked.public),
                &unlocked.private,
                None,
            ),
            KeyCredential::Unusable(_) => continue,
        };
        match attempt {
            Ok(()) if session.authenticated() => return Ok(()),
            Ok(()) => {}
            Err(error) => check_auth_error(&error, &key, started)?,
        }
    }

    if let Some(password) = &target.password {
        tried.push("password".to_string());
        if session.userauth_password(user, password.expose()).is_ok() && session.authenticated() {
            return Ok(());
        }
    }

    Err(TransportError::AuthenticationFailed {
        user: user.to_string(),
        tried: if tried.is_empty() { "no method".to_string() } else { tried.join(", ") },
    })
}

/// A failed key is normal (the next one may work); a time-out is not.
fn check_auth_error(
    error: &ssh2::Error,
    key: &Path,
    started: Instant,
) -> Result<(), TransportError> {
    match error.code() {
        ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT | LIBSSH2_ERROR_SOCKET_TIMEOUT) => {
            Err(TransportError::TimedOut {
                stage: "authenticating",
                seconds: started.elapsed().as_secs_f64(),
            })
        }
        ErrorCode::Session(LIBSSH2_ERROR_FILE) => {
            tracing::warn!(key = %key.display(), "key file unreadable or needs a passphrase");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The inventory's keys, else OpenSSH's default key files that exist.
fn identity_files(target: &SshTarget) -> Vec<PathBuf> {
    if !target.identity_files.is_empty() {
        return target.identity_files.clone();
    }
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| PathBuf::from(&home).join(".ssh").join(name))
        .filter(|path| path.exists())
        .collect()
}

fn classify_connect_error(
    error: &std::io::Error,
    address: &str,
    budget: Duration,
) -> TransportError {
    let address = address.to_string();
    match error.kind() {
        ErrorKind::ConnectionRefused => TransportError::Refused { address },
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            TransportError::TimedOut { stage: "connecting", seconds: budget.as_secs_f64() }
        }
        _ => TransportError::Unreachable { address, reason: error.to_string() },
    }
}

fn classify_handshake_error(
    error: &ssh2::Error,
    target: &SshTarget,
    started: Instant,
) -> TransportError {
    match error.code() {
        ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT | LIBSSH2_ERROR_SOCKET_TIMEOUT) => {
            TransportError::TimedOut {
                stage: "in the SSH handshake",
                seconds: started.elapsed().as_secs_f64(),
            }
        }
        ErrorCode::Session(LIBSSH2_ERROR_KEX_FAILURE) => TransportError::NoCommonAlgorithm {
            host: target.name.clone(),
            what: "key exchange or host key",
            detail: format!(
                "{}; very old servers need `legacy_algorithms = true` in the inventory",
                error.message()
            ),
        },
        _ => TransportError::Protocol(format!("handshake with `{}`: {error}", target.name)),
    }
}

fn ssh_call_error(error: &ssh2::Error, started: Instant) -> TransportError {
    match error.code() {
        ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT | LIBSSH2_ERROR_SOCKET_TIMEOUT) => {
            TransportError::TimedOut {
                stage: "running a command",
                seconds: started.elapsed().as_secs_f64(),
            }
        }
        _ => TransportError::Protocol(error.to_string()),
    }
}

#[expect(clippy::needless_pass_by_value, reason = "shaped for `map_err`")]
fn protocol_error(error: ssh2::Error) -> TransportError {
    TransportError::Protocol(error.to_string())
}

#[expect(clippy::needless_pass_by_value, reason = "shaped for `map_err`")]
fn io_error(error: std::io::Error) -> TransportError {
    TransportError::Io(error.to_string())
}

/// libssh2 takes milliseconds as u32, where 0 means "forever": never pass 0.
fn millis(duration: Duration) -> u32 {
    u32::try_from(duration.as_millis()).unwrap_or(u32::MAX).max(1)
}
