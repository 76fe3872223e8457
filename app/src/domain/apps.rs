//! Apps: services and databases grouped by their app tag, so one workload reads as a unit across
//! environments.

use super::inventory::{Alarm, AlarmResource, EnvDetails, EnvInventory};
use std::collections::BTreeMap;

/// The app an alarm belongs to: the app of the service, database, queue or function it
/// watches, if known (queues and functions once a details cycle has read them).
pub fn app_of_alarm(
    inventory: &EnvInventory,
    details: Option<&EnvDetails>,
    alarm: &Alarm,
) -> Option<String> {
    match &alarm.resource {
        AlarmResource::Service { cluster, service } => inventory
            .service(cluster, service)
            .and_then(|s| s.app.clone()),
        AlarmResource::Database { id } => inventory.database(id).and_then(|d| d.app.clone()),
        AlarmResource::Queue { name } => details?.queues.get(name)?.app.clone(),
        AlarmResource::Function { name } => details?.functions.get(name)?.app.clone(),
        AlarmResource::AutoScalingGroup { name } => details?.asgs.get(name)?.app.clone(),
        AlarmResource::Rule { name } => details?
            .jobs
            .get(&super::scheduled_jobs::job_key(
                &super::scheduled_jobs::JobSource::Rule,
                name,
            ))?
            .app
            .clone(),
        AlarmResource::Other { .. } | AlarmResource::Unknown => None,
    }
}

