//! Performance baselines: how a host looks when it is healthy.
//!
//! Recorded at inventory time and compared after patching (drift), so a
//! regression shows as a number, not a hunch. Host-side figures (load,
//! memory, free disk) come from facts; per-service probes (a TCP connect, an
//! HTTP check) run from the controller, because that is where users stand.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::artifact::inventory::{Baseline, Facts, ProbeResult};

/// A probe to run against a host's service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Connect to `host:port` and measure the time.
    Tcp { name: String, address: String },
    /// `GET` the URL; 2xx and 3xx are healthy.
    Http { name: String, url: String },
}

/// Builds the baseline from facts and probe results.
pub fn record(facts: Option<&Facts>, probes: Vec<ProbeResult>) -> Baseline {
    let disk_available_bytes: BTreeMap<String, u64> = facts
        .map(|facts| {
            facts.disks.iter().map(|disk| (disk.mount.clone(), disk.available_bytes)).collect()
        })
        .unwrap_or_default();
    Baseline {
        load_one: facts.and_then(|facts| facts.load.as_ref()).map(|load| load.one),
        memory_available_bytes: facts
            .and_then(|facts| facts.memory.as_ref())
            .map(|memory| memory.available_bytes),
        disk_available_bytes,
        probes,
    }
}

/// Runs one probe with a time limit.
pub fn run(probe: &Probe, timeout: Duration) -> ProbeResult {
    match probe {
        Probe::Tcp { name, address } => tcp(name, address, timeout),
        Probe::Http { name, url } => http(name, url, timeout),
    }
}

fn tcp(name: &str, address: &str, timeout: Duration) -> ProbeResult {
    let mut result = ProbeResult {
        name: name.to_string(),
        target: format!("tcp://{address}"),
        ok: false,
        millis: None,
        status_code: None,
        error: None,
    };
    let resolved: Option<SocketAddr> =
        address.to_socket_addrs().ok().and_then(|mut addresses| addresses.next());
    let Some(socket) = resolved else {
        result.error = Some(format!("cannot resolve `{address}`"));
        return result;
    };
    let started = Instant::now();
    match TcpStream::connect_timeout(&socket, timeout) {
        Ok(_) => {
            result.ok = true;
            result.millis = Some(started.elapsed().as_secs_f64() * 1000.0);
        }
        Err(error) => result.error = Some(error.to_string()),
    }
    result
}

fn http(name: &str, url: &str, timeout: Duration) -> ProbeResult {
    let mut result = ProbeResult {
        name: name.to_string(),
        target: url.to_string(),
        ok: false,
        millis: None,
        status_code: None,
        error: None,
    };
    // No proxy from the environment: a health check must reach the host itself.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .proxy(None)
        .http_status_as_error(false)
        .build()
        .into();
    let started = Instant::now();
    match agent.get(url).call() {
        Ok(response) => {
            let status = response.status().as_u16();
            result.millis = Some(started.elapsed().as_secs_f64() * 1000.0);
            result.status_code = Some(status);
            result.ok = (200..400).contains(&status);
        }
        Err(error) => result.error = Some(error.to_string()),
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A one-shot HTTP server on loopback answering with `status`.
    fn serve_once(status: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0_u8; 1024];
                let _ = stream.read(&mut request);
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        format!("http://{address}/health")
    }

    #[test]
    fn http_probe_reports_status_and_health() {
        let healthy = run(
            &Probe::Http { name: "web".into(), url: serve_once("200 OK") },
            Duration::from_secs(5),
        );
        assert!(healthy.ok, "{healthy:?}");
        assert_eq!(healthy.status_code, Some(200));

        let sick = run(
            &Probe::Http { name: "web".into(), url: serve_once("503 Service Unavailable") },
            Duration::from_secs(5),
        );
        assert!(!sick.ok);
        assert_eq!(sick.status_code, Some(503));
    }

    #[test]
    fn tcp_probe_times_connect_and_reports_refusal() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap().to_string();
        let result = run(&Probe::Tcp { name: "ssh".into(), address: open }, Duration::from_secs(2));
        assert!(result.ok && result.millis.is_some());

        drop(listener);
        let closed = run(
            &Probe::Tcp { name: "ssh".into(), address: "127.0.0.1:1".into() },
            Duration::from_secs(2),
        );
        assert!(!closed.ok);
        assert!(closed.error.is_some());
    }
}
