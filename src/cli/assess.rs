//! Arguments of `patchpilot assess`.

use std::path::PathBuf;

use clap::Args;

/// Arguments of `patchpilot assess`; the help text is on `Command::Assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The inventory artifact to assess.
    #[arg(
        short,
        long,
        default_value = "inventory.json",
        value_name = "FILE",
        help_heading = "Input"
    )]
    pub inventory: PathBuf,

    /// An advisory feed: a file, a directory (formats may be mixed) or a zip
    /// of OSV records. Repeatable.
    #[arg(short, long = "advisories", value_name = "PATH", help_heading = "Feeds")]
    pub advisories: Vec<PathBuf>,

    /// CISA Known Exploited Vulnerabilities catalog (JSON).
    #[arg(long, value_name = "FILE", help_heading = "Feeds")]
    pub kev: Option<PathBuf>,

    /// EPSS scores (CSV, with or without the `#model_version` line).
    #[arg(long, value_name = "FILE", help_heading = "Feeds")]
    pub epss: Option<PathBuf>,

    /// Refuse to run when any feed's data is older than this many days
    /// (counted from `--today`). Feeds that carry no date are reported.
    #[arg(long, value_name = "DAYS", help_heading = "Feeds")]
    pub max_age: Option<u32>,

    /// Treat malformed feed records, undated feeds under `--max-age` and
    /// unparsable CVSS vectors as errors instead of warnings.
    #[arg(long, help_heading = "Feeds")]
    pub strict: bool,

    /// Policy file; its `[risk]` table sets the classification rules, SLA
    /// days and regulatory limits. Defaults to the built-in policy.
    #[arg(long, env = "PATCHPILOT_POLICY", value_name = "FILE", help_heading = "Policy")]
    pub policy: Option<PathBuf>,

    /// The previous assessment: first-seen dates carry over from it so SLA
    /// clocks do not restart, and findings gone since are listed as resolved.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub previous: Option<PathBuf>,

    /// Treat this date as today (YYYY-MM-DD), for reproducible reports.
    #[arg(long, env = "PATCHPILOT_TODAY", help_heading = "Policy")]
    pub today: Option<String>,

    /// Where to write the artifact.
    #[arg(short, long, default_value = "assessment.json", help_heading = "Output")]
    pub output: PathBuf,

    /// CVEs listed in the summary.
    #[arg(long, default_value_t = 10, value_name = "N", help_heading = "Output")]
    pub top: usize,
}
