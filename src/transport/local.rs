//! The controller itself as a host, so `patchpilot inventory` works with no
//! inventory and no SSH at all.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{BoundedBuffer, CommandOutput, RemoteCommand, Session, TransportError, remaining};

/// Runs commands through the local `sh`.
#[derive(Debug, Default)]
pub struct LocalSession;

impl Session for LocalSession {
    fn run(
        &mut self,
        command: &RemoteCommand,
        deadline: Instant,
    ) -> Result<CommandOutput, TransportError> {
        let started = Instant::now();
        let deadline = deadline.min(started + command.timeout);
        let (line, stdin) = command.wire_form();

        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| TransportError::Io(format!("cannot start `sh`: {error}")))?;

        let stdout = spawn_reader(child.stdout.take(), command.max_output);
        let stderr = spawn_reader(child.stderr.take(), command.max_output);
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(&stdin);
        }

        let exit_status = wait_until(&mut child, deadline, started)?;
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();

        Ok(CommandOutput::from_streams(exit_status, stdout, stderr, started.elapsed()))
    }
}

fn spawn_reader(
    pipe: Option<impl Read + Send + 'static>,
    limit: usize,
) -> JoinHandle<BoundedBuffer> {
    std::thread::spawn(move || {
        let mut buffer = BoundedBuffer::new(limit);
        if let Some(mut pipe) = pipe {
            let mut chunk = [0_u8; 16 * 1024];
            while let Ok(count) = pipe.read(&mut chunk) {
                if count == 0 {
                    break;
                }
                buffer.push(&chunk[..count]);
            }
        }
        buffer
    })
}

/// Waits for the child, killing it at the deadline.
fn wait_until(
    child: &mut Child,
    deadline: Instant,
    started: Instant,
) -> Result<i32, TransportError> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status.code().unwrap_or(-1)),
            Ok(None) => {}
            Err(error) => return Err(TransportError::Io(error.to_string())),
        }
        if let Err(timeout) = remaining(deadline, started, "running a local command") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(timeout);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str, timeout: Duration, limit: usize) -> Result<CommandOutput, TransportError> {
        let command = RemoteCommand::new(script, timeout, limit);
        LocalSession.run(&command, Instant::now() + Duration::from_secs(30))
    }

    #[test]
    fn captures_both_streams_and_status() {
        let output = run("echo out; echo err >&2; exit 3", Duration::from_secs(5), 1024).unwrap();
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        assert_eq!(output.exit_status, 3);
    }

    #[test]
    fn endless_output_is_bounded() {
        let output = run("head -c 5000000 /dev/zero", Duration::from_secs(10), 1000).unwrap();
        assert_eq!(output.stdout.len(), 1000);
        assert_eq!(output.stdout_dropped, 4_999_000);
    }

    #[test]
    fn hung_command_times_out() {
        let started = Instant::now();
        let error = run("sleep 30", Duration::from_millis(300), 1024).unwrap_err();
        assert!(matches!(error, TransportError::TimedOut { .. }), "{error}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
