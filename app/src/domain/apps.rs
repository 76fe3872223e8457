//! Apps: services and databases grouped by their app tag, so one workload reads as a unit across
//! environments.

use super::inventory::{Alarm, AlarmResource, EnvInventory};
use std::collections::BTreeMap;

/// The app an alarm belongs to: the app of the service or database it watches, if known.
pub fn app_of_alarm(inventory: &EnvInventory, alarm: &Alarm) -> Option<String> {
    match &alarm.resource {
        AlarmResource::Service { cluster, service } => inventory
            .service(cluster, service)
            .and_then(|s| s.app.clone()),
        AlarmResource::Database { id } => inventory.database(id).and_then(|d| d.app.clone()),
        AlarmResource::Queue { .. } | AlarmResource::Other { .. } | AlarmResource::Unknown => None,
    }
}

/// The app named by a resource's tags under `tag_key`.
pub fn app_from_tags(tags: &BTreeMap<String, String>, tag_key: &str) -> Option<String> {
    tags.get(tag_key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Attributes alarms to apps after services and databases are known. Alarms whose resource has
/// no app keep the app they already had (from a name prefix match, see below).
pub fn attribute_alarms(inventory: &mut EnvInventory) {
    let known_apps: Vec<String> = {
        let mut apps: Vec<String> = inventory
            .services
            .iter()
            .filter_map(|s| s.app.clone())
            .chain(inventory.databases.iter().filter_map(|d| d.app.clone()))
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
            app_of_alarm(inventory, alarm).or_else(|| {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{alarm, database as db};

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
        attribute_alarms(&mut inv);
        let apps: Vec<Option<&str>> = inv.alarms.iter().map(|a| a.app.as_deref()).collect();
        assert_eq!(
            apps,
            [Some("orders"), Some("web-admin"), Some("web"), None, None]
        );
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
