//! Drives the real `patchpilot` binary through `plan` and `approve`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A scratch directory holding the lab assessment, the example policy and
/// private copies of the test keys.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(ROOT);
    std::fs::copy(
        root.join("tests/fixtures/plan/assessment.json"),
        dir.path().join("assessment.json"),
    )
    .unwrap();
    std::fs::copy(root.join("examples/policy.toml"), dir.path().join("policy.toml")).unwrap();
    for name in ["alice", "bob", "carol", "dave"] {
        let key = dir.path().join(name);
        std::fs::copy(root.join("tests/fixtures/approval").join(name), &key).unwrap();
        std::fs::copy(
            root.join("tests/fixtures/approval").join(format!("{name}.pub")),
            dir.path().join(format!("{name}.pub")),
        )
        .unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
}

fn patchpilot(dir: &Path, operator: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patchpilot"))
        .current_dir(dir)
        .env_remove("PATCHPILOT_NOW")
        .env("NO_COLOR", "1")
        .args(["--operator", operator])
        .args(args)
        .output()
        .unwrap()
}

fn plan(dir: &Path, now: &str, output: &str) {
    let run = patchpilot(dir, "alice", &["plan", "--now", now, "--output", output]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn plan_is_byte_identical_across_runs_with_the_same_now() {
    let dir = workspace();
    plan(dir.path(), "2026-08-22T00:00:00Z", "a.json");
    plan(dir.path(), "2026-08-22T00:00:00Z", "b.json");
    let a = std::fs::read(dir.path().join("a.json")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.json")).unwrap());

    let show = patchpilot(dir.path(), "alice", &["plan", "show", "a.json"]);
    let tables = String::from_utf8_lossy(&show.stdout);
    assert!(tables.contains("canary (canary)"), "{tables}");
    assert!(tables.contains("unreachable when assessed"), "{tables}");
}

#[test]
fn plan_diff_shows_what_moved() {
    let dir = workspace();
    plan(dir.path(), "2026-08-22T00:00:00Z", "a.json");
    plan(dir.path(), "2026-10-02T00:00:00Z", "b.json");
    let same = patchpilot(dir.path(), "alice", &["plan", "diff", "a.json", "a.json"]);
    assert!(String::from_utf8_lossy(&same.stdout).contains("identical"));

    let diff = patchpilot(dir.path(), "alice", &["plan", "diff", "a.json", "b.json"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("postgresql-15 (none) → 15.8-0+deb12u1"), "{text}");
    assert!(text.contains("moved"), "{text}");
}

#[test]
fn broken_policy_is_reported_with_its_location_and_exit_code_2() {
    let dir = workspace();
    let policy = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("max_concurrent = 10", "max_concurent = 10");
    std::fs::write(&policy, &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("max_concurent")).unwrap() + 1;

    let run = patchpilot(dir.path(), "alice", &["plan", "check-policy", "policy.toml"]);
    assert_eq!(run.status.code(), Some(2));
    let expected =
        format!("policy.toml:{line}:1: `throttle.max_concurent`: unknown field `max_concurent`");
    assert!(stderr(&run).contains(&expected), "{}", stderr(&run));
    assert!(stderr(&run).contains("(did you mean `max_concurrent`?)"), "{}", stderr(&run));
}

#[test]
fn operator_without_the_role_is_refused_and_the_refusal_recorded() {
    let dir = workspace();
    plan(dir.path(), "2026-08-22T00:00:00Z", "plan.json");

    let run = patchpilot(
        dir.path(),
        "bob",
        &["approve", "plan.json", "--key", "bob", "--role", "security"],
    );
    assert_eq!(run.status.code(), Some(15));
    assert!(
        stderr(&run).contains(
            "approval refused: operator `bob` does not hold role `security` (holds: `ops`)"
        ),
        "{}",
        stderr(&run)
    );
    let policy = dir.path().join("policy.toml");
    let stricter = std::fs::read_to_string(&policy).unwrap().replace(
        "roles = [\"security\", \"change-manager\"]",
        "roles = [\"security\", \"change-manager\", \"ops\"]",
    );
    std::fs::write(&policy, stricter).unwrap();
    let wrong_place =
        patchpilot(dir.path(), "bob", &["approve", "plan.json", "--key", "bob", "--role", "ops"]);
    assert!(
        stderr(&wrong_place).contains("role `ops` may not approve in environment `production`")
    );

    let log = std::fs::read_to_string(dir.path().join("plan.json.approvals/log.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["event"], "refused");
    assert_eq!(lines[0]["operator"], "bob");
    assert!(!dir.path().join("plan.json.approvals/security@bob.sig").exists());
}

#[test]
fn approvals_verify_until_the_plan_changes() {
    let dir = workspace();
    plan(dir.path(), "2026-08-22T00:00:00Z", "plan.json");
    for (operator, role) in [("alice", "security"), ("carol", "change-manager"), ("carol", "ops")] {
        let run = patchpilot(
            dir.path(),
            operator,
            &["approve", "plan.json", "--key", operator, "--role", role],
        );
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let verify = patchpilot(dir.path(), "anyone", &["approve", "plan.json", "--verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));

    let signers = patchpilot(dir.path(), "anyone", &["approve", "--allowed-signers"]);
    std::fs::write(dir.path().join("allowed_signers"), &signers.stdout).unwrap();
    let message =
        std::fs::File::open(dir.path().join("plan.json.approvals/security@alice.msg")).unwrap();
    let keygen = Command::new("ssh-keygen")
        .current_dir(dir.path())
        .args(["-Y", "verify", "-f", "allowed_signers", "-I", "alice", "-n", "patchpilot-plan"])
        .args(["-s", "plan.json.approvals/security@alice.sig"])
        .stdin(message)
        .output()
        .unwrap();
    assert!(keygen.status.success(), "{}", stderr(&keygen));

    let path = dir.path().join("plan.json");
    let text = std::fs::read_to_string(&path).unwrap().replacen("\"batch\": 1", "\"batch\": 2", 1);
    std::fs::write(&path, text).unwrap();
    let verify = patchpilot(dir.path(), "anyone", &["approve", "plan.json", "--verify"]);
    assert_eq!(verify.status.code(), Some(15));
    assert!(stderr(&verify).contains("signature does not match this plan"), "{}", stderr(&verify));
}

/// Starts a private ssh-agent holding `key`; returns its socket and pid.
fn agent_with(dir: &Path, key: &str) -> Option<(PathBuf, String)> {
    let socket = dir.join("agent.sock");
    let started = Command::new("ssh-agent").arg("-a").arg(&socket).arg("-s").output().ok()?;
    let text = String::from_utf8_lossy(&started.stdout).into_owned();
    let pid = text.split("SSH_AGENT_PID=").nth(1)?.split(';').next()?.to_string();
    let added =
        Command::new("ssh-add").env("SSH_AUTH_SOCK", &socket).arg(dir.join(key)).output().ok()?;
    added.status.success().then_some((socket, pid))
}

#[test]
fn key_held_only_in_ssh_agent_signs_through_ssh_keygen() {
    let dir = workspace();
    plan(dir.path(), "2026-08-22T00:00:00Z", "plan.json");
    let Some((socket, pid)) = agent_with(dir.path(), "alice") else {
        panic!("ssh-agent and ssh-add are needed (Debian package openssh-client)");
    };
    std::fs::remove_file(dir.path().join("alice")).unwrap();

    let run = Command::new(env!("CARGO_BIN_EXE_patchpilot"))
        .current_dir(dir.path())
        .env("SSH_AUTH_SOCK", &socket)
        .args([
            "--operator",
            "alice",
            "approve",
            "plan.json",
            "--key",
            "alice.pub",
            "--role",
            "security",
        ])
        .output()
        .unwrap();
    let _ = Command::new("kill").arg(&pid).status();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(dir.path().join("plan.json.approvals/security@alice.sig").exists());
}
