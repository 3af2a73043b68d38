//! A per-run progress bar that exists only on a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress over a known number of hosts; a no-op when hidden.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(visible: bool, total: u64, what: &str) -> Self {
        if !visible {
            return Progress { bar: None };
        }
        let bar = ProgressBar::new(total);
        let template =
            format!("{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} {{msg}} ({{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    pub fn advance(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
