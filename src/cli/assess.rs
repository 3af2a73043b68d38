//! Arguments of `patchpilot assess`.

use std::path::PathBuf;

use clap::Args;

/// Match installed packages against advisories and write assessment.json.
///
/// Reads the inventory, every advisory feed given (OSV directories or zips
/// for Debian, Ubuntu, Alpine, AlmaLinux, Rocky and Red Hat; Debian
/// security-tracker DSA/DLA lists; Alpine secdb; Red Hat CSAF), CISA KEV and
/// EPSS, and the host's own pending security updates. Each finding is
/// classified emergency, scheduled or deferrable by the policy's `[risk]`
/// rules and given a deadline from its tier, severity and regulatory tags.
/// With `--previous`, first-seen dates carry over and fixed findings are
/// listed as resolved. Nothing is fetched from the network.
///
/// `--format human` prints summary tables, `--format json` the summary as
/// JSON, `--format csv` one row per finding for spreadsheets; the artifact
/// always goes to `--output`.
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
