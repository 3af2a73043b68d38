//! Checks that the lab built by `scripts/lab` behaves like a fleet of Debian
//! servers, and that every fault knob produces, seen from the controller, the
//! failure patchpilot has to handle.
//!
//! These tests need a running lab and must run inside its controller network
//! namespace, as root:
//!
//! ```text
//! scripts/lab up 20
//! scripts/lab run cargo nextest run --test lab_faults
//! ```
//!
//! Without a lab (or not as root, or outside the controller namespace) each
//! test prints `SKIPPED: ...` to stderr and passes, except under `CI=true`,
//! where a missing lab is a failure. Only std is used, and only the real
//! OpenSSH client and `scripts/lab`, so the file also builds on its own:
//! `rustc --edition 2024 --test tests/lab_faults.rs -o /tmp/lab_faults`.
//!
//! Each test owns its hosts, so tests can run in parallel, and every fault is
//! switched off by a guard's `Drop`, even when the test fails:
//!
//! | host | test |
//! |------|------|
//! | h1   | `apt_lists_the_test_package_upgrades` |
//! | h1, h2, h4, h13 | `hosts_answer_with_distinct_hostnames` (read only) |
//! | h3, h4 | `upgrading_one_host_leaves_another_untouched` |
//! | h5   | `lock_fault_makes_apt_fail_on_the_dpkg_lock` |
//! | h6   | `diskfull_fault_makes_writes_fail` |
//! | h7   | `postinst_fault_makes_pp_fragile_fail_to_configure` |
//! | h8   | `reboot_required_fault_creates_the_flag_files` |
//! | h9   | `sshd_fault_refuses_connections` |
//! | h10  | `unreachable_fault_gives_no_route_to_host` |
//! | h11  | `blackhole_fault_makes_connect_time_out` |
//! | h12, h13 | `slow_fault_slows_transfers` (h13 is the healthy baseline) |
//! | h14  | `hostkey_fault_fails_host_key_verification` |
//! | h15  | `reboot_fault_changes_boot_id_and_sshd_returns` |
//!
//! Other test files must not touch h1–h15 (tests/support/mod.rs keeps the
//! host allocation of all test files).

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The highest host index this file uses.
const HOSTS_NEEDED: usize = 15;

/// Connect timeout for ssh to a healthy host, in seconds.
const CONNECT_TIMEOUT_S: u64 = 10;

/// Wall-clock bound for one `scripts/lab` command (a fault switch waits for
/// sshd or a lock holder for at most a few seconds).
const LAB_COMMAND_DEADLINE: Duration = Duration::from_secs(90);

/// What a finished (or killed) command left behind.
struct Outcome {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    timed_out: bool,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    fn describe(&self) -> String {
        format!(
            "status {:?} after {:?}{}\n--- stdout\n{}--- stderr\n{}",
            self.status.and_then(|status| status.code()),
            self.elapsed,
            if self.timed_out { " (killed at deadline)" } else { "" },
            self.stdout,
            self.stderr
        )
    }
}

