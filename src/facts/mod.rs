//! Facts: what a host is, what it runs and how it is doing, learned from the
//! host's own tools.
//!
//! The module owns two things: the shell script that gathers everything from
//! a Linux host in one round trip ([`linux::GATHER_SCRIPT`]), and the parsers
//! that turn package-manager and system-tool output into the
//! [`Facts`](crate::artifact::inventory::Facts) of the inventory artifact.
//! Every parser is a plain function from captured text to values, so each can
//! be tested on real output kept under `tests/fixtures/<tool>/`.
//!
//! Parsers are lenient by design: a line they do not understand is skipped
//! rather than failing the host, because one odd package name must never cost
//! us the facts of a whole machine. Only output that cannot be what we asked
//! for at all (no gather sections, malformed JSON or XML) is an error.

pub mod addresses;
pub mod apk;
pub mod apt;
pub mod disk;
pub mod host;
pub mod linux;
pub mod listen;
pub mod lock;
pub mod macos;
pub mod reboot;
pub mod rpm;
mod sections;
pub mod version;
pub mod windows;
pub mod zypper;

/// Why output could not be turned into facts at all.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The bytes do not come from the gather script: a login banner, a shell
    /// error, or a remote without `sh`.
    #[error("the output holds no gather sections; it starts with `{preview}`")]
    NotGatherOutput { preview: String },

    /// The script that ran speaks a format this build does not read.
    #[error("gather output format `v{found}` is not the supported `v{supported}`")]
    UnsupportedFormat { found: String, supported: u32 },

    /// A tool that should print JSON printed something else.
    #[error("{what} is not valid JSON")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },

    /// A tool that should print XML printed something else.
    #[error("{what} is not well-formed XML")]
    Xml {
        what: &'static str,
        #[source]
        source: roxmltree::Error,
    },
}

/// Converts tool output to text, replacing bytes that are not UTF-8 so a
/// stray Latin-1 package description cannot fail a whole host.
pub fn lossy_text(output: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(output)
}
