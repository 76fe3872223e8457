//! What the pages show, server-rendered (the same HTML a browser without JavaScript gets).

use crate::helpers::{spawn_app, Account, TestEnv};

#[tokio::test]
async fn aws_sourced_html_is_escaped_everywhere() {
    let account = Account::new().await;
    account.cluster("xss-main").await;
    let td = account
        .task_definition("xss", "registry.example/x:<b>bold</b>")
        .await;
    account
        .service("xss-main", "api", &td, "<script>alert(2)</script>", 1)
        .await;
    account
        .alarm(
            "<img src=x onerror=alert(1)>",
            "<script>alert(3)</script> description",
            &[("ClusterName", "xss-main"), ("ServiceName", "api")],
            true,
        )
        .await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    for page in [
        "/",
        "/envs/dev",
        "/alarms",
        "/envs/dev/services/xss-main/api",
        "/apps",
    ] {
        let body = app.get_text(page).await;
        assert!(
            !body.contains("<img src=x onerror"),
            "{page} renders raw alarm HTML"
        );
        assert!(
            !body.contains("<script>alert("),
            "{page} renders a raw script tag"
        );
        assert!(
            !body.contains("<b>bold</b>"),
            "{page} renders raw image HTML"
        );
    }
    let alarms = app.get_text("/alarms").await;
    assert!(
        alarms.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the alarm name is shown, escaped"
    );
}

#[tokio::test]
async fn service_database_and_alarm_pages_show_what_aws_reports() {
    let account = Account::new().await;
    account.cluster("shop-main").await;
    account
        .task_definition("checkout", "registry.example/checkout:1.0.0")
        .await;
    let td = account
        .task_definition("checkout", "registry.example/checkout:1.1.0")
        .await;
    account
        .service("shop-main", "checkout", &td, "shop", 2)
        .await;
    account.database("checkout-db", "shop").await;
    account
        .alarm(
            "checkout-cpu-high",
            "CPU",
            &[("ClusterName", "shop-main"), ("ServiceName", "checkout")],
            true,
        )
        .await;
    account
        .alarm(
            "checkout-db-cpu",
            "DB CPU",
            &[("DBInstanceIdentifier", "checkout-db")],
            false,
        )
        .await;
    let app = spawn_app(vec![TestEnv::new("prod", &account)]).await;
    app.sign_in("ana", "viewer").await;

    let service = app.get_text("/envs/prod/services/shop-main/checkout").await;
    assert!(service.contains("checkout:2"), "revision shown");
    assert!(
        service.contains("registry.example/checkout") && service.contains("1.1.0"),
        "image shown"
    );
    assert!(service.contains("checkout-cpu-high"), "its alarm shown");
    assert!(service.contains("data-testid=\"deployments-table\""));

    let db = app.get_text("/envs/prod/databases/checkout-db").await;
    assert!(db.contains("postgres 15.8") && db.contains("db.t3.micro"));
    assert!(db.contains("checkout-db-cpu"));

    let firing = app.get_text("/alarms?state=ALARM").await;
    assert!(firing.contains("checkout-cpu-high") && !firing.contains("checkout-db-cpu"));
    let by_app = app.get_text("/alarms?app=shop&q=db").await;
    assert!(by_app.contains("checkout-db-cpu") && !by_app.contains("checkout-cpu-high"));

    let app_page = app.get_text("/apps/shop").await;
    assert!(app_page.contains("checkout") && app_page.contains("checkout-db"));
}

#[tokio::test]
async fn bad_filters_and_unknown_resources_get_clear_errors() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    let bad_state = app.get("/alarms?state=PURPLE").await;
    assert_eq!(bad_state.status(), 400);
    assert!(bad_state
        .text()
        .await
        .unwrap()
        .contains("unknown alarm state"));
    let missing = app.get("/envs/dev/services/none/nothing").await;
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("there is no service nothing"));
    let no_env = app.get("/envs/nope").await;
    assert_eq!(no_env.status(), 404);
    let not_a_page = app.get("/no/such/page").await;
    assert_eq!(not_a_page.status(), 404);
    let server_fn = app.call("get_environment", &[("env", "Bad Env")]).await;
    assert_eq!(server_fn.status(), 400);
    let body: serde_json::Value = server_fn.json().await.unwrap();
    assert!(body.to_string().contains("environment id"), "{body}");
}

#[tokio::test]
async fn pages_load_the_wasm_file_the_build_produces() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let login = app.get_text("/login").await;
    // cargo-leptos writes pkg/quarterdeck.wasm; the hydration script must ask for that name.
    assert!(
        login.contains("/pkg/quarterdeck.wasm"),
        "hydration script names another wasm file"
    );
    assert!(login.contains("/pkg/quarterdeck.js"));
}

#[tokio::test]
async fn the_environment_page_shows_a_large_fleet_a_page_at_a_time_and_finds_services() {
    let account = Account::new().await;
    account.cluster("big").await;
    let td = account
        .task_definition("big-svc", "registry.example/svc:1.0.0")
        .await;
    for i in 0..120 {
        let app = if i < 60 { "alpha" } else { "beta" };
        account
            .service("big", &format!("svc-{i:03}"), &td, app, 1)
            .await;
    }
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    let first = app.get_text("/envs/dev").await;
    assert!(first.contains(">svc-000<") && first.contains(">svc-099<"));
    assert!(!first.contains(">svc-100<"), "one page of 100");
    assert!(first.contains("1–100 of 120 · page 1 of 2"));
    assert!(first.contains("href=\"/envs/dev?page=2\""));
    let second = app.get_text("/envs/dev?page=2").await;
    assert!(second.contains(">svc-119<") && !second.contains(">svc-000<"));
    assert!(second.contains("101–120 of 120 · page 2 of 2"));
    let beyond = app.get_text("/envs/dev?page=99").await;
    assert!(
        beyond.contains(">svc-119<"),
        "past the end shows the last page"
    );
    let found = app.get_text("/envs/dev?q=SVC-11").await;
    assert!(found.contains("10 of 120 services match"));
    assert!(found.contains(">svc-110<") && !found.contains(">svc-100<"));
    assert!(
        !found.contains("data-testid=\"service-pager\""),
        "one page needs no pager"
    );
    let none = app.get_text("/envs/dev?q=nothing-like-it").await;
    assert!(none.contains("No service matches"));
}
