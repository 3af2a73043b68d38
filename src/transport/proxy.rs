//! `ProxyJump`: reaching a host through a bastion.
//!
//! libssh2 has no `ProxyJump`. We open a `direct-tcpip` channel on the jump
//! host's session and bridge it to one end of a Unix socket pair; the target
//! session runs its own handshake over the other end, so the bastion only
//! ever sees encrypted bytes and the target's host key is checked end to end,
//! exactly as with OpenSSH. One pump thread per tunnel moves bytes both ways.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use rustix::event::{PollFd, PollFlags, Timespec};

use super::TransportError;

/// Bytes buffered per direction before the pump stops reading that side.
const BUFFER_LIMIT: usize = 256 * 1024;

/// A running bridge; dropping it stops the pump and closes the jump session.
#[derive(Debug)]
pub struct Tunnel {
    stop: Arc<AtomicBool>,
    pump: Option<JoinHandle<()>>,
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(pump) = self.pump.take() {
            let _ = pump.join();
        }
    }
}

/// An authenticated session on a jump host, with what keeps it alive.
pub struct Upstream {
    pub session: ssh2::Session,
    pub socket: OwnedFd,
    /// The jump host's own tunnel, when it sits behind an earlier jump.
    #[expect(dead_code, reason = "held only so the earlier hop lives as long as this one")]
    pub tunnel: Option<Tunnel>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Upstream").finish_non_exhaustive()
    }
}

/// Opens a channel from the jump host to `host:port` and returns the local
/// end to run the target's SSH session over.
pub fn open(
    upstream: Upstream,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(UnixStream, Tunnel), TransportError> {
    let left = deadline.saturating_duration_since(Instant::now());
    let jump = &upstream.session;
    jump.set_blocking(true);
    jump.set_timeout(u32::try_from(left.as_millis()).unwrap_or(u32::MAX).max(1));
    let channel = jump.channel_direct_tcpip(host, port, None).map_err(|error| {
        TransportError::Unreachable {
            address: format!("{host}:{port}"),
            reason: format!("the jump host could not connect: {}", error.message()),
        }
    })?;

    let (ours, theirs) = UnixStream::pair().map_err(|e| TransportError::Io(e.to_string()))?;
    theirs.set_nonblocking(true).map_err(|e| TransportError::Io(e.to_string()))?;
    jump.set_blocking(false);

    let stop = Arc::new(AtomicBool::new(false));
    let pump_stop = Arc::clone(&stop);
    let pump = std::thread::Builder::new()
        .name("patchpilot-proxyjump".to_string())
        .spawn(move || Pump::new(upstream, channel, theirs).run(&pump_stop))
        .map_err(|e| TransportError::Io(e.to_string()))?;

    Ok((ours, Tunnel { stop, pump: Some(pump) }))
}

/// Moves bytes between the jump channel and the local socket end.
struct Pump {
    /// The jump session, kept alive for as long as the channel is used.
    upstream: Upstream,
    channel: ssh2::Channel,
    local: UnixStream,
    to_remote: Vec<u8>,
    to_local: Vec<u8>,
    chunk: Vec<u8>,
}

impl Pump {
    fn new(upstream: Upstream, channel: ssh2::Channel, local: UnixStream) -> Self {
        Pump {
            upstream,
            channel,
            local,
            to_remote: Vec::new(),
            to_local: Vec::new(),
            chunk: vec![0; 32 * 1024],
        }
    }

    fn run(mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            match self.step() {
                Ok(true) => {}
                Ok(false) => self.wait(),
                Err(()) => break,
            }
        }
        let _ = self.channel.close();
    }

    /// One pass in both directions; true if any byte moved, Err when either
    /// side has closed for good.
    fn step(&mut self) -> Result<bool, ()> {
        let mut moved = false;

        if self.to_remote.len() < BUFFER_LIMIT {
            match self.local.read(&mut self.chunk) {
                Ok(0) => return Err(()),
                Ok(count) => {
                    self.to_remote.extend_from_slice(&self.chunk[..count]);
                    moved = true;
                }
                Err(error) if is_retry(&error) => {}
                Err(_) => return Err(()),
            }
        }
        moved |= flush(&mut self.channel, &mut self.to_remote)?;

        if self.to_local.len() < BUFFER_LIMIT {
            match self.channel.read(&mut self.chunk) {
                Ok(0) if self.channel.eof() => return Err(()),
                Ok(0) => {}
                Ok(count) => {
                    self.to_local.extend_from_slice(&self.chunk[..count]);
                    moved = true;
                }
                Err(error) if is_retry(&error) => {}
                Err(_) => return Err(()),
            }
        }
        moved |= flush(&mut self.local, &mut self.to_local)?;

        Ok(moved)
    }

    /// Sleeps until either socket can make progress, at most 200 ms so the
    /// stop flag is seen promptly.
    fn wait(&self) {
        let session_flags = match self.upstream.session.block_directions() {
            ssh2::BlockDirections::Outbound => PollFlags::OUT,
            ssh2::BlockDirections::Both => PollFlags::IN | PollFlags::OUT,
            _ => PollFlags::IN,
        };
        let local_flags =
            if self.to_local.is_empty() { PollFlags::IN } else { PollFlags::IN | PollFlags::OUT };
        let local_fd = self.local.as_fd();
        let mut fds = [
            PollFd::new(&self.upstream.socket, session_flags),
            PollFd::new(&local_fd, local_flags),
        ];
        let timeout = Timespec { tv_sec: 0, tv_nsec: 200_000_000 };
        let _ = rustix::event::poll(&mut fds, Some(&timeout));
    }
}

/// Writes what the sink takes now; true if anything was written.
fn flush(sink: &mut impl Write, pending: &mut Vec<u8>) -> Result<bool, ()> {
    if pending.is_empty() {
        return Ok(false);
    }
    match sink.write(pending) {
        Ok(0) => Err(()),
        Ok(count) => {
            pending.drain(..count);
            Ok(true)
        }
        Err(error) if is_retry(&error) => Ok(false),
        Err(_) => Err(()),
    }
}

fn is_retry(error: &std::io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}
