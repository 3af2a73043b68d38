//! The SSH transport against real lab sshd: jump hosts, sudo with a password
//! on stdin, authentication and host-key outcomes, time-outs, output bounds
//! and quoting over the wire. Hosts h16–h20 (see `tests/support`).

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use patchpilot::transport::quote::quote_str;
use patchpilot::transport::{
    Become, HostKeyPolicy, Keyring, KnownHosts, KnownHostsWriter, RemoteCommand, Secret, Session,
    SshSession, SshTarget, TransportError,
};
use support::Lab;

fn address(index: usize) -> String {
    format!("127.100.{}.{}", 1 + (index - 1) / 250, 1 + (index - 1) % 250)
}

fn target(lab: &Lab, index: usize) -> SshTarget {
    SshTarget {
        name: format!("h{index}"),
        address: address(index),
        port: 22,
        user: "root".into(),
        identity_files: vec![lab.dir.join("id_ed25519")],
        keyring: Arc::new(Keyring::default()),
        password: None,
        known_hosts: Arc::new(KnownHosts::load(&[lab.dir.join("known_hosts")]).unwrap()),
        host_key_policy: HostKeyPolicy::Strict,
        known_hosts_writer: None,
        proxy_jump: Vec::new(),
        connect_timeout: Duration::from_secs(5),
        legacy_algorithms: false,
    }
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

fn run(session: &mut SshSession, script: &str) -> patchpilot::transport::CommandOutput {
    session.run(&RemoteCommand::new(script, Duration::from_secs(30), 1 << 20), soon()).unwrap()
}

#[test]
fn proxy_jump_reaches_the_target_through_the_jump_host() {
    let Some(lab) = Lab::find("proxy_jump") else { return };
    let mut via_jump = target(&lab, 17);
    via_jump.proxy_jump = vec![target(&lab, 16)];

    let mut session = SshSession::connect(&via_jump, soon()).unwrap();
    let output = run(&mut session, "echo $SSH_CONNECTION; hostname");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let client = lines.next().unwrap().split_whitespace().next().unwrap().to_string();
    assert_eq!(client, address(16), "sshd on h17 must see the jump host as its client");
    assert_eq!(lines.next(), Some("h17"));
}

#[test]
fn sudo_takes_its_password_on_stdin_and_a_wrong_one_fails_fast() {
    let Some(lab) = Lab::find("sudo") else { return };
    let password =
        std::fs::read_to_string(lab.dir.join("ops-password")).unwrap().trim().to_string();
    let mut ops = target(&lab, 18);
    ops.user = "ops".into();
    let mut session = SshSession::connect(&ops, soon()).unwrap();

    let mut command = RemoteCommand::new("id -u; cat", Duration::from_secs(20), 1 << 20);
    command.become_root = Some(Become { password: Some(Secret::new(password)) });
    command.stdin = b"after the password\n".to_vec();
    let output = session.run(&command, soon()).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "0\nafter the password\n");

    command.become_root = Some(Become { password: Some(Secret::new("wrong".into())) });
    let started = Instant::now();
    let output = session.run(&command, soon()).unwrap();
    assert_ne!(output.exit_status, 0);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn an_unknown_key_is_an_authentication_failure() {
    let Some(lab) = Lab::find("authentication") else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("stranger");
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f"], &key);
    let mut stranger = target(&lab, 19);
    stranger.identity_files = vec![key];

    assert_authentication_fails(&stranger);
}

#[test]
fn accept_new_records_an_unknown_key_and_strict_then_trusts_it() {
    let Some(lab) = Lab::find("accept_new") else { return };
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_hosts");
    let mut host = target(&lab, 20);
    host.known_hosts = Arc::new(KnownHosts::load(std::slice::from_ref(&known)).unwrap());

    let error = SshSession::connect(&host, soon()).unwrap_err();
    assert!(matches!(error, TransportError::HostKeyUnknown { .. }), "{error}");

    host.host_key_policy = HostKeyPolicy::AcceptNew;
    host.known_hosts_writer = Some(Arc::new(KnownHostsWriter::new(known.clone())));
    SshSession::connect(&host, soon()).unwrap();

    let mut strict = target(&lab, 20);
    strict.known_hosts = Arc::new(KnownHosts::load(std::slice::from_ref(&known)).unwrap());
    SshSession::connect(&strict, soon()).unwrap();
    assert!(ssh_keygen_finds(&known, &address(20)), "OpenSSH must read the line accept-new wrote");
}

/// libssh2's own check would accept a revoked key; ours must refuse it.
#[test]
fn a_revoked_key_is_refused_even_when_listed_for_the_host() {
    let Some(lab) = Lab::find("revoked") else { return };
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_hosts");
    let lab_known = std::fs::read_to_string(lab.dir.join("known_hosts")).unwrap();
    let line = lab_known.lines().find(|l| l.starts_with(&format!("{} ", address(20)))).unwrap();
    let key = line.split_once(' ').unwrap().1;
    std::fs::write(&known, format!("@revoked * {key}\n{line}\n")).unwrap();

    let mut host = target(&lab, 20);
    host.known_hosts = Arc::new(KnownHosts::load(&[known]).unwrap());
    let error = SshSession::connect(&host, soon()).unwrap_err();
    assert!(matches!(error, TransportError::HostKeyRevoked { .. }), "{error}");
}

#[test]
fn a_hung_command_times_out_and_output_stays_bounded_without_deadlock() {
    let Some(lab) = Lab::find("bounds") else { return };
    let mut session = SshSession::connect(&target(&lab, 16), soon()).unwrap();

    let started = Instant::now();
    let hung = RemoteCommand::new("sleep 60", Duration::from_secs(2), 1024);
    let error = session.run(&hung, soon()).unwrap_err();
    assert!(matches!(error, TransportError::TimedOut { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(6));

    let mut session = SshSession::connect(&target(&lab, 16), soon()).unwrap();
    let flood = RemoteCommand::new(
        "head -c 8000000 /dev/zero >&2; head -c 3000000 /dev/zero; echo",
        Duration::from_secs(60),
        1000,
    );
    let output = session.run(&flood, soon()).unwrap();
    assert_eq!(output.stdout.len(), 1000);
    assert_eq!(output.stdout_dropped, 3_000_001 - 1000);
    assert_eq!(output.stderr_dropped, 8_000_000 - 1000);
}

#[test]
fn hostile_values_arrive_byte_for_byte_through_a_real_remote_shell() {
    let Some(lab) = Lab::find("quoting") else { return };
    let mut session = SshSession::connect(&target(&lab, 16), soon()).unwrap();
    // SSH's exec request carries text, so non-UTF-8 values are covered by
    // the quoting unit tests against local shells instead.
    let hostile =
        ["; touch /tmp/pwned", "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "it's", "a\nb"];
    for value in hostile {
        let output = run(&mut session, &format!("printf '%s' {}", quote_str(value)));
        assert_eq!(String::from_utf8_lossy(&output.stdout), value);
    }
    let output = run(&mut session, "test -e /tmp/pwned && echo pwned || echo clean");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "clean\n");
}

/// The lab's key has its `.pub` beside it, which the transport hands to
/// libssh2; the same key alone still authenticates (its public half is then
/// derived), and beside a `.pub` of another key it fails, as with OpenSSH.
#[test]
fn a_key_authenticates_with_or_without_its_public_half_beside_it() {
    let Some(lab) = Lab::find("public_key_file") else { return };
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("alone");
    std::fs::copy(lab.dir.join("id_ed25519"), &alone).unwrap();
    let mut client = target(&lab, 18);
    assert!(lab.dir.join("id_ed25519.pub").is_file());
    SshSession::connect(&client, soon()).expect("key with its .pub");

    client.identity_files = vec![alone.clone()];
    SshSession::connect(&client, soon()).expect("key without a .pub");

    // A run looks at each key file once, so the change needs a new keyring.
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f"], &dir.path().join("other"));
    std::fs::copy(dir.path().join("other.pub"), dir.path().join("alone.pub")).unwrap();
    client.keyring = Arc::new(Keyring::default());
    assert_authentication_fails(&client);
}

/// Encrypted OpenSSH keys of each type authenticate with their passphrase,
/// which the keyring uses once to decrypt them; without it, or with a wrong
/// one, the key is skipped and authentication fails.
#[test]
fn an_encrypted_key_authenticates_with_its_passphrase_only() {
    let Some(lab) = Lab::find("encrypted_key") else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = encrypted_keys(dir.path(), &["ed25519", "ecdsa", "rsa"]);
    let _authorized = AuthorizedKeys::add(&lab, "h18", &keys, "patchpilot-test-encrypted-key");

    for key in &keys {
        let mut client = target(&lab, 18);
        client.identity_files = vec![key.clone()];
        client.keyring = Arc::new(Keyring::new(Some(Secret::new(PASSPHRASE.into()))));
        let mut session = SshSession::connect(&client, soon())
            .unwrap_or_else(|error| panic!("{}: {error}", key.display()));
        assert_eq!(String::from_utf8_lossy(&run(&mut session, "hostname").stdout), "h18\n");

        for keyring in [Keyring::default(), Keyring::new(Some(Secret::new("wrong".into())))] {
            client.keyring = Arc::new(keyring);
            assert_authentication_fails(&client);
        }
    }
}

/// The whole path from the command line: the passphrase comes from the
/// variable `--key-passphrase-env` names and appears in no output. On h20,
/// not h18: nextest runs tests as separate processes, and two tests
/// appending to and `sed -i`-ing one `authorized_keys` could lose a line.
#[test]
fn inventory_takes_the_key_passphrase_from_the_environment() {
    let Some(lab) = Lab::find("encrypted_key_cli") else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = encrypted_keys(dir.path(), &["ed25519"]);
    let _authorized = AuthorizedKeys::add(&lab, "h20", &keys, "patchpilot-test-key-passphrase-env");
    let inventory = dir.path().join("hosts.toml");
    std::fs::write(
        &inventory,
        format!(
            "[defaults]\nuser = \"root\"\nidentity_file = {:?}\nknown_hosts_file = {:?}\n\n\
             [hosts.h20]\naddress = \"{}\"\n",
            keys[0],
            lab.dir.join("known_hosts"),
            address(20)
        ),
    )
    .unwrap();
    let gather = |extra: &[&str]| {
        support::patchpilot()
            .env_remove("SSH_AUTH_SOCK")
            .env("PP_TEST_KEY_PASSPHRASE", PASSPHRASE)
            .args(["--format", "json", "inventory", "--full", "-i"])
            .arg(&inventory)
            .arg("-o")
            .arg(dir.path().join("inventory.json"))
            .args(extra)
            .output()
            .unwrap()
    };

    let unlocked = gather(&["--key-passphrase-env", "PP_TEST_KEY_PASSPHRASE"]);
    let stderr = String::from_utf8_lossy(&unlocked.stderr);
    assert_eq!(unlocked.status.code(), Some(0), "stderr: {stderr}");
    let written = std::fs::read_to_string(dir.path().join("inventory.json")).unwrap();
    for text in
        [&written, &String::from_utf8_lossy(&unlocked.stdout).into_owned(), &stderr.into_owned()]
    {
        assert!(!text.contains(PASSPHRASE), "the passphrase leaked");
        assert!(!text.contains("PRIVATE KEY"), "the key leaked");
    }
    assert!(written.contains("\"hostname\": \"h20\""), "{written}");

    let locked = gather(&[]);
    let stderr = String::from_utf8_lossy(&locked.stderr);
    assert_eq!(locked.status.code(), Some(11), "authentication failed: {stderr}");
    assert!(stderr.contains("--key-passphrase-env"), "the hint is missing: {stderr}");
}

const PASSPHRASE: &str = "correct horse battery staple";

/// Keys of the given types, encrypted with [`PASSPHRASE`], `.pub` beside.
fn encrypted_keys(dir: &Path, kinds: &[&str]) -> Vec<PathBuf> {
    kinds
        .iter()
        .map(|kind| {
            let key = dir.join(kind);
            keygen(&["-q", "-t", kind, "-N", PASSPHRASE, "-f"], &key);
            key
        })
        .collect()
}

/// Lets the keys into root's account on a host until dropped. Each test
/// marks its lines with its own comment, so tests running at once on the
/// same host remove only their own.
struct AuthorizedKeys<'lab> {
    lab: &'lab Lab,
    host: &'static str,
    comment: &'static str,
}

impl<'lab> AuthorizedKeys<'lab> {
    fn add(lab: &'lab Lab, host: &'static str, keys: &[PathBuf], comment: &'static str) -> Self {
        for key in keys {
            let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
            let mut fields = public.split_whitespace();
            let line = format!("{} {} {comment}", fields.next().unwrap(), fields.next().unwrap());
            let command =
                format!("printf '%s\\n' {} >> /root/.ssh/authorized_keys", quote_str(&line));
            lab.truth(host, &command);
        }
        AuthorizedKeys { lab, host, comment }
    }
}

impl Drop for AuthorizedKeys<'_> {
    fn drop(&mut self) {
        let command = format!("sed -i '/ {}$/d' /root/.ssh/authorized_keys", self.comment);
        self.lab.exec(self.host, &command);
    }
}

/// sshd hands the command line to the login shell, bash for root on the
/// lab; the script itself must still run under the host's `sh` (dash).
#[test]
fn scripts_run_under_sh_although_the_login_shell_is_bash() {
    let Some(lab) = Lab::find("login_shell") else { return };
    let mut session = SshSession::connect(&target(&lab, 16), soon()).unwrap();
    let output = run(&mut session, "getent passwd root | cut -d: -f7; readlink /proc/$$/exe");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "/bin/bash\n/usr/bin/dash\n");
}