/// Runs a command with optional stdin, killing it at the deadline. Output is
/// drained on threads so a chatty command cannot block on a full pipe.
fn run_bounded(mut command: Command, stdin: Option<Vec<u8>>, deadline: Duration) -> Outcome {
    let started = Instant::now();
    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child =
        command.spawn().unwrap_or_else(|error| panic!("cannot start {command:?}: {error}"));

    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let stdout = drain(child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.stderr.take().expect("stderr is piped"));

    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= deadline => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(error) => panic!("waiting for {command:?}: {error}"),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    Outcome {
        status: if timed_out { None } else { status },
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: started.elapsed(),
        timed_out,
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A running lab, found from `PATCHPILOT_LAB_DIR` (default
/// `/run/patchpilot-lab`).
struct Lab {
    dir: PathBuf,
    script: PathBuf,
}

impl Lab {
    /// The lab, or `None` after printing why the test is skipped. Under
    /// `CI=true` a missing lab fails the test instead.
    fn find() -> Option<Lab> {
        match Lab::locate() {
            Ok(lab) => Some(lab),
            Err(reason) if env::var("CI").is_ok_and(|value| value == "true") => {
                panic!("lab tests cannot run under CI=true: {reason}")
            }
            Err(reason) => {
                // Straight to fd 2: libtest captures `eprintln!` of passing
                // tests, and a skip must not go unnoticed.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: lab test not run: {reason}\n\
                     SKIPPED: hint: scripts/lab up 20 && scripts/lab run cargo nextest run"
                );
                None
            }
        }
    }

    fn locate() -> Result<Lab, String> {
        if !is_root() {
            return Err("not running as root".to_owned());
        }
        let dir = env::var_os("PATCHPILOT_LAB_DIR")
            .map_or_else(|| PathBuf::from("/run/patchpilot-lab"), PathBuf::from);
        let env_file = fs::read_to_string(dir.join("lab.env"))
            .map_err(|_| format!("no lab is up in {}", dir.display()))?;
        let hosts = env_file
            .lines()
            .find_map(|line| line.strip_prefix("HOSTS="))
            .and_then(|count| count.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if hosts < HOSTS_NEEDED {
            return Err(format!("the lab has {hosts} hosts, these tests need {HOSTS_NEEDED}"));
        }
        // Outside the controller namespace 127.100.x.y is the machine's own
        // loopback: ssh there would reach the wrong server or nothing.
        if !is_in_controller_namespace() {
            return Err("not inside the lab's controller namespace pplab-ctl".to_owned());
        }
        let script = find_lab_script().ok_or("cannot find scripts/lab")?;
        Ok(Lab { dir, script })
    }

    fn ssh_config(&self) -> PathBuf {
        self.dir.join("ssh_config")
    }

    /// Runs a shell command on HOST through the real OpenSSH client.
    fn ssh(&self, host: &str, remote_command: &str) -> Outcome {
        self.ssh_with(host, remote_command, &[], None, CONNECT_TIMEOUT_S)
    }

    fn ssh_with(
        &self,
        host: &str,
        remote_command: &str,
        extra_options: &[&str],
        stdin: Option<Vec<u8>>,
        connect_timeout_s: u64,
    ) -> Outcome {
        let mut command = Command::new("ssh");
        command
            .arg("-F")
            .arg(self.ssh_config())
            .args(["-o", "BatchMode=yes"])
            .args(["-o", &format!("ConnectTimeout={connect_timeout_s}")])
            .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"])
            .args(extra_options)
            .arg(host)
            .arg(remote_command);
        run_bounded(command, stdin, Duration::from_secs(connect_timeout_s + 120))
    }

    /// Runs `scripts/lab ARGS` and panics if it fails.
    fn lab(&self, args: &[&str]) -> Outcome {
        let mut command = Command::new(&self.script);
        command.args(args);
        let outcome = run_bounded(command, None, LAB_COMMAND_DEADLINE);
        assert!(outcome.succeeded(), "scripts/lab {args:?} failed: {}", outcome.describe());
        outcome
    }

    fn fault(&self, host: &'static str, knob: &'static str) -> FaultGuard<'_> {
        self.lab(&["fault", host, knob, "on"]);
        FaultGuard { lab: self, host, knob }
    }

    /// Polls until `ssh HOST true` succeeds; a host coming back from a fault
    /// may need a moment (ARP, sshd re-exec).
    fn wait_for_ssh(&self, host: &str, within: Duration) -> Outcome {
        let started = Instant::now();
        loop {
            let outcome = self.ssh_with(host, "true", &[], None, 2);
            if outcome.succeeded() || started.elapsed() >= within {
                return outcome;
            }
            thread::sleep(Duration::from_millis(250));
        }
    }

    fn assert_healthy(&self, host: &str) {
        let outcome = self.wait_for_ssh(host, Duration::from_secs(15));
        assert!(outcome.succeeded(), "{host} did not recover: {}", outcome.describe());
    }
}

/// Switches a fault off when dropped, so a failing test still leaves its host
/// healthy for the next run.
struct FaultGuard<'lab> {
    lab: &'lab Lab,
    host: &'static str,
    knob: &'static str,
}

impl Drop for FaultGuard<'_> {
    fn drop(&mut self) {
        let mut command = Command::new(&self.lab.script);
        command.args(["fault", self.host, self.knob, "off"]);
        let outcome = run_bounded(command, None, LAB_COMMAND_DEADLINE);
        if !outcome.succeeded() {
            warn(&format!(
                "could not switch {} off on {}: {}",
                self.knob,
                self.host,
                outcome.describe()
            ));
        }
    }
}

