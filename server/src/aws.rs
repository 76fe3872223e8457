//! The AWS adapters: per-environment SDK clients (built once, with explicit timeouts and retries,
//! STS AssumeRole when configured) and the reads that map ECS, RDS, CloudWatch, Application
//! Auto Scaling, Elastic Load Balancing, CloudWatch Logs, SQS and Lambda into domain types. No AWS SDK type leaves this module.

pub mod actions;
mod asg_actions;
mod autoscaling;
pub mod call_stats;
pub mod clients;
mod cloudwatch;
mod convert;
mod ec2_groups;
mod ecs;
mod elb;
mod failure;
mod job_actions;
mod jobs;
mod lambda;
pub mod limiter;
pub mod logs;
mod rds;
pub mod rollouts;
mod sqs;

pub use clients::EnvClients;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// `describe_db_instances` → `DescribeDBInstances` (the IAM spelling of RDS's DB acronym).
    fn iam_name(call: &str) -> String {
        call.split('_')
            .map(|w| match w {
                "db" => "DB".to_string(),
                w => {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                }
            })
            .collect()
    }

    /// Every SDK operation the adapters call (`.list_clusters()`, `.update_service()`, …).
    fn calls_in_code() -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
        let verbs = [
            "list_",
            "describe_",
            "get_",
            "update_",
            "register_",
            "deregister_",
            "create_",
            "enable_",
            "disable_",
            "filter_",
            "start_",
            "stop_",
            "cancel_",
            "purge_",
            "put_",
            "delete_",
            "run_",
            "invoke",
            "set_",
        ];
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for piece in text.split('.').skip(1) {
                let Some(name) = piece.strip_suffix("()").or_else(|| {
                    piece
                        .split_once("()")
                        .map(|(n, _)| n)
                        .filter(|n| !n.contains(|c: char| !c.is_ascii_lowercase() && c != '_'))
                }) else {
                    continue;
                };
                // Accessors of ECS shapes that look like operations.
                let accessor = [
                    "start_period",
                    "stop_code",
                    "start_date",
                    "start_time",
                    "enable_ecs_managed_tags",
                ]
                .contains(&name);
                if verbs.iter().any(|v| name.starts_with(v))
                    && !accessor
                    && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    // Lambda's Invoke is granted as InvokeFunction.
                    out.insert(match name {
                        "invoke" => "InvokeFunction".to_string(),
                        name => iam_name(name),
                    });
                }
            }
        }
        out
    }

    fn actions_in(doc: &serde_json::Value) -> BTreeSet<String> {
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| match &s["Action"] {
                serde_json::Value::String(a) => vec![a.clone()],
                serde_json::Value::Array(list) => list
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect(),
                _ => vec![],
            })
            .filter_map(|a| a.split_once(':').map(|(_, op)| op.to_string()))
            .collect()
    }

    #[test]
    fn the_iam_policies_grant_exactly_the_operations_the_code_calls() {
        let code = calls_in_code();
        let settings = crate::config::tests::ecs_example();
        let env = &settings.environments[0];
        let mut granted = actions_in(&crate::iam::read_policy());
        granted.extend(actions_in(&crate::iam::action_policy(env)));
        // Needed by ECS for what RegisterTaskDefinition carries over (tags, the service's roles),
        // and by SQS for the messages a redrive moves as the caller: not calls of their own.
        for implied in [
            "TagResource",
            "PassRole",
            "ReceiveMessage",
            "DeleteMessage",
            "SendMessage",
        ] {
            assert!(granted.remove(implied), "{implied} is granted");
        }
        assert_eq!(
            granted, code,
            "the policies of `quarterdeck iam-policy` and the SDK calls in server/src/aws disagree"
        );
    }
}
