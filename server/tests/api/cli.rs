//! The `quarterdeck` command line: check-config names the bad key and exits non-zero.

use std::process::Command;

fn check_config(text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quarterdeck.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["check-config", "--config"])
        .arg(&path)
        .env_remove("QD_CONFIG")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const GOOD: &str = r#"
[server]
listen = "127.0.0.1:3000"
[auth]
mode = "dev"
[[environments]]
id = "prod"
name = "Production"
region = "eu-west-1"
role_arn = "arn:aws:iam::333333333333:role/quarterdeck"
protected = true
"#;

#[test]
fn check_config_prints_a_summary_of_a_good_file() {
    let (ok, text) = check_config(GOOD);
    assert!(ok, "{text}");
    assert!(
        text.contains("prod") && text.contains("333333333333") && text.contains("protected"),
        "{text}"
    );
    assert!(text.contains("config OK"));
}

#[test]
fn check_config_does_not_print_the_database_password() {
    let with_password = GOOD.replace(
        "listen = \"127.0.0.1:3000\"",
        "listen = \"127.0.0.1:3000\"\ndatabase_url = \"postgres://qd:hunter2-s3cret@db.internal:5432/qd?sslmode=require\"",
    );
    let (ok, text) = check_config(&with_password);
    assert!(ok, "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("postgres://qd:***@db.internal:5432/qd?sslmode=require"),
        "the rest of the address is still shown: {text}"
    );
}

#[test]
fn check_config_names_the_bad_key() {
    let cases = [
        (
            GOOD.replace("region = \"eu-west-1\"", "region = \"Europe\""),
            "environments[0].region",
        ),
        (
            GOOD.replace("[auth]", "[auth]\ncolour = \"blue\""),
            "unknown field `colour`",
        ),
        (GOOD.replace("127.0.0.1:3000", "0.0.0.0:3000"), "auth.mode"),
        ("not toml at all [".to_string(), "not valid TOML"),
    ];
    for (text, needle) in cases {
        let (ok, output) = check_config(&text);
        assert!(!ok, "should fail: {text}");
        assert!(output.contains(needle), "expected {needle:?} in {output}");
    }
}

#[test]
fn serve_refuses_dev_mode_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.toml");
    std::fs::write(&path, GOOD.replace("127.0.0.1:3000", "0.0.0.0:0")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("only allowed when server.listen is a loopback address"));
}

#[tokio::test]
async fn healthcheck_exits_zero_only_when_the_console_answers() {
    let account = crate::helpers::Account::new().await;
    let app = crate::helpers::spawn_app(vec![crate::helpers::TestEnv::new("dev", &account)]).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let run = |addr: String| {
        Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
            .args(["healthcheck", "--addr", &addr])
            .output()
            .unwrap()
    };
    let up = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || run(addr)
    })
    .await
    .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    // Port 9 on loopback: nothing listens.
    let down = tokio::task::spawn_blocking(move || run("127.0.0.1:9".into()))
        .await
        .unwrap();
    assert!(!down.status.success());
}

#[test]
fn check_config_reads_only_environment_variables_without_a_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .arg("check-config")
        .env_remove("QD_CONFIG")
        .env("QD_SERVER__LISTEN", "127.0.0.1:3000")
        .env("QD_AUTH__MODE", "dev")
        .env("QD_ENVIRONMENTS__0__ID", "prod")
        .env("QD_ENVIRONMENTS__0__NAME", "Production")
        .env("QD_ENVIRONMENTS__0__REGION", "eu-west-1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("config OK"));
}