/// Writes to fd 2 directly: libtest captures `eprintln!` (and the crate's
/// lints forbid it), while a failed clean-up must be seen.
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {message}");
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

fn is_in_controller_namespace() -> bool {
    match (fs::metadata("/proc/self/ns/net"), fs::metadata("/run/netns/pplab-ctl")) {
        (Ok(ours), Ok(controller)) => {
            ours.ino() == controller.ino() && ours.dev() == controller.dev()
        }
        _ => false,
    }
}

/// `scripts/lab` in the crate root: from Cargo when built by Cargo, else
/// found by walking up from the working directory.
fn find_lab_script() -> Option<PathBuf> {
    if let Some(root) = option_env!("CARGO_MANIFEST_DIR") {
        let script = Path::new(root).join("scripts/lab");
        if script.is_file() {
            return Some(script);
        }
    }
    let mut dir = env::current_dir().ok()?;
    loop {
        let script = dir.join("scripts/lab");
        if script.is_file() {
            return Some(script);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn boot_id(lab: &Lab, host: &str) -> Option<String> {
    let outcome = lab.ssh_with(host, "cat /proc/sys/kernel/random/boot_id", &[], None, 2);
    outcome.succeeded().then(|| outcome.stdout.trim().to_owned())
}

fn installed_version(lab: &Lab, host: &str, package: &str) -> String {
    let outcome = lab.ssh(host, &format!("dpkg-query -W -f='${{Version}}' {package}"));
    assert!(outcome.succeeded(), "dpkg-query on {host}: {}", outcome.describe());
    outcome.stdout.trim().to_owned()
}

#[test]
fn hosts_answer_with_distinct_hostnames() {
    let Some(lab) = Lab::find() else { return };
    // Only hosts that no test of this file switches a fault on.
    let hosts = ["h1", "h2", "h4", "h13"];
    let lab = &lab;

    let answers: Vec<(&str, Outcome)> = thread::scope(|scope| {
        let handles: Vec<_> = hosts
            .iter()
            .map(|&host| scope.spawn(move || (host, lab.ssh(host, "hostname"))))
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("ssh thread")).collect()
    });

    for (host, outcome) in &answers {
        assert!(outcome.succeeded(), "ssh {host}: {}", outcome.describe());
        assert_eq!(outcome.stdout.trim(), *host, "{host} reports another hostname");
    }
}

#[test]
fn apt_lists_the_test_package_upgrades() {
    let Some(lab) = Lab::find() else { return };
    let outcome = lab.ssh("h1", "apt-get update -qq && apt list --upgradable 2>/dev/null");
    assert!(outcome.succeeded(), "apt on h1: {}", outcome.describe());
    for package in ["libppcrypto1", "pp-common", "pp-tools", "pp-webd", "pp-kernel", "pp-fragile"] {
        let line = format!("{package}/pplab 1.1-1 all [upgradable from: 1.0-1]");
        assert!(outcome.stdout.contains(&line), "h1 does not list `{line}`:\n{}", outcome.stdout);
    }
}

/// Puts libppcrypto1 back to 1.0-1 on the upgraded host after the test.
struct DowngradeGuard<'lab> {
    lab: &'lab Lab,
    host: &'static str,
}

impl Drop for DowngradeGuard<'_> {
    fn drop(&mut self) {
        let outcome = self.lab.ssh(
            self.host,
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades \
             libppcrypto1=1.0-1",
        );
        if !outcome.succeeded() {
            warn(&format!("could not downgrade {}: {}", self.host, outcome.describe()));
        }
    }
}

