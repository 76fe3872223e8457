//! Conversions from SDK shapes to plain values: timestamps, error text.

use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};

pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

pub fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

/// The whole error chain in one line, bounded, for the UI and logs.
pub fn error_text(operation: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{operation}: {}", DisplayErrorContext(error));
    if text.len() > 400 {
        let mut cut = 400;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Maps an SDK result's error into our one-line error text.
pub trait Context<T> {
    fn op(self, operation: &str) -> Result<T, String>;
}

impl<T, E: std::error::Error + 'static> Context<T> for Result<T, E> {
    fn op(self, operation: &str) -> Result<T, String> {
        self.map_err(|e| error_text(operation, &e))
    }
}
