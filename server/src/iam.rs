//! The IAM policies the console needs, derived from its configuration (`quarterdeck
//! iam-policy`): for each environment, the `quarterdeck` role's read and action policies and its
//! trust policy, and the console's own role's policy. Each is as narrow as the AWS API allows:
//! the partition comes from the role ARN (or the region), changes are scoped to the
//! environment's account, region and configured clusters, alarm prefixes and the console's own
//! snapshot names, and `iam:PassRole` to the task roles the environment names (`pass_roles`).
//! Reads stay on `*`: ECS, RDS, CloudWatch and Elastic Load Balancing's List and Describe calls
//! take no resource, and the CloudWatch Logs reads cover whichever log groups the services'
//! task definitions name.

use crate::config::{EnvironmentSettings, Settings};
use serde_json::{json, Value};

/// The AWS partition an environment lives in: its role ARN's, else its region's.
pub fn partition(env: &EnvironmentSettings) -> String {
    if let Some(p) = env
        .role_arn
        .as_deref()
        .and_then(|arn| arn.split(':').nth(1))
        .filter(|p| !p.is_empty())
    {
        return p.to_string();
    }
    partition_of_region(&env.region).to_string()
}

/// The partition a region belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// The environment's scope for ARNs: partition, region and account (`*` when no role or
/// account is configured).
struct Scope {
    partition: String,
    region: String,
    account: String,
}

impl Scope {
    fn of(env: &EnvironmentSettings) -> Self {
        Self {
            partition: partition(env),
            region: env.region.clone(),
            account: env.account().unwrap_or_else(|| "*".to_string()),
        }
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }

    fn iam(&self, resource: &str) -> String {
        format!("arn:{}:iam::{}:{resource}", self.partition, self.account)
    }
}

