//! Files generated from the code (shell completions, the man page, artifact
//! JSON Schemas) are committed so users and packagers get them without
//! building. These tests fail when one is stale; run them with
//! `PATCHPILOT_REGENERATE=1` to rewrite the files instead.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn regenerate() -> bool {
    std::env::var_os("PATCHPILOT_REGENERATE").is_some()
}

/// Compares `generated` with the committed file, or rewrites it.
fn check_or_write(relative: &str, generated: &[u8]) {
    let path = repo_path(relative);
    if regenerate() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "`{relative}` is stale: run `PATCHPILOT_REGENERATE=1 cargo test --test generated_files` \
         and commit the result"
    );
}

#[test]
fn shell_completions_are_up_to_date() {
    for (shell, file) in [
        (Shell::Bash, "completions/patchpilot.bash"),
        (Shell::Zsh, "completions/_patchpilot"),
        (Shell::Fish, "completions/patchpilot.fish"),
        (Shell::PowerShell, "completions/_patchpilot.ps1"),
    ] {
        let mut command = patchpilot::cli::command();
        let mut generated = Vec::new();
        clap_complete::generate(shell, &mut command, "patchpilot", &mut generated);
        check_or_write(file, &generated);
    }
}

#[test]
fn man_page_is_up_to_date() {
    let mut generated = Vec::new();
    clap_mangen::Man::new(patchpilot::cli::command()).render(&mut generated).unwrap();
    check_or_write("completions/patchpilot.1", &generated);
}

#[test]
fn artifact_schemas_are_up_to_date() {
    for (file, schema) in patchpilot::artifact::schemas() {
        let mut text = serde_json::to_vec_pretty(&schema).unwrap();
        text.push(b'\n');
        check_or_write(&format!("schemas/{file}"), &text);
    }
}
