//! `assess` arguments resolved and checked before any file is parsed.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::cli::AssessArgs;
use crate::output::UserError;

/// What `assess` runs on.
#[derive(Debug, Clone)]
pub struct AssessSettings {
    pub inventory: PathBuf,
    pub advisories: Vec<PathBuf>,
    pub kev: Option<PathBuf>,
    pub epss: Option<PathBuf>,
    pub max_age_days: Option<u32>,
    pub strict: bool,
    pub policy: Option<PathBuf>,
    pub previous: Option<PathBuf>,
    pub today: Date,
    pub output: PathBuf,
    pub top: usize,
}

impl AssessSettings {
    /// Checks every path and the date; reports all mistakes at once.
    pub fn resolve(args: &AssessArgs) -> Result<Self, UserError> {
        let mut problems = Vec::new();

        let mut must_exist = |path: &Path, what: &str| {
            if !path.exists() {
                problems.push(format!("{what} `{}` does not exist", path.display()));
            }
        };
        must_exist(&args.inventory, "inventory");
        for path in &args.advisories {
            must_exist(path, "advisory feed");
        }
        for (path, what) in [
            (&args.kev, "KEV catalog"),
            (&args.epss, "EPSS file"),
            (&args.policy, "policy"),
            (&args.previous, "previous assessment"),
        ] {
            if let Some(path) = path {
                must_exist(path, what);
            }
        }

        let today = match &args.today {
            Some(text) => text.parse::<Date>().unwrap_or_else(|_| {
                problems.push(format!("`--today {text}` is not a YYYY-MM-DD date"));
                Date::default()
            }),
            None => jiff::ZonedDateTime::now().date(),
        };
        if args.top == 0 {
            problems.push("`--top` must be at least 1".into());
        }

        if !problems.is_empty() {
            return Err(
                UserError::usage(problems.join("; ")).with_hint("see `patchpilot assess --help`")
            );
        }
        Ok(AssessSettings {
            inventory: args.inventory.clone(),
            advisories: args.advisories.clone(),
            kev: args.kev.clone(),
            epss: args.epss.clone(),
            max_age_days: args.max_age,
            strict: args.strict,
            policy: args.policy.clone(),
            previous: args.previous.clone(),
            today,
            output: args.output.clone(),
            top: args.top,
        })
    }
}
