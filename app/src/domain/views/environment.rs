//! The environment page: one page of its services (filtered from the URL), its databases and the
//! alarms that are not OK.

use super::queues::QueueSummary;
use super::rows::{firing_by_service, AlarmRow, DatabaseRow, ServiceRow};
use super::summary::{EnvCard, EnvData};
use crate::domain::alarm_filter::sort_for_display;
use crate::domain::ids::EnvId;
use crate::domain::inventory::{AlarmState, EnvInventory, Service};
use crate::domain::load_balancing::LbHealth;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub clusters: Vec<String>,
    /// One page of the services that match the query.
    pub services: ServicePage,
    pub databases: Vec<DatabaseRow>,
    /// The alarms that are not OK (firing first); the alarms page lists them all.
    pub alarms: Vec<AlarmRow>,
    pub alarms_total: usize,
    /// The environment's SQS queues in figures; `None` before the first details cycle.
    #[serde(default)]
    pub queues: Option<QueueSummary>,
    /// The environment's scheduled jobs in figures; `None` before the first details cycle.
    #[serde(default)]
    pub jobs: Option<super::jobs::JobSummary>,
    /// The environment's EC2 Auto Scaling groups in figures; `None` before the first details
    /// cycle.
    #[serde(default)]
    pub asgs: Option<super::asgs::AsgSummary>,
}

/// Services shown per page on the environment page.
pub const SERVICES_PER_PAGE: usize = 100;
/// The longest service filter accepted.
pub const MAX_SERVICE_FILTER: usize = 200;

/// Which services the environment page shows: a text filter (name, app or cluster, any case)
/// and a page, both from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuery {
    pub text: String,
    /// From 1.
    pub page: usize,
}

