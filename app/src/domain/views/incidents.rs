//! The incidents page and one incident's page.

use crate::domain::ids::EnvId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Incidents across the environments a person may see, filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentsView {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<crate::domain::incidents::Incident>,
    pub filter: crate::domain::incidents::IncidentFilter,
    pub envs: Vec<EnvId>,
    /// Environments where this person may acknowledge (operator or above).
    pub may_respond_in: Vec<String>,
    /// Who is looking: compared with the incident's owner by id.
    pub me: crate::domain::person::PersonId,
}

/// One incident with its timeline and what this person may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub generated_at: DateTime<Utc>,
    pub incident: crate::domain::incidents::Incident,
    pub env_name: String,
    pub timeline: Vec<crate::domain::incidents::TimelineEntry>,
    pub newest_first: bool,
    /// `Ok` when the person may acknowledge, assign and resolve; else why not.
    pub respond: Result<(), String>,
    /// Who is looking: compared with the incident's owner by id.
    pub me: crate::domain::person::PersonId,
    /// The suspect window, in minutes, for the legend.
    pub suspect_minutes: i64,
    /// Who is on call now per rotation, to assign to.
    pub on_call: Vec<String>,
    /// The logs of the services behind the incident's alarms and its suspect changes, at the
    /// time the alarms fired.
    #[serde(default)]
    pub log_links: Vec<LogLink>,
}

/// A link to one service's logs around an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLink {
    /// `cluster/service`.
    pub service: String,
    pub href: String,
}

/// How far before the first alarm and after the incident opened its logs links reach.
pub const LOGS_BEFORE_MINUTES: i64 = 15;
pub const LOGS_AFTER_MINUTES: i64 = 10;

/// Links to the logs of the services the incident's alarms watch and of its suspect changes'
/// services, each over the alarm time window: from before the first alarm fired to after the
/// incident opened (no later than `now`), newest first.
pub fn log_links(
    incident: &crate::domain::incidents::Incident,
    inventory: Option<&crate::domain::inventory::EnvInventory>,
    timeline: &[crate::domain::incidents::TimelineEntry],
    now: DateTime<Utc>,
) -> Vec<LogLink> {
    use crate::domain::inventory::AlarmResource;
    let mut services: Vec<(String, String)> = Vec::new();
    let mut add = |cluster: &str, service: &str| {
        let pair = (cluster.to_string(), service.to_string());
        if !services.contains(&pair) {
            services.push(pair);
        }
    };
    if let Some(inv) = inventory {
        for alarm in &incident.alarms {
            if let Some(found) = inv.alarms.iter().find(|a| a.name == alarm.name) {
                if let AlarmResource::Service { cluster, service } = &found.resource {
                    add(cluster, service);
                }
            }
        }
    }
    for entry in timeline.iter().filter(|e| e.suspect) {
        if let Some(offer) = &entry.rollback {
            add(&offer.cluster, &offer.service);
        }
    }
    let first = incident
        .alarms
        .iter()
        .map(|a| a.since)
        .min()
        .unwrap_or(incident.opened_at)
        .min(incident.opened_at);
    let from = first - chrono::Duration::minutes(LOGS_BEFORE_MINUTES);
    let to = (incident.opened_at + chrono::Duration::minutes(LOGS_AFTER_MINUTES)).min(now);
    let stamp = |t: DateTime<Utc>| {
        crate::domain::alarm_filter::encode(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    services
        .into_iter()
        .map(|(cluster, service)| LogLink {
            href: format!(
                "/envs/{}/services/{cluster}/{service}/logs?from={}&to={}",
                incident.env,
                stamp(from),
                stamp(to.max(from + chrono::Duration::minutes(1)))
            ),
            service: format!("{cluster}/{service}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incidents::{
        EntryKind, Incident, IncidentAlarm, IncidentState, RollbackOffer, Severity, TimelineEntry,
    };
    use crate::domain::inventory::{AlarmResource, AlarmState, EnvInventory};
    use crate::domain::test_time::at;
    use crate::domain::views::fixtures::{alarm, service};

    #[test]
    fn an_incident_links_the_logs_of_its_alarms_and_suspects_services_at_the_alarm_time() {
        let on = |s: &str| AlarmResource::Service {
            cluster: "main".into(),
            service: s.into(),
        };
        let inventory = EnvInventory {
            services: vec![
                service("main", "web", None, "web:1"),
                service("main", "api", None, "api:1"),
            ],
            alarms: vec![
                alarm("web-5xx", AlarmState::Alarm, on("web"), None),
                alarm("web-latency", AlarmState::Alarm, on("web"), None),
                alarm(
                    "db-cpu",
                    AlarmState::Alarm,
                    AlarmResource::Database { id: "db".into() },
                    None,
                ),
            ],
            ..EnvInventory::default()
        };
        let fired = |name: &str, t: &str| IncidentAlarm {
            name: name.into(),
            state: AlarmState::Alarm,
            since: at(t),
        };
        let incident = Incident {
            id: 7,
            env: "prod".into(),
            group_key: "app:shop".into(),
            app: Some("shop".into()),
            title: "shop".into(),
            severity: Severity::High,
            state: IncidentState::Open,
            opened_at: at("2026-12-07T06:40:00Z"),
            last_fired_at: at("2026-12-07T06:40:00Z"),
            resolved_at: None,
            resolved_by: None,
            acknowledged_by: None,
            acknowledged_by_id: None,
            acknowledged_at: None,
            assignee: None,
            assignee_id: None,
            escalated_at: None,
            reopened: 0,
            alarms: vec![
                fired("web-5xx", "2026-12-07T06:38:00Z"),
                fired("web-latency", "2026-12-07T06:40:00Z"),
                fired("db-cpu", "2026-12-07T06:39:00Z"),
            ],
        };
        let suspect = |service: &str, suspect: bool| TimelineEntry {
            at: at("2026-12-07T06:30:00Z"),
            kind: EntryKind::Deployment {
                service: format!("main/{service}"),
                task_definition: "td/x:2".into(),
                previous: None,
            },
            summary: String::new(),
            actor: None,
            suspect,
            rollback: Some(RollbackOffer {
                cluster: "main".into(),
                service: service.into(),
                to: "td/x:1".into(),
            }),
            rolled_back: None,
        };
        let links = log_links(
            &incident,
            Some(&inventory),
            &[suspect("api", true), suspect("other", false)],
            at("2026-12-07T06:45:00Z"),
        );
        let services: Vec<&str> = links.iter().map(|l| l.service.as_str()).collect();
        assert_eq!(
            services,
            ["main/web", "main/api"],
            "each once; not an older change"
        );
        assert_eq!(
            links[0].href,
            "/envs/prod/services/main/web/logs?from=2026-12-07T06%3A23%3A00Z&to=2026-12-07T06%3A45%3A00Z"
        );
        let later = log_links(&incident, Some(&inventory), &[], at("2026-12-07T09:00:00Z"));
        assert!(later[0].href.ends_with("&to=2026-12-07T06%3A50%3A00Z"));
        assert!(log_links(&incident, None, &[], at("2026-12-07T09:00:00Z")).is_empty());
    }
}
