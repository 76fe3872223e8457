//! Inventories the view tests are written against: services with one container, alarms, plain
//! environment descriptors and a fleet of many services.

use crate::domain::fixtures;
use crate::domain::ids::EnvId;
use crate::domain::inventory::{
    Alarm, AlarmResource, AlarmState, ContainerDefinition, EnvDescriptor, EnvInventory, Service,
    TaskDefinition,
};
use std::collections::BTreeMap;

pub(super) fn service(cluster: &str, name: &str, app: Option<&str>, image: &str) -> Service {
    Service {
        cluster: cluster.into(),
        name: name.into(),
        arn: String::new(),
        status: "ACTIVE".into(),
        desired: 2,
        running: 2,
        pending: 0,
        launch_type: None,
        task_definition_arn: format!("td/{name}:1"),
        task_definition: Some(TaskDefinition {
            arn: format!("td/{name}:1"),
            family: name.into(),
            revision: 1,
            cpu: None,
            memory: None,
            containers: vec![ContainerDefinition {
                name: "app".into(),
                image: image.into(),
                essential: true,
                ports: vec![],
                ..Default::default()
            }],
            registered_at: None,
        }),
        deployments: vec![],
        events: vec![],
        tasks: vec![],
        tags: BTreeMap::new(),
        app: app.map(str::to_string),
        created_at: None,
        autoscaling: None,
        scaling_policies: vec![],
        circuit_breaker: None,
        load_balancers: vec![],
    }
}

pub(super) fn alarm(
    name: &str,
    state: AlarmState,
    resource: AlarmResource,
    app: Option<&str>,
) -> Alarm {
    Alarm {
        state,
        app: app.map(str::to_string),
        ..fixtures::alarm(name, resource)
    }
}

pub(super) fn descriptor(id: &str) -> EnvDescriptor {
    EnvDescriptor {
        id: EnvId::parse(id).unwrap(),
        name: id.into(),
        region: "eu-west-1".into(),
        account_id: None,
        protected: false,
        refresh_interval_secs: 30,
        scaling: Default::default(),
        approval: Default::default(),
        logs: Default::default(),
    }
}

pub(super) fn fleet(n: usize) -> EnvInventory {
    EnvInventory {
        services: (0..n)
            .rev()
            .map(|i| {
                service(
                    &format!("c{}", i % 2),
                    &format!("svc-{i:04}"),
                    Some(&format!("app-{}", i / 10)),
                    "repo:1.0",
                )
            })
            .collect(),
        alarms: vec![
            alarm(
                "svc-0003-cpu",
                AlarmState::Alarm,
                AlarmResource::Service {
                    cluster: "c1".into(),
                    service: "svc-0003".into(),
                },
                Some("app-0"),
            ),
            alarm("quiet", AlarmState::Ok, AlarmResource::Unknown, None),
            alarm(
                "no-data",
                AlarmState::InsufficientData,
                AlarmResource::Unknown,
                None,
            ),
        ],
        ..Default::default()
    }
}
