//! `patchpilot inventory discover`: list what answers in an address range.

use std::time::Duration;

use comfy_table::Table;

use crate::cli::DiscoverArgs;
use crate::discovery::{self, ScanSettings};
use crate::exit_code;
use crate::output::{Format, Printer, UserError};

pub fn run(args: &DiscoverArgs, printer: &Printer) -> anyhow::Result<i32> {
    let settings = resolve(args)?;
    let targets = discovery::targets(&settings).map_err(|e| UserError::usage(e.to_string()))?;
    printer.status(format!(
        "scanning {} targets at most {} per second",
        targets.len(),
        settings.rate_per_second
    ));

    let open = discovery::scan(&settings, targets, |found| {
        if printer.format() == Format::Json {
            printer.event(&serde_json::json!({ "event": "open", "address": found.address, "port": found.port }));
        }
    });

    match printer.format() {
        Format::Json => printer.json(&open)?,
        Format::Human => {
            let mut table = Table::new();
            table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(["address", "port", "connect ms"]);
            for found in &open {
                table.add_row([
                    found.address.to_string(),
                    found.port.to_string(),
                    format!("{:.1}", found.connect_millis),
                ]);
            }
            printer.data(table);
            printer.status(format!("{} open", open.len()));
        }
    }
    Ok(exit_code::SUCCESS)
}

fn resolve(args: &DiscoverArgs) -> anyhow::Result<ScanSettings> {
    let networks =
        discovery::parse_networks(&args.cidr).map_err(|e| UserError::usage(e.to_string()))?;
    if args.rate == 0 || args.parallel == 0 {
        return Err(UserError::usage("`--rate` and `--parallel` must be at least 1").into());
    }
    Ok(ScanSettings {
        networks,
        ports: args.port.clone(),
        rate_per_second: args.rate,
        timeout: Duration::from_millis(args.timeout),
        parallel: args.parallel,
    })
}
