//! Subcommands that are designed but not built yet say so plainly.

use crate::exit_code;
use crate::output::Printer;

/// Reports that `name` is not built and returns [`exit_code::NOT_IMPLEMENTED`].
pub fn not_built(name: &str, printer: &Printer) -> i32 {
    printer.warning(format!(
        "`patchpilot {name}` is not built yet; nothing was done (exit code {})",
        exit_code::NOT_IMPLEMENTED
    ));
    exit_code::NOT_IMPLEMENTED
}