/// What the console reads (every List/Describe/Get it calls; none takes a resource).
pub fn read_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "QuarterdeckReadsEcs",
                "Effect": "Allow",
                "Action": [
                    "ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices",
                    "ecs:DescribeServices", "ecs:ListTaskDefinitions",
                    "ecs:DescribeTaskDefinition", "ecs:ListTasks", "ecs:DescribeTasks"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsRds",
                "Effect": "Allow",
                "Action": [
                    "rds:DescribeDBInstances", "rds:DescribeDBClusters",
                    "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots",
                    "rds:DescribeEvents"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsCloudWatch",
                "Effect": "Allow",
                "Action": [
                    "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory",
                    "cloudwatch:ListTagsForResource", "cloudwatch:GetMetricData"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsAutoscalingRangesAndPolicies",
                "Effect": "Allow",
                "Action": [
                    "application-autoscaling:DescribeScalableTargets",
                    "application-autoscaling:DescribeScalingPolicies"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsLoadBalancing",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeListeners"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsLogs",
                "Effect": "Allow",
                "Action": [
                    "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults",
                    "logs:StopQuery"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsQueues",
                "Effect": "Allow",
                "Action": [
                    "sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags",
                    "sqs:GetQueueUrl", "sqs:ListMessageMoveTasks"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsFunctions",
                "Effect": "Allow",
                "Action": [
                    "lambda:ListFunctions", "lambda:ListEventSourceMappings",
                    "lambda:ListAliases", "lambda:GetFunctionConcurrency", "lambda:ListTags",
                    "lambda:ListVersionsByFunction", "lambda:GetAlias",
                    "lambda:GetEventSourceMapping"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsScheduledJobs",
                "Effect": "Allow",
                "Action": [
                    "events:ListRules", "events:DescribeRule", "events:ListTargetsByRule",
                    "events:ListTagsForResource", "scheduler:ListSchedules",
                    "scheduler:GetSchedule", "scheduler:ListTagsForResource"
                ],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckReadsAutoScalingGroups",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeInstanceRefreshes"
                ],
                "Resource": "*"
            }
        ]
    })
}

/// What the console changes in `env`, scoped as narrowly as each API allows.
pub fn action_policy(env: &EnvironmentSettings) -> Value {
    let scope = Scope::of(env);
    let services: Vec<String> = if env.clusters.is_empty() {
        vec![scope.arn("ecs", "service/*")]
    } else {
        env.clusters
            .iter()
            .map(|c| scope.arn("ecs", &format!("service/{c}/*")))
            .collect()
    };
    let pass_roles: Vec<String> = if env.pass_roles.is_empty() {
        vec![scope.iam("role/*")]
    } else {
        env.pass_roles
            .iter()
            .map(|r| scope.iam(&format!("role/{r}")))
            .collect()
    };
    let alarms: Vec<String> = if env.alarms.include.is_empty() {
        vec![scope.arn("cloudwatch", "alarm:*")]
    } else {
        env.alarms
            .include
            .iter()
            .map(|p| scope.arn("cloudwatch", &format!("alarm:{p}*")))
            .collect()
    };
    // Snapshot names are `<database>-qd-<timestamp>` (`domain::actions::snapshot_name`).
    let snapshots = vec![
        scope.arn("rds", "db:*"),
        scope.arn("rds", "snapshot:*-qd-*"),
    ];
    // A job run starts tasks in the environment's clusters only, where it names them.
    let mut run_task = json!({
        "Sid": "QuarterdeckRunsScheduledJobsTasks",
        "Effect": "Allow",
        "Action": ["ecs:RunTask"],
        "Resource": [scope.arn("ecs", "task-definition/*")]
    });
    if !env.clusters.is_empty() {
        let clusters: Vec<String> = env
            .clusters
            .iter()
            .map(|c| scope.arn("ecs", &format!("cluster/{c}")))
            .collect();
        run_task["Condition"] = json!({"ArnEquals": {"ecs:cluster": clusters}});
    }
    let cluster_snapshots = vec![
        scope.arn("rds", "cluster:*"),
        scope.arn("rds", "cluster-snapshot:*-qd-*"),
    ];
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "QuarterdeckScalesDeploysRollsBackTheseClustersServices",
                "Effect": "Allow",
                "Action": ["ecs:UpdateService"],
                "Resource": services
            },
            {
                "Sid": "QuarterdeckRegistersRevisionsWhichTakeNoResource",
                "Effect": "Allow",
                "Action": ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"],
                "Resource": "*"
            },
            {
                "Sid": "QuarterdeckCarriesARevisionsTagsOver",
                "Effect": "Allow",
                "Action": ["ecs:TagResource"],
                "Resource": [scope.arn("ecs", "task-definition/*")],
                "Condition": {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}
            },
            {
                "Sid": "QuarterdeckPassesTheServicesOwnRolesToNewRevisions",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": pass_roles,
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
            },
            {
                "Sid": "QuarterdeckWidensAutoscalingRangesWithAScale",
                "Effect": "Allow",
                "Action": ["application-autoscaling:RegisterScalableTarget"],
                "Resource": [scope.arn("application-autoscaling", "scalable-target/*")]
            },
            {
                "Sid": "QuarterdeckSnapshotsDatabases",
                "Effect": "Allow",
                "Action": ["rds:CreateDBSnapshot"],
                "Resource": snapshots
            },
            {
                "Sid": "QuarterdeckSnapshotsClusters",
                "Effect": "Allow",
                "Action": ["rds:CreateDBClusterSnapshot"],
                "Resource": cluster_snapshots
            },
            {
                "Sid": "QuarterdeckMutesAlarms",
                "Effect": "Allow",
                "Action": ["cloudwatch:EnableAlarmActions", "cloudwatch:DisableAlarmActions"],
                "Resource": alarms
            },
            {
                "Sid": "QuarterdeckRedrivesAndPurgesQueues",
                "Effect": "Allow",
                "Action": [
                    "sqs:StartMessageMoveTask", "sqs:CancelMessageMoveTask", "sqs:PurgeQueue"
                ],
                "Resource": [scope.arn("sqs", "*")]
            },
            {
                "Sid": "ARedriveMovesMessagesAsTheConsole",
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"],
                "Resource": [scope.arn("sqs", "*")]
            },
            {
                "Sid": "QuarterdeckPausesConsumersAndMovesAliasesAndConcurrency",
                "Effect": "Allow",
                "Action": [
                    "lambda:UpdateEventSourceMapping", "lambda:UpdateAlias",
                    "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"
                ],
                "Resource": [
                    scope.arn("lambda", "function:*"),
                    scope.arn("lambda", "event-source-mapping:*")
                ]
            },
            run_task,
            {
                "Sid": "AJobRunCarriesItsTargetsTags",
                "Effect": "Allow",
                "Action": ["ecs:TagResource"],
                "Resource": [scope.arn("ecs", "task/*")],
                "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}}
            },
            {
                "Sid": "QuarterdeckInvokesScheduledJobsFunctions",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [scope.arn("lambda", "function:*")]
            },
            {
                "Sid": "QuarterdeckEnablesAndDisablesScheduledJobs",
                "Effect": "Allow",
                "Action": [
                    "events:EnableRule", "events:DisableRule", "scheduler:UpdateSchedule"
                ],
                "Resource": [
                    scope.arn("events", "rule/*"),
                    scope.arn("scheduler", "schedule/*/*")
                ]
            },
            {
                "Sid": "QuarterdeckResizesAndRefreshesAutoScalingGroups",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity", "autoscaling:UpdateAutoScalingGroup",
                    "autoscaling:StartInstanceRefresh"
                ],
                "Resource": [scope.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")]
            },
            {
                "Sid": "UpdateScheduleHandsTheScheduleItsOwnRoleAgain",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": pass_roles,
                "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
            }
        ]
    })
}