#[test]
fn upgrading_one_host_leaves_another_untouched() {
    let Some(lab) = Lab::find() else { return };
    let _downgrade = DowngradeGuard { lab: &lab, host: "h3" };
    let before = installed_version(&lab, "h4", "libppcrypto1");

    let outcome = lab.ssh(
        "h3",
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq libppcrypto1=1.1-1",
    );
    assert!(outcome.succeeded(), "upgrade on h3: {}", outcome.describe());

    assert_eq!(installed_version(&lab, "h3", "libppcrypto1"), "1.1-1");
    assert_eq!(installed_version(&lab, "h4", "libppcrypto1"), before);
    assert_eq!(before, "1.0-1", "h4 should still have the base image's version");
}

#[test]
fn lock_fault_makes_apt_fail_on_the_dpkg_lock() {
    let Some(lab) = Lab::find() else { return };
    {
        let _fault = lab.fault("h5", "lock");
        let outcome = lab.ssh("h5", "apt-get install -y pp-fragile");
        assert!(!outcome.succeeded(), "apt-get ran despite the lock: {}", outcome.describe());
        assert!(
            outcome.stderr.contains("Could not get lock /var/lib/dpkg/lock"),
            "no lock error: {}",
            outcome.describe()
        );
    }
    // dpkg takes the same lock: it only succeeds once the holder is gone.
    let outcome = lab.ssh("h5", "dpkg --configure -a");
    assert!(outcome.succeeded(), "lock still held: {}", outcome.describe());
}

#[test]
fn diskfull_fault_makes_writes_fail() {
    let Some(lab) = Lab::find() else { return };
    let write = "head -c 1048576 /dev/zero > /var/tmp/pplab-fill; status=$?; \
                 rm -f /var/tmp/pplab-fill; exit $status";
    {
        let _fault = lab.fault("h6", "diskfull");
        let outcome = lab.ssh("h6", write);
        assert!(!outcome.succeeded(), "the write succeeded on a full disk");
        assert!(
            outcome.stderr.contains("No space left on device"),
            "no ENOSPC: {}",
            outcome.describe()
        );
    }
    let outcome = lab.ssh("h6", write);
    assert!(outcome.succeeded(), "disk still full: {}", outcome.describe());
}

#[test]
fn postinst_fault_makes_pp_fragile_fail_to_configure() {
    let Some(lab) = Lab::find() else { return };
    {
        let _fault = lab.fault("h7", "postinst");
        let outcome = lab.ssh(
            "h7",
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y -qq --reinstall pp-fragile",
        );
        assert!(!outcome.succeeded(), "pp-fragile configured: {}", outcome.describe());
        let output = format!("{}{}", outcome.stdout, outcome.stderr);
        assert!(
            output.contains("pp-fragile") && output.contains("post-installation script"),
            "no postinst failure reported: {}",
            outcome.describe()
        );
    }
    // Switching the fault off finishes the configuration.
    let outcome = lab.ssh("h7", "dpkg-query -W -f='${db:Status-Abbrev}' pp-fragile");
    assert!(outcome.succeeded(), "{}", outcome.describe());
    assert_eq!(outcome.stdout.trim(), "ii", "pp-fragile is not configured again");
}

#[test]
fn reboot_required_fault_creates_the_flag_files() {
    let Some(lab) = Lab::find() else { return };
    let check = "test -f /var/run/reboot-required && cat /var/run/reboot-required.pkgs";
    {
        let _fault = lab.fault("h8", "reboot-required");
        let outcome = lab.ssh("h8", check);
        assert!(outcome.succeeded(), "no reboot-required flag: {}", outcome.describe());
        assert!(outcome.stdout.contains("pplab-fault"), "{}", outcome.describe());
    }
    let outcome = lab.ssh("h8", check);
    assert!(!outcome.succeeded(), "the flag outlived the fault: {}", outcome.describe());
}

#[test]
fn sshd_fault_refuses_connections() {
    let Some(lab) = Lab::find() else { return };
    {
        let _fault = lab.fault("h9", "sshd");
        let outcome = lab.ssh("h9", "true");
        assert!(!outcome.succeeded());
        assert!(
            outcome.stderr.contains("Connection refused"),
            "not refused: {}",
            outcome.describe()
        );
    }
    lab.assert_healthy("h9");
}

