//! Pure domain rules and data types shared by the server and the browser. Nothing in here does IO,
//! reads the clock or knows about AWS, SQL or HTTP: time is always a parameter.

pub mod actions;
pub mod alarm_filter;
pub mod approvals;
pub mod apps;
pub mod audit;
pub mod chart;
pub mod format;
pub mod health;
pub mod ids;
pub mod incidents;
pub mod inventory;
pub mod local_time;
pub mod oncall;
pub mod plans;
pub mod policy;
pub mod rollout;
pub mod tokens;
pub mod views;

/// The instants the domain's table tests are written in.
#[cfg(test)]
pub(crate) mod test_time {
    use chrono::{DateTime, Utc};

    /// An RFC 3339 instant, e.g. `2026-11-29T10:00:00Z`.
    pub fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }
}
