//! Runs the Linux gather script on this machine, the way the transport will
//! run it remotely, and checks the parsed facts against what the machine
//! itself says.
//!
//! Each shell the script promises to run under is tried: `sh -s` with the
//! script on stdin, `sh -c` with it as an argument, `dash` explicitly, and
//! busybox's `sh` (`scripts/install-deps` installs busybox; elsewhere the
//! test skips it when missing).

use std::io::Write;
use std::net::{IpAddr, Ipv6Addr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use patchpilot::facts::linux::{GATHER_SCRIPT, parse};

/// A gather that takes longer than this on the controller is a regression.
const MAX_WALL_TIME: Duration = Duration::from_secs(60);

/// Nor may its output grow past this for a single host.
const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// Runs `program args…`, feeding `stdin`; returns stdout.
fn run(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start `{program}`: {error}"));
    child.stdin.take().expect("piped stdin").write_all(stdin).expect("script written");
    let output = child.wait_with_output().expect("shell finished");
    assert!(
        output.status.success(),
        "`{program}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A healthy run prints nothing to stderr but the step markers.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let unexpected: Vec<&str> =
        stderr.lines().filter(|line| !line.starts_with("@@pp:stderr ")).collect();
    assert!(unexpected.is_empty(), "stderr: {unexpected:?}");
    output.stdout
}

fn is_installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn machine_says(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().expect("tool runs");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The number of packages dpkg has on disk, counted independently.
fn dpkg_package_count() -> usize {
    machine_says("dpkg-query", &["-W", "-f=${db:Status-Abbrev}\n"])
        .lines()
        .filter(|status| !matches!(status.chars().nth(1), Some('n' | 'c') | None))
        .count()
}

/// The machine's own addresses as iproute2 lists them: every IPv4 address
/// and global IPv6 ones of interfaces that are up (the kernel drops the
/// local routes of a downed interface from `fib_trie`), without loopback's
/// `127.0.0.1` and `::1`.
fn addresses_ip_lists() -> Vec<IpAddr> {
    let listing = machine_says("ip", &["-o", "addr", "show", "up"]);
    let mut addresses: Vec<IpAddr> = listing
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let family = *fields.get(2)?;
            let address: IpAddr = fields.get(3)?.split('/').next()?.parse().ok()?;
            let scope = fields.iter().position(|field| *field == "scope")?;
            let global = fields.get(scope + 1) == Some(&"global");
            (family == "inet" || (family == "inet6" && global)).then_some(address)
        })
        .filter(|address| {
            *address != IpAddr::from([127, 0, 0, 1])
                && *address != IpAddr::from(Ipv6Addr::LOCALHOST)
        })
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

/// Runs the script through one shell and checks everything it found.
fn gather_and_check(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let started = Instant::now();
    let output = run(program, args, stdin);
    let elapsed = started.elapsed();
    assert!(elapsed < MAX_WALL_TIME, "{program}: gather took {elapsed:?}");
    assert!(output.len() < MAX_OUTPUT_BYTES, "{program}: {} bytes of output", output.len());

    let facts = parse(&output).unwrap_or_else(|error| panic!("{program}: {error}"));
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname");
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").expect("boot id");
    assert_eq!(facts.hostname, hostname.trim(), "{program}: hostname");
    assert_eq!(facts.boot_id.as_deref(), Some(boot_id.trim()), "{program}: boot id");
    assert_eq!(facts.kernel, machine_says("uname", &["-r"]), "{program}: kernel");
    assert_eq!(facts.architecture, machine_says("uname", &["-m"]), "{program}: architecture");
    assert!(facts.memory.as_ref().is_some_and(|m| m.total_bytes > 0), "{program}: memory");
    assert!(facts.load.is_some(), "{program}: load");
    assert!(facts.uptime_seconds.is_some(), "{program}: uptime");
    assert!(facts.disks.iter().any(|disk| disk.mount == "/"), "{program}: disks {:?}", facts.disks);
    assert!(!facts.os.id.is_empty(), "{program}: os-release");
    if is_installed("ip") {
        assert_eq!(facts.addresses, addresses_ip_lists(), "{program}: addresses");
    }

    if is_installed("dpkg-query") {
        assert_eq!(facts.package_manager.as_deref(), Some("apt"));
        assert_eq!(facts.packages.len(), dpkg_package_count(), "{program}: package count");
        assert!(facts.package_lock_held.is_some(), "{program}: lock state");
    }
    let unexpected: Vec<_> =
        facts.gather_issues.iter().filter(|issue| issue.section != "privilege").collect();
    assert!(unexpected.is_empty(), "{program}: issues {unexpected:?}");
    output
}

/// Also a regression guard: a command that reads stdin must not swallow
/// the rest of a script fed on stdin, so the script runs everything with
/// stdin from `/dev/null`; text after the script must still run, last.
#[test]
fn gather_via_sh_on_stdin() {
    let mut input = GATHER_SCRIPT.as_bytes().to_vec();
    input.extend_from_slice(b"\necho '@@pp:after-script@@'\n");
    let output = gather_and_check("sh", &["-s"], &input);
    let text = String::from_utf8_lossy(&output);
    assert!(text.trim_end().ends_with("@@pp:after-script@@"), "the shell read on past the script");
}

#[test]
fn gather_via_sh_dash_c() {
    gather_and_check("sh", &["-c", GATHER_SCRIPT], b"");
}

#[test]
fn gather_via_dash() {
    if is_installed("dash") {
        gather_and_check("dash", &["-s"], GATHER_SCRIPT.as_bytes());
    }
}

#[test]
fn gather_via_busybox_sh_when_installed() {
    if is_installed("busybox") {
        gather_and_check("busybox", &["sh", "-s"], GATHER_SCRIPT.as_bytes());
    }
}

/// Runs the script's functions with `steps` in place of `pp_main`, under
/// `sh` with Debian's awk and, where busybox is installed, with busybox's.
fn run_step_with_each_awk(steps: &str) -> Vec<(&'static str, std::process::Output)> {
    let script = GATHER_SCRIPT.replace("\npp_main </dev/null\n", &format!("\n{steps}\n"));
    assert_ne!(script, GATHER_SCRIPT, "the script no longer ends by calling pp_main");

    let mut variants = vec![("sh", script.clone())];
    if is_installed("busybox") {
        variants.push(("busybox awk", format!("awk() {{ busybox awk \"$@\"; }}\n{script}")));
    }
    variants
        .into_iter()
        .map(|(variant, text)| {
            (variant, Command::new("sh").arg("-c").arg(&text).output().expect("shell runs"))
        })
        .collect()
}

/// The longer files are printed as sections by one awk: a file it cannot
/// read fails that section alone, with a status and a message on stderr,
/// and the next file still comes. Tried with Debian's awk and busybox's.
#[test]
fn an_unreadable_file_fails_its_own_section_only() {
    let steps = "pp_files missing /nonexistent/file hostname /proc/sys/kernel/hostname";
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname");

    for (variant, output) in run_step_with_each_awk(steps) {
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            format!(
                "@@pp:begin missing@@\n\n@@pp:end missing rc=1@@\n\
                 @@pp:begin hostname@@\n{hostname}\n@@pp:end hostname rc=0@@\n"
            ),
            "{variant}"
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "@@pp:stderr missing@@\ncannot read /nonexistent/file\n@@pp:stderr hostname@@\n",
            "{variant}"
        );
    }
}

/// `/proc/net/fib_trie` lists every route; the script keeps only the
/// host's own addresses (`/32 host LOCAL` leaves), each once although the
/// Main and Local tables both list them. Checked on files captured from
/// this project's controller VM and a lab host (`tests/fixtures/proc-net`),
/// with Debian's awk and busybox's.
#[test]
fn only_the_hosts_own_ipv4_addresses_are_kept_from_fib_trie() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/proc-net");
    let cases = [
        ("fib_trie_debian12.txt", "127.0.0.1\n192.0.2.2\n"),
        ("fib_trie_lab-host.txt", "127.0.0.1\n127.100.1.1\n"),
    ];
    for (file, expected) in cases {
        let step = format!("pp_files ipv4-addresses {fixtures}/{file}");
        for (variant, output) in run_step_with_each_awk(&step) {
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                format!(
                    "@@pp:begin ipv4-addresses@@\n{expected}\n@@pp:end ipv4-addresses rc=0@@\n"
                ),
                "{variant}, {file}"
            );
        }
    }
}

/// The script stays within POSIX sh as shellcheck reads it, where
/// shellcheck is installed (it is optional).
#[test]
fn gather_script_passes_shellcheck_when_installed() {
    if !is_installed("shellcheck") {
        return;
    }
    let output = run("shellcheck", &["--shell=sh", "-"], GATHER_SCRIPT.as_bytes());
    assert!(output.is_empty(), "{}", String::from_utf8_lossy(&output));
}
