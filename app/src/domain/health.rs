//! Health of an environment at a glance, computed from its inventory.

use super::inventory::{AlarmState, EnvInventory};
use super::load_balancing::{TargetCounts, TargetVerdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvHealth {
    pub services: u32,
    pub services_at_desired: u32,
    pub tasks_running: i64,
    pub tasks_desired: i64,
    pub databases: u32,
    pub databases_available: u32,
    pub alarms: u32,
    pub alarms_firing: u32,
    pub alarms_insufficient: u32,
    pub deploys_in_progress: u32,
    pub apps: u32,
    /// The load balancer targets of the environment's services by state, as the details last
    /// read them; `None` when no service has a target group or its health was not read yet.
    #[serde(default)]
    pub targets: Option<TargetCounts>,
    /// Scheduled jobs, and those whose last due run failed or did not happen, as the details
    /// last read them.
    #[serde(default)]
    pub jobs: u32,
    #[serde(default)]
    pub jobs_failing: u32,
    /// EC2 Auto Scaling groups, and those short of healthy instances, as the details last
    /// read them.
    #[serde(default)]
    pub asgs: u32,
    #[serde(default)]
    pub asgs_degraded: u32,
}

/// The one word an overview card leads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthLevel {
    Healthy,
    Degraded,
    Critical,
}

impl EnvHealth {
    pub fn of(inventory: &EnvInventory) -> Self {
        let mut health = EnvHealth::default();
        let mut apps = BTreeSet::new();
        for s in &inventory.services {
            health.services += 1;
            if s.at_desired_count() {
                health.services_at_desired += 1;
            }
            health.tasks_running += i64::from(s.running);
            health.tasks_desired += i64::from(s.desired);
            if s.deploying() {
                health.deploys_in_progress += 1;
            }
            if let Some(app) = &s.app {
                apps.insert(app.as_str());
            }
        }
        for d in &inventory.databases {
            health.databases += 1;
            if d.available() {
                health.databases_available += 1;
            }
            if let Some(app) = &d.app {
                apps.insert(app.as_str());
            }
        }
        // Scaling signals (target tracking) say where load is, not that something is wrong.
        for a in inventory.alarms.iter().filter(|a| !a.is_scaling_signal()) {
            health.alarms += 1;
            match a.state {
                AlarmState::Alarm => health.alarms_firing += 1,
                AlarmState::InsufficientData => health.alarms_insufficient += 1,
                AlarmState::Ok => {}
            }
        }
        health.apps = apps.len() as u32;
        health
    }

    pub fn level(&self) -> HealthLevel {
        if self.alarms_firing > 0 {
            HealthLevel::Critical
        } else if self.services_at_desired < self.services
            || self.databases_available < self.databases
            || self.jobs_failing > 0
            || self.asgs_degraded > 0
            || self.targets.is_some_and(|t| {
                matches!(t.verdict(), TargetVerdict::Degraded | TargetVerdict::Down)
            })
        {
            HealthLevel::Degraded
        } else {
            HealthLevel::Healthy
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_environment_is_healthy() {
        let h = EnvHealth::of(&EnvInventory::default());
        assert_eq!(h, EnvHealth::default());
        assert_eq!(h.level(), HealthLevel::Healthy);
    }

    #[test]
    fn levels_order_alarms_over_capacity() {
        let table = [
            (
                EnvHealth {
                    services: 2,
                    services_at_desired: 2,
                    ..Default::default()
                },
                HealthLevel::Healthy,
            ),
            (
                EnvHealth {
                    services: 2,
                    services_at_desired: 1,
                    ..Default::default()
                },
                HealthLevel::Degraded,
            ),
            (
                EnvHealth {
                    databases: 1,
                    databases_available: 0,
                    ..Default::default()
                },
                HealthLevel::Degraded,
            ),
            (
                EnvHealth {
                    services: 2,
                    services_at_desired: 1,
                    alarms_firing: 1,
                    ..Default::default()
                },
                HealthLevel::Critical,
            ),
            (
                EnvHealth {
                    services: 1,
                    services_at_desired: 1,
                    targets: Some(TargetCounts {
                        healthy: 2,
                        unhealthy: 1,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                HealthLevel::Degraded,
            ),
            (
                EnvHealth {
                    services: 1,
                    services_at_desired: 1,
                    targets: Some(TargetCounts {
                        healthy: 2,
                        draining: 1,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                HealthLevel::Healthy,
            ),
        ];
        for (health, level) in table {
            assert_eq!(health.level(), level, "{health:?}");
        }
    }
}
