//! Shared by the integration tests that drive the real binary against the
//! lab (`scripts/lab`): finding the lab, switching faults with guards that
//! always switch them off, asking a host for the truth through its console
//! (not through SSH, so the answer does not depend on what is tested), and
//! running patchpilot.
//!
//! Host allocation across test files, so tests can run in parallel:
//!
//! | hosts | owner |
//! |---|---|
//! | h1–h15 | `lab_faults.rs` |
//! | h16–h20 | `transport_lab.rs` (jump hosts, sudo, authentication, accept-new) |
//! | h21–h70 | `inventory_lab.rs` (50 hosts; faults on h66–h70) |
//! | h71–h80 | assessment and planning tests that upgrade packages |
//! | h81–h82 | `incremental_lab.rs` (package lists carried over between runs) |

#![allow(dead_code, reason = "each test file uses only part of the support")]
#![expect(clippy::print_stderr, reason = "tests report skips and clean-up problems on stderr")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Hosts the lab must have for every test file.
pub const LAB_HOSTS_NEEDED: usize = 82;

/// A running lab, seen from inside its controller namespace.
pub struct Lab {
    pub dir: PathBuf,
    script: PathBuf,
}

impl Lab {
    /// The lab, or `None` (after a loud message) when tests cannot use one.
    /// Under `CI=true` a missing lab fails the test instead.
    pub fn find(test: &str) -> Option<Lab> {
        let dir = PathBuf::from(
            std::env::var("PATCHPILOT_LAB_DIR").unwrap_or_else(|_| "/run/patchpilot-lab".into()),
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lab");
        let problem = if !is_root() {
            Some("not running as root".to_string())
        } else if !dir.join("inventory.toml").exists() {
            Some(format!(
                "no lab is up in `{}` (run `scripts/lab up {LAB_HOSTS_NEEDED}`)",
                dir.display()
            ))
        } else if !in_controller_namespace() {
            Some("not inside the lab's controller namespace (use `scripts/lab run`)".to_string())
        } else {
            None
        };
        match problem {
            None => Some(Lab { dir, script }),
            Some(problem) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("{test}: the lab is required under CI: {problem}")
            }
            Some(problem) => {
                eprintln!("SKIPPED: {test}: {problem}");
                None
            }
        }
    }

    pub fn inventory(&self) -> PathBuf {
        self.dir.join("inventory.toml")
    }

    pub fn ssh_config(&self) -> PathBuf {
        self.dir.join("ssh_config")
    }

    /// Runs a command on the host's console; panics if the lab cannot.
    pub fn exec(&self, host: &str, command: &str) -> Output {
        Command::new(&self.script)
            .args(["exec", host, "sh", "-c", command])
            .output()
            .expect("scripts/lab exec runs")
    }

    /// Stdout of a console command that must succeed, trimmed.
    pub fn truth(&self, host: &str, command: &str) -> String {
        let output = self.exec(host, command);
        assert!(
            output.status.success(),
            "`{command}` on {host} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Switches a fault on until the guard drops.
    pub fn fault(&self, host: &str, knob: &str) -> FaultGuard<'_> {
        let status = Command::new(&self.script)
            .args(["fault", host, knob, "on"])
            .status()
            .expect("scripts/lab fault runs");
        assert!(status.success(), "could not switch `{knob}` on for {host}");
        FaultGuard { lab: self, host: host.to_string(), knob: knob.to_string() }
    }
}

/// Switches its fault off when dropped, also when the test panics.
pub struct FaultGuard<'lab> {
    lab: &'lab Lab,
    host: String,
    knob: String,
}

impl Drop for FaultGuard<'_> {
    fn drop(&mut self) {
        let status =
            Command::new(&self.lab.script).args(["fault", &self.host, &self.knob, "off"]).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("warning: could not switch `{}` off for {}", self.knob, self.host);
        }
    }
}

/// The patchpilot binary under test.
pub fn patchpilot() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_patchpilot"));
    command.env_remove("PATCHPILOT_FORMAT").env("NO_COLOR", "1");
    command
}

/// `h{first}` … `h{last}`.
pub fn host_range(first: usize, last: usize) -> Vec<String> {
    (first..=last).map(|index| format!("h{index}")).collect()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Inside the controller namespace the lab's bridge address is local.
fn in_controller_namespace() -> bool {
    std::net::TcpListener::bind("127.100.0.1:0").is_ok()
        && std::fs::read_to_string("/proc/net/dev").is_ok_and(|dev| dev.contains("ppbr0"))
}