/// Who may assume `env`'s role: `console_role`, with the environment's external id, and
/// setting a SourceIdentity where the environment sends one.
pub fn trust_policy(env: &EnvironmentSettings, console_role: &str) -> Value {
    let mut assume = json!({
        "Sid": "TheConsolesRoleMayAssumeThisRole",
        "Effect": "Allow",
        "Principal": {"AWS": console_role},
        "Action": "sts:AssumeRole"
    });
    if let Some(external_id) = &env.external_id {
        assume["Condition"] = json!({"StringEquals": {"sts:ExternalId": external_id}});
    }
    let mut statements = vec![assume];
    if env.source_identity {
        statements.push(json!({
            "Sid": "TheConsoleNamesTheOperatorAsSourceIdentity",
            "Effect": "Allow",
            "Principal": {"AWS": console_role},
            "Action": "sts:SetSourceIdentity"
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The console's own role: AssumeRole into each environment's role (and SetSourceIdentity where
/// an environment sends one), nothing else.
pub fn console_policy(settings: &Settings) -> Value {
    let roles: Vec<&str> = settings
        .environments
        .iter()
        .filter_map(|e| e.role_arn.as_deref())
        .collect();
    let with_identity: Vec<&str> = settings
        .environments
        .iter()
        .filter(|e| e.source_identity)
        .filter_map(|e| e.role_arn.as_deref())
        .collect();
    let mut statements = vec![json!({
        "Sid": "AssumeTheQuarterdeckRoleInEachEnvironmentAccount",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": roles
    })];
    if !with_identity.is_empty() {
        statements.push(json!({
            "Sid": "NameTheOperatorAsSourceIdentity",
            "Effect": "Allow",
            "Action": "sts:SetSourceIdentity",
            "Resource": with_identity
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Every policy for `settings`: the console's role, then per environment its role's ARN, trust,
/// read and action policies.
pub fn policies(settings: &Settings, console_role: &str) -> Value {
    let environments: serde_json::Map<String, Value> = settings
        .environments
        .iter()
        .map(|env| {
            (
                env.id.as_str().to_string(),
                json!({
                    "role": env.role_arn,
                    "trust": trust_policy(env, console_role),
                    "read": read_policy(),
                    "actions": action_policy(env),
                }),
            )
        })
        .collect();
    json!({
        "console_role": {"arn": console_role, "policy": console_policy(settings)},
        "environments": environments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(toml_text: &str) -> EnvironmentSettings {
        toml::from_str(&format!(
            "id = \"prod\"\nname = \"Production\"\n{toml_text}"
        ))
        .expect("an environment table")
    }

    fn resources(policy: &Value, sid: &str) -> Vec<String> {
        let statement = policy["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"));
        match &statement["Resource"] {
            Value::String(r) => vec![r.clone()],
            Value::Array(list) => list
                .iter()
                .map(|r| r.as_str().expect("a resource").to_string())
                .collect(),
            other => panic!("resource {other}"),
        }
    }

    /// The console role the deploy example names.
    pub(crate) const EXAMPLE_CONSOLE_ROLE: &str =
        "arn:aws:iam::999999999999:role/quarterdeck-console";

    #[test]
    fn the_checked_in_example_is_what_the_command_prints_for_the_ecs_example() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy/iam/example-policies.json");
        let checked_in: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the example"))
                .expect("JSON");
        let generated = policies(&crate::config::tests::ecs_example(), EXAMPLE_CONSOLE_ROLE);
        assert_eq!(
            checked_in,
            generated,
            "regenerate it: quarterdeck iam-policy --console-role {EXAMPLE_CONSOLE_ROLE} with the ECS example's variables\n{}",
            serde_json::to_string_pretty(&generated).unwrap_or_default()
        );
    }

    #[test]
    fn the_partition_comes_from_the_role_or_the_region() {
        let cases = [
            ("region = \"eu-west-1\"", "aws"),
            ("region = \"cn-north-1\"", "aws-cn"),
            ("region = \"us-gov-west-1\"", "aws-us-gov"),
            (
                "region = \"cn-northwest-1\"\nrole_arn = \"arn:aws-cn:iam::111122223333:role/qd\"",
                "aws-cn",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(partition(&env(text)), want, "{text}");
        }
    }

    #[test]
    fn changes_are_scoped_to_the_environments_clusters_roles_alarms_and_snapshots() {
        let cases: [(&str, &str, &[&str]); 7] = [
            (
                "region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\"\nclusters = [\"virga\", \"cumulus\"]",
                "QuarterdeckScalesDeploysRollsBackTheseClustersServices",
                &[
                    "arn:aws:ecs:eu-west-1:111122223333:service/virga/*",
                    "arn:aws:ecs:eu-west-1:111122223333:service/cumulus/*",
                ],
            ),
            (
                "region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\"",
                "QuarterdeckScalesDeploysRollsBackTheseClustersServices",
                &["arn:aws:ecs:eu-west-1:111122223333:service/*"],
            ),
            (
                "region = \"cn-north-1\"\nrole_arn = \"arn:aws-cn:iam::111122223333:role/qd\"\npass_roles = [\"shop-*-task\", \"ecsTaskExecutionRole\"]",
                "QuarterdeckPassesTheServicesOwnRolesToNewRevisions",
                &[
                    "arn:aws-cn:iam::111122223333:role/shop-*-task",
                    "arn:aws-cn:iam::111122223333:role/ecsTaskExecutionRole",
                ],
            ),
            (
                "region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\"",
                "QuarterdeckPassesTheServicesOwnRolesToNewRevisions",
                &["arn:aws:iam::111122223333:role/*"],
            ),
            (
                "region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\"\n[alarms]\ninclude = [\"shop-\", \"pay-\"]",
                "QuarterdeckMutesAlarms",
                &[
                    "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:shop-*",
                    "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:pay-*",
                ],
            ),
            (
                "region = \"us-gov-west-1\"\naccount_id = \"111122223333\"",
                "QuarterdeckSnapshotsDatabases",
                &[
                    "arn:aws-us-gov:rds:us-gov-west-1:111122223333:db:*",
                    "arn:aws-us-gov:rds:us-gov-west-1:111122223333:snapshot:*-qd-*",
                ],
            ),
            (
                "region = \"eu-west-1\"",
                "QuarterdeckSnapshotsClusters",
                &[
                    "arn:aws:rds:eu-west-1:*:cluster:*",
                    "arn:aws:rds:eu-west-1:*:cluster-snapshot:*-qd-*",
                ],
            ),
        ];
        for (text, sid, want) in cases {
            assert_eq!(resources(&action_policy(&env(text)), sid), want, "{text}");
        }
    }

    #[test]
    fn the_trust_policy_asks_for_the_external_id_and_allows_source_identity_where_used() {
        let console = "arn:aws:iam::999999999999:role/quarterdeck-console";
        let plain = trust_policy(
            &env("region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\""),
            console,
        );
        assert_eq!(plain["Statement"].as_array().map(Vec::len), Some(1));
        assert!(plain["Statement"][0].get("Condition").is_none());
        let strict = trust_policy(
            &env("region = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::111122223333:role/qd\"\nexternal_id = \"qd-7781\"\nsource_identity = true"),
            console,
        );
        assert_eq!(
            strict["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
            "qd-7781"
        );
        assert_eq!(strict["Statement"][1]["Action"], "sts:SetSourceIdentity");
        assert_eq!(strict["Statement"][1]["Principal"]["AWS"], console);
    }
}
