//! The store's one error type: a database or JSON failure, or a stored value that does not
//! parse, wrapped in what the store was doing when it happened. Causes stay in the source chain,
//! never formatted into the message, so the log shows the whole of it once
//! (`recording a vote: error returned from database: …`) and nothing reaches a client.

use app::ports::PortError;
use std::error::Error as StdError;

/// Any cause of a [`StoreError::Corrupt`] value: a time or JSON parse error, or a domain parser's
/// message.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused the statement or could not be reached.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A value could not be written as JSON (or read from it).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A stored value that does not parse: a bad time, an unknown state or kind, JSON that no
    /// longer fits its type.
    #[error("stored {what} {value:?} does not parse")]
    Corrupt {
        what: &'static str,
        value: String,
        #[source]
        source: BoxError,
    },
    /// A row the operation needs is not there.
    #[error("{what} #{id} does not exist")]
    Missing { what: &'static str, id: i64 },
    /// The database answers but not every embedded migration is applied.
    #[error("{applied} of {expected} migrations applied")]
    Unmigrated { applied: i64, expected: i64 },
    /// What the store was doing when `source` happened.
    #[error("{what}")]
    Context {
        what: &'static str,
        #[source]
        source: Box<StoreError>,
    },
}

/// The longest stored value a [`StoreError::Corrupt`] repeats (JSON columns can be long).
const SHOWN_VALUE: usize = 80;

impl StoreError {
    /// This error as the cause of `what` the store was doing.
    pub fn context(self, what: &'static str) -> Self {
        StoreError::Context {
            what,
            source: Box::new(self),
        }
    }

    /// A stored `what` whose text `value` does not parse, because of `source`.
    pub fn corrupt(what: &'static str, value: &str, source: impl Into<BoxError>) -> Self {
        let value = match value.char_indices().nth(SHOWN_VALUE) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_string(),
        };
        StoreError::Corrupt {
            what,
            value,
            source: source.into(),
        }
    }
}

/// A stored person id (`what` names the column), checked.
pub fn person_id(
    what: &'static str,
    value: &str,
) -> Result<app::domain::person::PersonId, StoreError> {
    app::domain::person::PersonId::parse(value).map_err(|e| StoreError::corrupt(what, value, e))
}

/// The rows that parse, each on its own: one that does not is logged (`unreadable` says what it
/// is) and left out, so one bad row never keeps a background job from the others.
pub(crate) fn readable<R, T>(
    rows: Vec<R>,
    parse: impl Fn(R) -> Result<T, StoreError>,
    unreadable: &'static str,
) -> Vec<T> {
    rows.into_iter()
        .filter_map(|row| match parse(row) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                let chain = app::error::error_chain(&e);
                tracing::error!(error = %chain, "{unreadable}");
                None
            }
        })
        .collect()
}

/// `.context("recording a vote")` on any result whose error is (or becomes) a [`StoreError`].
pub trait StoreContext<T> {
    fn context(self, what: &'static str) -> Result<T, StoreError>;
}

impl<T, E: Into<StoreError>> StoreContext<T> for Result<T, E> {
    fn context(self, what: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| e.into().context(what))
    }
}

/// The ports speak [`PortError`]: the store's error goes into it whole, chain and all.
impl From<StoreError> for PortError {
    fn from(error: StoreError) -> Self {
        PortError::new(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_cause_in_the_chain_not_in_the_message() {
        let cause = serde_json::from_str::<u32>("nope").unwrap_err();
        let error =
            StoreError::corrupt("release changes", "nope", cause).context("reading a release");
        assert_eq!(error.to_string(), "reading a release");
        let corrupt = error.source().expect("the corrupt value is the source");
        assert_eq!(
            corrupt.to_string(),
            "stored release changes \"nope\" does not parse"
        );
        assert!(corrupt.source().is_some(), "the parse error stays below it");
        let chain = app::error::error_chain(&error);
        assert!(
            chain
                .starts_with("reading a release: stored release changes \"nope\" does not parse: "),
            "{chain}"
        );
    }

    #[test]
    fn long_stored_values_are_shortened() {
        let long = "x".repeat(500);
        let error = StoreError::corrupt("json", &long, "bad");
        assert!(
            matches!(&error, StoreError::Corrupt { value, .. } if value.chars().count() == SHOWN_VALUE + 1),
            "{error:?}"
        );
    }
}