/// A server that also offers a host certificate: libssh2 would negotiate the
/// certificate type and then fail the plain `known_hosts` check, so the
/// transport pins plain key types. h19's sshd gets a certificate for the
/// length of this test.
#[test]
fn a_host_certificate_on_the_server_does_not_break_the_plain_key_check() {
    let Some(lab) = Lab::find("host_certificate") else { return };
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("host_ca");
    keygen(&["-q", "-t", "ed25519", "-N", "", "-f"], &ca);
    let host_key = dir.path().join("host.pub");
    std::fs::write(&host_key, lab.truth("h19", "cat /etc/ssh/ssh_host_ed25519_key.pub")).unwrap();
    let ca_arg = ca.to_string_lossy().into_owned();
    keygen(&["-q", "-s", &ca_arg, "-I", "h19", "-h", "-n", "h19,127.100.1.19"], &host_key);
    let certificate = std::fs::read_to_string(dir.path().join("host-cert.pub")).unwrap();

    let _certified = HostCertificate::install(&lab, "h19", certificate.trim());
    let mut session = SshSession::connect(&target(&lab, 19), soon()).unwrap();
    assert_eq!(String::from_utf8_lossy(&run(&mut session, "hostname").stdout), "h19\n");
}

/// Adds a `HostCertificate` to a host's sshd until dropped.
struct HostCertificate<'lab> {
    lab: &'lab Lab,
    host: &'static str,
}