impl ServiceQuery {
    /// Reads `?q=` and `?page=`: the text trimmed and cut to [`MAX_SERVICE_FILTER`]
    /// characters, a page that is not a positive number taken as the first.
    pub fn parse(text: Option<&str>, page: Option<&str>) -> Self {
        Self {
            text: text
                .unwrap_or_default()
                .trim()
                .chars()
                .take(MAX_SERVICE_FILTER)
                .collect(),
            page: page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    fn matches(&self, lowered: &str, service: &Service) -> bool {
        lowered.is_empty()
            || [
                Some(&service.name),
                service.app.as_ref(),
                Some(&service.cluster),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(lowered))
    }

    /// The URL of page `page` of this query on `env`'s page.
    pub fn href(&self, env: &EnvId, page: usize) -> String {
        let mut params = Vec::new();
        if !self.text.is_empty() {
            params.push(format!(
                "q={}",
                crate::domain::alarm_filter::encode(&self.text)
            ));
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if params.is_empty() {
            format!("/envs/{env}")
        } else {
            format!("/envs/{env}?{}", params.join("&"))
        }
    }
}

/// One page of an environment's services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePage {
    pub query: ServiceQuery,
    pub rows: Vec<ServiceRow>,
    /// Services in the environment.
    pub total: usize,
    /// Services matching the filter.
    pub matching: usize,
    /// The page shown (the last one when the query asked past it).
    pub page: usize,
    pub pages: usize,
}

impl ServicePage {
    /// The services matching `query`, ordered by app, cluster and name, cut to one page. Only
    /// that page's rows are built.
    pub fn of(
        env: &EnvId,
        inventory: Option<&EnvInventory>,
        lb: Option<&LbHealth>,
        query: &ServiceQuery,
    ) -> Self {
        let Some(inv) = inventory else {
            return Self {
                query: query.clone(),
                rows: Vec::new(),
                total: 0,
                matching: 0,
                page: 1,
                pages: 1,
            };
        };
        let lowered = query.text.to_lowercase();
        let mut matching: Vec<&Service> = inv
            .services
            .iter()
            .filter(|s| query.matches(&lowered, s))
            .collect();
        matching.sort_by(|a, b| (&a.app, &a.cluster, &a.name).cmp(&(&b.app, &b.cluster, &b.name)));
        let pages = matching.len().div_ceil(SERVICES_PER_PAGE).max(1);
        let page = query.page.clamp(1, pages);
        let firing = firing_by_service(&inv.alarms);
        let rows = matching
            .iter()
            .skip((page - 1) * SERVICES_PER_PAGE)
            .take(SERVICES_PER_PAGE)
            .map(|s| {
                let n = firing
                    .get(&(s.cluster.as_str(), s.name.as_str()))
                    .copied()
                    .unwrap_or(0);
                let mut row = ServiceRow::with_firing(env, s, n);
                row.targets = lb.and_then(|lb| lb.counts_for(&s.load_balancers));
                row
            })
            .collect();
        Self {
            query: query.clone(),
            rows,
            total: inv.services.len(),
            matching: matching.len(),
            page,
            pages,
        }
    }
}

pub fn environment(env: &EnvData<'_>, query: &ServiceQuery, now: DateTime<Utc>) -> EnvironmentView {
    let id = &env.descriptor.id;
    let services = ServicePage::of(id, env.inventory, env.details.map(|d| &d.lb), query);
    let (clusters, mut databases, mut alarms, alarms_total) = match env.inventory {
        None => (Vec::new(), Vec::new(), Vec::new(), 0),
        Some(inv) => (
            inv.clusters.clone(),
            inv.databases
                .iter()
                .map(|d| DatabaseRow::of(id, d, inv, env.details))
                .collect::<Vec<_>>(),
            inv.alarms
                .iter()
                .filter(|a| a.state != AlarmState::Ok)
                .map(|a| AlarmRow {
                    env: id.clone(),
                    alarm: a.clone(),
                })
                .collect::<Vec<_>>(),
            inv.alarms.len(),
        ),
    };
    databases.sort_by(|a, b| a.database.id.cmp(&b.database.id));
    sort_for_display(&mut alarms, |r| &r.alarm);
    EnvironmentView {
        generated_at: now,
        card: env.card(now),
        clusters,
        services,
        databases,
        alarms,
        alarms_total,
        queues: env.details.map(|d| QueueSummary::of(&d.queues)),
        jobs: env
            .details
            .map(|d| super::jobs::JobSummary::of(&d.jobs, now)),
        asgs: env.details.map(|d| super::asgs::AsgSummary::of(&d.asgs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::RefreshStatus;
    use crate::domain::test_time::at;
    use crate::domain::views::fixtures::{descriptor, fleet};

    #[test]
    fn service_queries_come_from_the_url() {
        let long = "x".repeat(300);
        let cases: [(Option<&str>, Option<&str>, &str, usize); 6] = [
            (None, None, "", 1),
            (Some("  api "), Some("3"), "api", 3),
            (Some(""), Some("0"), "", 1),
            (None, Some("-2"), "", 1),
            (None, Some("two"), "", 1),
            (Some(&long), None, &long[..MAX_SERVICE_FILTER], 1),
        ];
        for (text, page, want_text, want_page) in cases {
            let q = ServiceQuery::parse(text, page);
            assert_eq!(
                (q.text.as_str(), q.page),
                (want_text, want_page),
                "{text:?} {page:?}"
            );
        }
        let env = EnvId::parse("prod").unwrap();
        let q = ServiceQuery::parse(Some("a b&c"), None);
        assert_eq!(q.href(&env, 1), "/envs/prod?q=a%20b%26c");
        assert_eq!(q.href(&env, 2), "/envs/prod?q=a%20b%26c&page=2");
        assert_eq!(ServiceQuery::default().href(&env, 1), "/envs/prod");
    }

    #[test]
    fn the_environment_page_shows_one_page_of_matching_services() {
        let inv = fleet(250);
        let env = EnvId::parse("prod").unwrap();
        // (filter, page) → (rows, matching, page shown, pages, first row)
        let cases = [
            ("", 1, 100, 250, 1, 3, "svc-0000"),
            // Apps sort as text: app-0, app-1, app-10…app-19, app-2, app-20…, so the third page
            // starts at app-5.
            ("", 3, 50, 250, 3, 3, "svc-0050"),
            ("", 9, 50, 250, 3, 3, "svc-0050"),
            ("APP-2", 1, 60, 60, 1, 1, "svc-0020"),
            ("c1", 1, 100, 125, 1, 2, "svc-0001"),
            ("nothing", 4, 0, 0, 1, 1, ""),
        ];
        for (text, page, rows, matching, shown, pages, first) in cases {
            let q = ServiceQuery {
                text: text.into(),
                page,
            };
            let p = ServicePage::of(&env, Some(&inv), None, &q);
            assert_eq!(
                (p.rows.len(), p.matching, p.page, p.pages, p.total),
                (rows, matching, shown, pages, 250),
                "{text:?} page {page}"
            );
            assert_eq!(
                p.rows.first().map(|r| r.name.as_str()).unwrap_or(""),
                first,
                "{text:?} page {page}"
            );
        }
        let firing = ServicePage::of(
            &env,
            Some(&inv),
            None,
            &ServiceQuery::parse(Some("svc-0003"), None),
        );
        assert_eq!(firing.rows[0].alarms_firing, 1);
        assert_eq!(
            ServicePage::of(&env, None, None, &ServiceQuery::default()).pages,
            1,
            "no inventory yet"
        );
    }

    #[test]
    fn the_environment_page_lists_the_alarms_that_are_not_ok() {
        let inv = fleet(3);
        let d = descriptor("prod");
        let status = RefreshStatus::default();
        let data = EnvData {
            descriptor: &d,
            status: &status,
            inventory: Some(&inv),
            details: None,
            summary: None,
        };
        let view = environment(&data, &ServiceQuery::default(), at("2026-11-29T10:00:00Z"));
        let names: Vec<&str> = view.alarms.iter().map(|a| a.alarm.name.as_str()).collect();
        assert_eq!(names, ["svc-0003-cpu", "no-data"]);
        assert_eq!(view.alarms_total, 3);
    }
}
