//! The benchmark's estate, written into moto: per environment, `n` ECS services spread over four
//! clusters (each service its own task-definition family, grouped ten to an app by the `app`
//! tag; every tenth with an autoscaling range), ten RDS databases and a hundred CloudWatch alarms
//! (eighty on services, twenty on databases, two of them firing); and, whatever `n`, a hundred
//! SQS work queues each with its dead-letter queue and two hundred Lambda functions, the first
//! hundred fed by the work queues through (paused) event source mappings.

use crate::aws::{describe, Account};
use anyhow::{anyhow, Context, Result};
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StateValue, Statistic};
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, KeyValuePair, LaunchType, LogConfiguration, LogDriver,
    NetworkMode, PortMapping, Tag,
};

/// The log group every service of the estate logs to (streams `<service>/app/<task>`).
pub const LOG_GROUP: &str = "/ecs/bench";

pub const CLUSTERS: usize = 4;
pub const DATABASES_PER_ENV: usize = 10;
pub const ALARMS_PER_ENV: usize = 100;
pub const SERVICE_ALARMS_PER_ENV: usize = 80;
pub const SERVICES_PER_APP: usize = 10;
/// Work queues per environment, each with its dead-letter queue: 200 queues in all.
pub const WORK_QUEUES_PER_ENV: usize = 100;
/// Lambda functions per environment; the first hundred each work one queue.
pub const FUNCTIONS_PER_ENV: usize = 200;
/// Creations in flight at once while seeding queues and functions.
const SEED_CONCURRENCY: usize = 8;

/// One service of the estate.
#[derive(Debug, Clone)]
pub struct SeededService {
    pub cluster: String,
    pub name: String,
    pub app: String,
}

/// One alarm of the estate and whether it was set firing.
#[derive(Debug, Clone)]
pub struct SeededAlarm {
    pub name: String,
    pub app: String,
    pub firing: bool,
}

/// What was written into one account.
#[derive(Debug, Clone, Default)]
pub struct SeededEnv {
    pub services: Vec<SeededService>,
    pub alarms: Vec<SeededAlarm>,
    pub databases: usize,
}