/// The app named by a resource's tags under `tag_key`.
pub fn app_from_tags(tags: &BTreeMap<String, String>, tag_key: &str) -> Option<String> {
    tags.get(tag_key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Gives each scheduled job without an app tag the app of what it runs: the function it
/// invokes, a service running the same task-definition family, or else the app its name starts
/// with (`cloudarch-cleanup-nightly` → `cloudarch`).
pub fn attribute_jobs(inventory: &EnvInventory, details: &mut EnvDetails) {
    use super::scheduled_jobs::JobTarget;
    let mut known: Vec<String> = inventory
        .services
        .iter()
        .filter_map(|s| s.app.clone())
        .chain(inventory.databases.iter().filter_map(|d| d.app.clone()))
        .chain(
            details
                .functions
                .functions
                .iter()
                .filter_map(|f| f.app.clone()),
        )
        .collect();
    known.sort();
    known.dedup();
    known.sort_by_key(|a| std::cmp::Reverse(a.len()));
    let functions = &details.functions;
    let apps: Vec<Option<String>> = details
        .jobs
        .jobs
        .iter()
        .map(|job| {
            if job.app.is_some() {
                return job.app.clone();
            }
            let of_target = match &job.target {
                Some(JobTarget::Lambda { function, .. }) => {
                    functions.get(function).and_then(|f| f.app.clone())
                }
                Some(JobTarget::Ecs(t)) => {
                    let label = t.task_definition.rsplit('/').next().unwrap_or_default();
                    let family = label.split(':').next().unwrap_or_default();
                    inventory
                        .services
                        .iter()
                        .find(|s| {
                            s.task_definition
                                .as_ref()
                                .is_some_and(|td| td.family == family)
                        })
                        .and_then(|s| s.app.clone())
                }
                _ => None,
            };
            of_target.or_else(|| {
                known
                    .iter()
                    .find(|app| job.name == **app || job.name.starts_with(&format!("{app}-")))
                    .cloned()
            })
        })
        .collect();
    for (job, app) in details.jobs.jobs.iter_mut().zip(apps) {
        job.app = app;
    }
}

/// Attributes alarms to apps after services and databases are known. Alarms whose resource has
/// no app keep the app they already had (from a name prefix match, see below).
pub fn attribute_alarms(inventory: &mut EnvInventory, details: Option<&EnvDetails>) {
    let known_apps: Vec<String> = {
        let queues = details.into_iter().flat_map(|d| &d.queues.queues);
        let functions = details.into_iter().flat_map(|d| &d.functions.functions);
        let jobs = details.into_iter().flat_map(|d| &d.jobs.jobs);
        let asgs = details.into_iter().flat_map(|d| &d.asgs.groups);
        let mut apps: Vec<String> = inventory
            .services
            .iter()
            .filter_map(|s| s.app.clone())
            .chain(inventory.databases.iter().filter_map(|d| d.app.clone()))
            .chain(queues.filter_map(|q| q.app.clone()))
            .chain(functions.filter_map(|f| f.app.clone()))
            .chain(jobs.filter_map(|j| j.app.clone()))
            .chain(asgs.filter_map(|g| g.app.clone()))
            .collect();
        apps.sort();
        apps.dedup();
        // Longest first, so `web-admin` wins over `web` for `web-admin-5xx`.
        apps.sort_by_key(|a| std::cmp::Reverse(a.len()));
        apps
    };
    let apps: Vec<Option<String>> = inventory
        .alarms
        .iter()
        .map(|alarm| {
            app_of_alarm(inventory, details, alarm).or_else(|| {
                known_apps
                    .iter()
                    .find(|app| alarm.name == **app || alarm.name.starts_with(&format!("{app}-")))
                    .cloned()
            })
        })
        .collect();
    for (alarm, app) in inventory.alarms.iter_mut().zip(apps) {
        alarm.app = app;
    }
    attribute_composites(inventory);
}

/// A composite alarm watches what its rule's alarms watch: the one resource they share (so it
/// shows with that service or database), and the one app they share, unless its name already
/// gave it one. Children that are themselves composites count once they are attributed, so a
/// few passes settle nested rules.
fn attribute_composites(inventory: &mut EnvInventory) {
    for _ in 0..3 {
        let mut changed = false;
        for i in 0..inventory.alarms.len() {
            let Some(rule) = inventory.alarms[i].rule.clone() else {
                continue;
            };
            let children: Vec<&Alarm> = super::alarm_rule::children(&rule)
                .iter()
                .filter_map(|name| inventory.alarms.iter().find(|a| &a.name == name))
                .collect();
            if children.is_empty() {
                continue;
            }
            let shared = |values: Vec<Option<String>>| -> Option<String> {
                let first = values.first().cloned().flatten()?;
                values
                    .iter()
                    .all(|v| v.as_deref() == Some(first.as_str()))
                    .then_some(first)
            };
            let resource = {
                let first = &children[0].resource;
                let same = !matches!(first, AlarmResource::Unknown)
                    && children.iter().all(|c| &c.resource == first);
                same.then(|| first.clone())
            };
            let app = shared(children.iter().map(|c| c.app.clone()).collect());
            let alarm = &mut inventory.alarms[i];
            if let Some(resource) = resource {
                if alarm.resource != resource {
                    alarm.resource = resource;
                    changed = true;
                }
            }
            if alarm.app.is_none() && app.is_some() {
                alarm.app = app;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{alarm, database as db};

    #[test]
    fn a_composite_alarm_watches_what_its_children_share() {
        let service = AlarmResource::Service {
            cluster: "main".into(),
            service: "web".into(),
        };
        let composite = |name: &str, rule: &str| Alarm {
            rule: Some(rule.into()),
            ..alarm(name, AlarmResource::Unknown)
        };
        let mut inv = EnvInventory {
            databases: vec![db("orders-db", "orders")],
            alarms: vec![
                alarm("web-5xx", service.clone()),
                alarm("web-latency", service.clone()),
                alarm(
                    "orders-db-cpu",
                    AlarmResource::Database {
                        id: "orders-db".into(),
                    },
                ),
                composite(
                    "checkout-impact",
                    r#"ALARM("web-5xx") AND ALARM("web-latency")"#,
                ),
                composite("mixed", r#"ALARM("web-5xx") OR ALARM("orders-db-cpu")"#),
                composite(
                    "db-only",
                    r#"ALARM("orders-db-cpu") OR ALARM("gone-alarm")"#,
                ),
                composite("nested", r#"ALARM("db-only")"#),
                composite("orphan", r#"ALARM("gone-alarm")"#),
            ],
            ..Default::default()
        };
        attribute_alarms(&mut inv, None);
        let seen: Vec<(&str, &AlarmResource, Option<&str>)> = inv
            .alarms
            .iter()
            .map(|a| (a.name.as_str(), &a.resource, a.app.as_deref()))
            .collect();
        let db_resource = AlarmResource::Database {
            id: "orders-db".into(),
        };
        assert_eq!(
            seen[3..],
            [
                ("checkout-impact", &service, None),
                ("mixed", &AlarmResource::Unknown, None),
                ("db-only", &db_resource, Some("orders")),
                ("nested", &db_resource, Some("orders")),
                ("orphan", &AlarmResource::Unknown, None),
            ]
        );
    }

    #[test]
    fn alarms_take_the_app_of_their_resource_or_name_prefix() {
        let mut inv = EnvInventory {
            databases: vec![
                db("orders-db", "orders"),
                db("web-admin-db", "web-admin"),
                db("web-db", "web"),
            ],
            alarms: vec![
                alarm(
                    "db-cpu",
                    AlarmResource::Database {
                        id: "orders-db".into(),
                    },
                ),
                alarm(
                    "web-admin-5xx",
                    AlarmResource::Other {
                        label: "ApiName=x".into(),
                    },
                ),
                alarm("web-5xx", AlarmResource::Unknown),
                alarm("queue-depth", AlarmResource::Queue { name: "q".into() }),
                alarm(
                    "gone",
                    AlarmResource::Database {
                        id: "missing".into(),
                    },
                ),
            ],
            ..Default::default()
        };
        attribute_alarms(&mut inv, None);
        let apps: Vec<Option<&str>> = inv.alarms.iter().map(|a| a.app.as_deref()).collect();
        assert_eq!(
            apps,
            [Some("orders"), Some("web-admin"), Some("web"), None, None]
        );
    }

    #[test]
    fn alarms_on_queues_and_functions_take_their_tagged_app_once_details_are_read() {
        use crate::domain::fixtures::{function, queue};
        use crate::domain::functions::Functions;
        use crate::domain::queues::Queues;
        let details = EnvDetails {
            queues: Queues {
                queues: vec![queue("jobs", Some("assess"), 0, None)],
                ..Default::default()
            },
            functions: Functions {
                functions: vec![function("scorer", Some("assess"))],
                ..Default::default()
            },
            ..Default::default()
        };
        let alarms = vec![
            alarm(
                "backlog",
                AlarmResource::Queue {
                    name: "jobs".into(),
                },
            ),
            alarm(
                "scorer-errors",
                AlarmResource::Function {
                    name: "scorer".into(),
                },
            ),
            // No resource the console knows, but named after the queue's app.
            alarm("assess-latency", AlarmResource::Unknown),
            alarm(
                "other",
                AlarmResource::Queue {
                    name: "elsewhere".into(),
                },
            ),
        ];
        // (details read?) → apps
        let cases = [
            (None, [None, None, None, None]),
            (
                Some(&details),
                [Some("assess"), Some("assess"), Some("assess"), None],
            ),
        ];
        for (details, expected) in cases {
            let mut inv = EnvInventory {
                alarms: alarms.clone(),
                ..Default::default()
            };
            attribute_alarms(&mut inv, details);
            let apps: Vec<Option<&str>> = inv.alarms.iter().map(|a| a.app.as_deref()).collect();
            assert_eq!(apps, expected, "details read: {}", details.is_some());
        }
    }

    #[test]
    fn blank_app_tags_are_ignored() {
        let mut tags = BTreeMap::new();
        tags.insert("app".to_string(), "  ".to_string());
        assert_eq!(app_from_tags(&tags, "app"), None);
        tags.insert("app".to_string(), "checkout".to_string());
        assert_eq!(app_from_tags(&tags, "app").as_deref(), Some("checkout"));
    }
}
