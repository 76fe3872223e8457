//! One row of a change as before → after, the shape every review shows: the checked plans, the
//! promotion review, revision diffs and release requests.

/// One line of a change: what, before, after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub what: String,
    pub before: String,
    pub after: String,
}

impl Change {
    pub fn new(
        what: impl Into<String>,
        before: impl Into<String>,
        after: impl Into<String>,
    ) -> Self {
        Self {
            what: what.into(),
            before: before.into(),
            after: after.into(),
        }
    }
}
