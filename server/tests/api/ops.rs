//! Probes: health, readiness, metrics.

use crate::helpers::{spawn_app, Account, TestEnv};

#[tokio::test]
async fn health_and_readiness_answer_without_a_session() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true);
    assert_eq!(body["environments"][0]["env"], "dev");
    assert_eq!(body["environments"][0]["freshness"], "fresh");
}

#[tokio::test]
async fn metrics_count_aws_calls_by_operation() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(
            r#"quarterdeck_aws_calls_total{env="dev",service="ECS",operation="ListClusters"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"quarterdeck_inventory_failing{env="dev"} 0"#),
        "{text}"
    );
}