#[test]
fn unreachable_fault_gives_no_route_to_host() {
    let Some(lab) = Lab::find() else { return };
    {
        let _fault = lab.fault("h10", "unreachable");
        let outcome = lab.ssh_with("h10", "true", &[], None, 10);
        assert!(!outcome.succeeded());
        assert!(outcome.elapsed < Duration::from_secs(12), "took {:?} to fail", outcome.elapsed);
        assert!(
            outcome.stderr.contains("No route to host") || outcome.stderr.contains("timed out"),
            "unexpected error: {}",
            outcome.describe()
        );
    }
    lab.assert_healthy("h10");
}

#[test]
fn blackhole_fault_makes_connect_time_out() {
    let Some(lab) = Lab::find() else { return };
    {
        let _fault = lab.fault("h11", "blackhole");
        let outcome = lab.ssh_with("h11", "true", &[], None, 3);
        assert!(!outcome.succeeded());
        assert!(
            outcome.stderr.contains("timed out"),
            "no connect time-out: {}",
            outcome.describe()
        );
        assert!(
            outcome.elapsed >= Duration::from_millis(2500)
                && outcome.elapsed < Duration::from_secs(10),
            "ConnectTimeout=3 fired after {:?}",
            outcome.elapsed
        );
    }
    lab.assert_healthy("h11");
}

#[test]
fn slow_fault_slows_transfers() {
    let Some(lab) = Lab::find() else { return };
    let payload = vec![0x5a_u8; 200 * 1024];
    let upload = |host: &str| {
        let outcome = lab.ssh_with(host, "cat > /dev/null", &[], Some(payload.clone()), 10);
        assert!(outcome.succeeded(), "upload to {host}: {}", outcome.describe());
        outcome.elapsed
    };

    let healthy = upload("h13");
    let slow = {
        let _fault = lab.fault("h12", "slow");
        upload("h12")
    };
    // 200 KiB at 256 kbit/s takes over 6 s; a healthy host well under 1 s
    // on a quiet machine. The bound on `slow` alone holds under load too.
    assert!(
        slow >= Duration::from_secs(4) && slow > healthy,
        "slow host took {slow:?}, healthy host {healthy:?}"
    );
    let after = upload("h12");
    assert!(after < slow, "h12 still slow after the fault: {after:?}");
}

#[test]
fn hostkey_fault_fails_host_key_verification() {
    let Some(lab) = Lab::find() else { return };
    let strict = ["-o", "StrictHostKeyChecking=yes"];
    {
        let _fault = lab.fault("h14", "hostkey");
        let outcome = lab.ssh_with("h14", "true", &strict, None, CONNECT_TIMEOUT_S);
        assert!(!outcome.succeeded());
        assert!(
            outcome.stderr.contains("Host key verification failed"),
            "the changed key was accepted: {}",
            outcome.describe()
        );
    }
    let outcome = lab.ssh_with("h14", "true", &strict, None, CONNECT_TIMEOUT_S);
    assert!(outcome.succeeded(), "original key not restored: {}", outcome.describe());
}

/// Waits for HOST to answer with a boot id other than `old`.
fn wait_for_new_boot_id(lab: &Lab, host: &str, old: &str) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(id) = boot_id(lab, host).filter(|id| id != old) {
            return id;
        }
        thread::sleep(Duration::from_millis(250));
    }
    panic!("{host} did not come back with a new boot id within 30 s");
}

#[test]
fn reboot_fault_changes_boot_id_and_sshd_returns() {
    let Some(lab) = Lab::find() else { return };
    let first = boot_id(&lab, "h15").expect("h15 answers before the reboot");
    {
        let _fault = lab.fault("h15", "reboot");
        let second = wait_for_new_boot_id(&lab, "h15", &first);
        assert_ne!(first, second);
    }

    // The host's own `reboot`, as a patch run would call it, does the same.
    let second = boot_id(&lab, "h15").expect("h15 answers after the first reboot");
    let outcome = lab.ssh("h15", "reboot");
    assert!(outcome.succeeded(), "reboot over ssh: {}", outcome.describe());
    let third = wait_for_new_boot_id(&lab, "h15", &second);
    assert_ne!(second, third);
    assert_ne!(
        third,
        fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default().trim(),
        "the host shows the machine's boot id"
    );
}