/// The queues and functions of one account (see the module's head). The mappings are created
/// paused: moto would try to run a function (it needs Docker) for every message sent later.
pub async fn seed_queues_and_functions(account: &Account) -> Result<()> {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    use aws_sdk_sqs::types::QueueAttributeName;
    use futures::{StreamExt, TryStreamExt};
    let role = "bench-lambda";
    let trust = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
    reqwest::Client::new()
        .post(&account.moto)
        .header("x-moto-account-id", &account.account)
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=bench/20261207/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={role}&AssumeRolePolicyDocument={trust}"
        ))
        .send()
        .await
        .context("IAM CreateRole for the functions")?;
    let role_arn = format!("arn:aws:iam::{}:role/{role}", account.account);
    // The smallest zip archive: nothing here runs the functions.
    let mut package = vec![0x50, 0x4b, 0x05, 0x06];
    package.resize(22, 0);
    futures::stream::iter(0..FUNCTIONS_PER_ENV)
        .map(|i| {
            let (role_arn, package) = (&role_arn, package.clone());
            async move {
                account
                    .lambda
                    .create_function()
                    .function_name(format!("fn-{i:04}"))
                    .runtime(Runtime::Python312)
                    .handler("app.handler")
                    .role(role_arn)
                    .code(FunctionCode::builder().zip_file(Blob::new(package)).build())
                    .tags("app", app_of(i))
                    .send()
                    .await
                    .map_err(|e| anyhow!("CreateFunction: {}", describe(e)))
            }
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?;
    futures::stream::iter(0..WORK_QUEUES_PER_ENV)
        .map(|i| async move {
            account
                .sqs
                .create_queue()
                .queue_name(format!("q-{i:04}-dlq"))
                .tags("app", app_of(i))
                .send()
                .await
                .map_err(|e| anyhow!("CreateQueue: {}", describe(e)))?;
            let dlq_arn = format!(
                "arn:aws:sqs:{}:{}:q-{i:04}-dlq",
                crate::aws::REGION,
                account.account
            );
            account
                .sqs
                .create_queue()
                .queue_name(format!("q-{i:04}"))
                .attributes(
                    QueueAttributeName::RedrivePolicy,
                    format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}"#),
                )
                .tags("app", app_of(i))
                .send()
                .await
                .map_err(|e| anyhow!("CreateQueue: {}", describe(e)))?;
            account
                .lambda
                .create_event_source_mapping()
                .function_name(format!("fn-{i:04}"))
                .event_source_arn(format!(
                    "arn:aws:sqs:{}:{}:q-{i:04}",
                    crate::aws::REGION,
                    account.account
                ))
                .enabled(false)
                .send()
                .await
                .map_err(|e| anyhow!("CreateEventSourceMapping: {}", describe(e)))?;
            Ok::<_, anyhow::Error>(())
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

/// Forgets everything moto holds.
pub async fn reset(http: &reqwest::Client, moto: &str) -> Result<()> {
    http.post(format!("{moto}/moto-api/reset"))
        .send()
        .await
        .context("resetting moto")?
        .error_for_status()
        .context("resetting moto")?;
    Ok(())
}

pub fn cluster_name(env: &str, k: usize) -> String {
    format!(
        "{env}-{}",
        ["web", "workers", "internal", "batch"][k % CLUSTERS]
    )
}

fn app_of(i: usize) -> String {
    format!("app-{:03}", i / SERVICES_PER_APP)
}

/// Writes the estate of `n` services into one account.
pub async fn seed_env(account: &Account, n: usize) -> Result<SeededEnv> {
    let env = account.env;
    let ecs = &account.ecs;
    let mut seeded = SeededEnv::default();
    for k in 0..CLUSTERS {
        ecs.create_cluster()
            .cluster_name(cluster_name(env, k))
            .send()
            .await
            .map_err(|e| anyhow!("CreateCluster: {}", describe(e)))?;
    }
    // Each environment runs its own versions: dev the newest, prod the oldest.
    let minor = match env {
        "dev" => 12,
        "staging" => 11,
        _ => 10,
    };
    for i in 0..n {
        let app = app_of(i);
        let name = format!("svc-{i:04}");
        let cluster = cluster_name(env, i % CLUSTERS);
        let image = format!(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{app}/{name}:1.{minor}.{}",
            i % 7
        );
        let registered = ecs
            .register_task_definition()
            .family(format!("{env}-{name}"))
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("app")
                    .image(image)
                    .essential(true)
                    .port_mappings(PortMapping::builder().container_port(8080).build())
                    .environment(
                        KeyValuePair::builder()
                            .name("LOG_LEVEL")
                            .value("info")
                            .build(),
                    )
                    .log_configuration(
                        LogConfiguration::builder()
                            .log_driver(LogDriver::Awslogs)
                            .options("awslogs-group", LOG_GROUP)
                            .options("awslogs-region", crate::aws::REGION)
                            .options("awslogs-stream-prefix", &name)
                            .build()
                            .map_err(|e| anyhow!("a log configuration: {e}"))?,
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(|e| anyhow!("RegisterTaskDefinition: {}", describe(e)))?;
        let arn = registered
            .task_definition()
            .and_then(|td| td.task_definition_arn())
            .ok_or_else(|| anyhow!("RegisterTaskDefinition returned no ARN"))?
            .to_string();
        ecs.create_service()
            .cluster(&cluster)
            .service_name(&name)
            .task_definition(arn)
            .desired_count(2)
            .launch_type(LaunchType::Fargate)
            .tags(Tag::builder().key("app").value(&app).build())
            .tags(Tag::builder().key("team").value("bench").build())
            .send()
            .await
            .map_err(|e| anyhow!("CreateService {name}: {}", describe(e)))?;
        if i % 10 == 0 {
            account
                .autoscaling
                .register_scalable_target()
                .service_namespace(ServiceNamespace::Ecs)
                .resource_id(format!("service/{cluster}/{name}"))
                .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
                .min_capacity(1)
                .max_capacity(6)
                .send()
                .await
                .map_err(|e| anyhow!("RegisterScalableTarget: {}", describe(e)))?;
        }
        seeded.services.push(SeededService { cluster, name, app });
    }
    let mut databases = Vec::new();
    for k in 0..DATABASES_PER_ENV {
        let app = app_of(k * n.max(1) / DATABASES_PER_ENV);
        let id = format!("{app}-db-{k}");
        account
            .rds
            .create_db_instance()
            .db_instance_identifier(&id)
            .engine("postgres")
            .engine_version("15.4")
            .db_instance_class("db.t3.medium")
            .allocated_storage(50)
            .master_username("app")
            .master_user_password("bench-password-1")
            .multi_az(env == "prod")
            .tags(
                aws_sdk_rds::types::Tag::builder()
                    .key("app")
                    .value(&app)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| anyhow!("CreateDBInstance: {}", describe(e)))?;
        databases.push((id, app));
    }
    seeded.databases = databases.len();
    let cw = &account.cloudwatch;
    for k in 0..ALARMS_PER_ENV {
        let (name, app, request) = if k < SERVICE_ALARMS_PER_ENV {
            let s = &seeded.services[k * seeded.services.len() / SERVICE_ALARMS_PER_ENV];
            (
                format!("{}-{}-cpu-high", s.app, s.name),
                s.app.clone(),
                cw.put_metric_alarm()
                    .namespace("AWS/ECS")
                    .metric_name("CPUUtilization")
                    .dimensions(
                        Dimension::builder()
                            .name("ClusterName")
                            .value(&s.cluster)
                            .build(),
                    )
                    .dimensions(
                        Dimension::builder()
                            .name("ServiceName")
                            .value(&s.name)
                            .build(),
                    )
                    .threshold(85.0),
            )
        } else {
            let (id, app) = &databases[(k - SERVICE_ALARMS_PER_ENV) % databases.len()];
            let metric = if k % 2 == 0 {
                "FreeStorageSpace"
            } else {
                "CPUUtilization"
            };
            (
                format!("{id}-{}-{k}", metric.to_lowercase()),
                app.clone(),
                cw.put_metric_alarm()
                    .namespace("AWS/RDS")
                    .metric_name(metric)
                    .dimensions(
                        Dimension::builder()
                            .name("DBInstanceIdentifier")
                            .value(id)
                            .build(),
                    )
                    .threshold(80.0),
            )
        };
        request
            .alarm_name(&name)
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(3)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .map_err(|e| anyhow!("PutMetricAlarm: {}", describe(e)))?;
        let firing = k == 0 || k == SERVICE_ALARMS_PER_ENV;
        set_alarm(
            account,
            &name,
            if firing {
                StateValue::Alarm
            } else {
                StateValue::Ok
            },
        )
        .await?;
        seeded.alarms.push(SeededAlarm { name, app, firing });
    }
    Ok(seeded)
}

/// Sets an alarm's state, as CloudWatch would on a breach.
pub async fn set_alarm(account: &Account, name: &str, state: StateValue) -> Result<()> {
    account
        .cloudwatch
        .set_alarm_state()
        .alarm_name(name)
        .state_value(state)
        .state_reason("set by the benchmark")
        .send()
        .await
        .map_err(|e| anyhow!("SetAlarmState {name}: {}", describe(e)))?;
    Ok(())
}
