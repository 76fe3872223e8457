//! Filters for the alarms page, parsed from (and written back to) the URL query.

use super::ids::EnvId;
use super::inventory::{Alarm, AlarmState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmFilter {
    pub env: Option<EnvId>,
    pub state: Option<AlarmState>,
    pub app: Option<String>,
    /// Case-insensitive text matched against name, description, reason and resource.
    pub text: Option<String>,
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl AlarmFilter {
    pub const MAX_TEXT: usize = 200;

    /// Reads the filter from query values; empty values mean "any".
    pub fn parse(
        env: Option<&str>,
        state: Option<&str>,
        app: Option<&str>,
        text: Option<&str>,
    ) -> Result<Self, String> {
        let env = non_empty(env)
            .map(EnvId::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let state = match non_empty(state) {
            None => None,
            Some(s) => Some(AlarmState::parse(s).ok_or_else(|| {
                format!("unknown alarm state {s:?}: expected ALARM, INSUFFICIENT_DATA or OK")
            })?),
        };
        let app = non_empty(app).map(str::to_string);
        let text = non_empty(text).map(str::to_string);
        if text.as_ref().is_some_and(|t| t.len() > Self::MAX_TEXT) {
            return Err(format!(
                "search text is longer than {} characters",
                Self::MAX_TEXT
            ));
        }
        Ok(Self {
            env,
            state,
            app,
            text,
        })
    }

    pub fn matches(&self, env: &EnvId, alarm: &Alarm) -> bool {
        if self.env.as_ref().is_some_and(|e| e != env) {
            return false;
        }
        if self.state.is_some_and(|s| s != alarm.state) {
            return false;
        }
        if let Some(app) = &self.app {
            if alarm.app.as_deref() != Some(app.as_str()) {
                return false;
            }
        }
        if let Some(text) = &self.text {
            let needle = text.to_lowercase();
            let haystacks = [
                Some(alarm.name.as_str()),
                alarm.description.as_deref(),
                Some(alarm.reason.as_str()),
                alarm.metric.as_deref(),
            ];
            let dims = alarm
                .dimensions
                .iter()
                .any(|(_, v)| v.to_lowercase().contains(&needle));
            if !dims
                && !haystacks
                    .iter()
                    .flatten()
                    .any(|h| h.to_lowercase().contains(&needle))
            {
                return false;
            }
        }
        true
    }

    /// The query string that reproduces this filter (for links), without the leading `?`.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(env) = &self.env {
            parts.push(format!("env={}", encode(env.as_str())));
        }
        if let Some(state) = self.state {
            parts.push(format!("state={}", state.as_str()));
        }
        if let Some(app) = &self.app {
            parts.push(format!("app={}", encode(app)));
        }
        if let Some(text) = &self.text {
            parts.push(format!("q={}", encode(text)));
        }
        parts.join("&")
    }
}

/// Orders alarms for display: firing first, then no data, then OK (within each, alarms that page
/// before scaling signals); newest change first.
pub fn sort_for_display<T>(rows: &mut [T], alarm: impl Fn(&T) -> &Alarm) {
    rows.sort_by(|a, b| {
        let (a, b) = (alarm(a), alarm(b));
        // Within a state, what pages comes before target tracking's scaling signals.
        a.state
            .cmp(&b.state)
            .then_with(|| a.is_scaling_signal().cmp(&b.is_scaling_signal()))
            .then_with(|| b.updated_at.cmp(&a.updated_at))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::AlarmResource;

    fn alarm(name: &str, state: AlarmState, app: Option<&str>) -> Alarm {
        Alarm {
            name: name.into(),
            arn: format!("arn:{name}"),
            state,
            reason: "Threshold Crossed".into(),
            updated_at: None,
            actions_enabled: true,
            namespace: Some("AWS/ECS".into()),
            metric: Some("CPUUtilization".into()),
            dimensions: vec![("ServiceName".into(), "prospa-api".into())],
            description: Some("CPU too high".into()),
            threshold: Some(80.0),
            comparison: None,
            resource: AlarmResource::Unknown,
            app: app.map(str::to_string),
            actions: vec![],
            rule: None,
        }
    }

    #[test]
    fn filters_match_table() {
        let prod = EnvId::parse("prod").unwrap();
        let a = alarm("api-cpu", AlarmState::Alarm, Some("prospa"));
        let cases = [
            ((None, None, None, None), true),
            ((Some("prod"), None, None, None), true),
            ((Some("dev"), None, None, None), false),
            ((None, Some("alarm"), None, None), true),
            ((None, Some("OK"), None, None), false),
            ((None, None, Some("prospa"), None), true),
            ((None, None, Some("other"), None), false),
            ((None, None, None, Some("CPU")), true),
            ((None, None, None, Some("prospa-API")), true),
            ((None, None, None, Some("memory")), false),
            ((Some(""), Some(""), Some(""), Some("  ")), true),
        ];
        for ((env, state, app, text), expected) in cases {
            let f = AlarmFilter::parse(env, state, app, text).unwrap();
            assert_eq!(
                f.matches(&prod, &a),
                expected,
                "{env:?} {state:?} {app:?} {text:?}"
            );
        }
    }

    #[test]
    fn bad_filter_values_are_refused_with_a_reason() {
        let err = AlarmFilter::parse(None, Some("RED"), None, None).unwrap_err();
        assert!(err.contains("unknown alarm state"), "{err}");
        assert!(AlarmFilter::parse(Some("Prod!"), None, None, None).is_err());
        let long = "x".repeat(201);
        assert!(AlarmFilter::parse(None, None, None, Some(&long)).is_err());
    }

    #[test]
    fn query_round_trips() {
        let f =
            AlarmFilter::parse(Some("prod"), Some("ALARM"), Some("a b"), Some("cpu&mem")).unwrap();
        assert_eq!(f.to_query(), "env=prod&state=ALARM&app=a%20b&q=cpu%26mem");
    }

    #[test]
    fn firing_alarms_sort_first() {
        let mut rows = vec![
            alarm(
                "TargetTracking-service/main/web-AlarmLow-1",
                AlarmState::Alarm,
                None,
            ),
            alarm("b", AlarmState::Ok, None),
            alarm("a", AlarmState::InsufficientData, None),
            alarm("c", AlarmState::Alarm, None),
        ];
        sort_for_display(&mut rows, |a| a);
        let names: Vec<_> = rows.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["c", "TargetTracking-service/main/web-AlarmLow-1", "a", "b"],
            "a scaling signal in ALARM after the alarms that page"
        );
    }
}