impl<'lab> HostCertificate<'lab> {
    fn install(lab: &'lab Lab, host: &'static str, certificate: &str) -> Self {
        lab.truth(
            host,
            &format!(
                "printf '%s\\n' '{certificate}' > /etc/ssh/ssh_host_ed25519_key-cert.pub && \
                 echo 'HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub' >> /etc/ssh/sshd_config && \
                 kill -HUP $(cat /run/sshd.pid) && sleep 1"
            ),
        );
        HostCertificate { lab, host }
    }
}

impl Drop for HostCertificate<'_> {
    fn drop(&mut self) {
        self.lab.exec(
            self.host,
            "sed -i '/^HostCertificate/d' /etc/ssh/sshd_config && \
             rm -f /etc/ssh/ssh_host_ed25519_key-cert.pub && kill -HUP $(cat /run/sshd.pid) && sleep 1",
        );
    }
}

fn assert_authentication_fails(client: &SshTarget) {
    let error = SshSession::connect(client, soon()).unwrap_err();
    assert!(matches!(error, TransportError::AuthenticationFailed { .. }), "{error}");
}

fn keygen(arguments: &[&str], path: &Path) {
    let status =
        std::process::Command::new("ssh-keygen").args(arguments).arg(path).status().unwrap();
    assert!(status.success(), "ssh-keygen {arguments:?} failed");
}

fn ssh_keygen_finds(known_hosts: &Path, host: &str) -> bool {
    std::process::Command::new("ssh-keygen")
        .args(["-F", host, "-f"])
        .arg(known_hosts)
        .output()
        .is_ok_and(|output| output.status.success() && !output.stdout.is_empty())
}
