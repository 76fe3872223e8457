//! The HTML document and the route table.

use super::alarms::alarms_page::AlarmsPage;
use super::apps::app_page::AppPage;
use super::apps::apps_page::AppsPage;
use super::asgs::asg_page::AsgPage;
use super::asgs::asgs_page::AsgsPage;
use super::audit::audit_page::AuditPage;
use super::databases::database_page::DatabasePage;
use super::databases::databases_page::DatabasesPage;
use super::drift::drift_page::DriftPage;
use super::drift::promote_page::PromotePage;
use super::environment::environment_page::EnvironmentPage;
use super::functions::function_page::FunctionPage;
use super::functions::functions_page::FunctionsPage;
use super::incidents::incident_page::IncidentPage;
use super::incidents::incidents_page::IncidentsPage;
use super::jobs::job_page::JobPage;
use super::jobs::jobs_page::JobsPage;
use super::layout::{Layout, NotFound};
use super::login::login_page::LoginPage;
use super::oncall::oncall_page::OnCallPage;
use super::overview::overview_page::OverviewPage;
use super::queues::queue_page::QueuePage;
use super::queues::queues_page::QueuesPage;
use super::releases::release_page::ReleasePage;
use super::releases::releases_page::ReleasesPage;
use super::service::logs_page::{JobLogsPage, LogsPage};
use super::service::service_page::ServicePage;
use super::sessions::sessions_page::SessionsPage;
use super::tokens::tokens_page::TokensPage;
use super::webhooks::webhooks_page::WebhooksPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The whole HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-100 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

/// A Content-Security-Policy for this page: scripts only from this origin or carrying this
/// response's nonce (the hydration script), wasm compilation allowed, nothing framed.
#[cfg(feature = "ssr")]
fn set_page_security_policy() {
    use crate::usecases::services::AppServices;
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let scripts = match leptos::nonce::use_nonce() {
        Some(nonce) => format!("'self' 'nonce-{}' 'wasm-unsafe-eval'", nonce.as_inner()),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    let form_targets = use_context::<AppServices>()
        .map(|s| s.form_action_origins.join(" "))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self' {form_targets}"
    );
    if let Ok(value) = http::HeaderValue::from_str(policy.trim()) {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_page_security_policy();
    // End-to-end tests wait for this mark before they click.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/quarterdeck.css"/>
        <Title formatter=|title: String| {
            if title.is_empty() { "Quarterdeck".to_string() } else { format!("{title} · Quarterdeck") }
        }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=OverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env") view=EnvironmentPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/services/:cluster/:service") view=ServicePage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/services/:cluster/:service/logs") view=LogsPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/databases/:id") view=DatabasePage ssr=SsrMode::Async/>
                    <Route path=path!("databases") view=DatabasesPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/queues/:name") view=QueuePage ssr=SsrMode::Async/>
                    <Route path=path!("queues") view=QueuesPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/functions/:name") view=FunctionPage ssr=SsrMode::Async/>
                    <Route path=path!("functions") view=FunctionsPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/jobs/rule/:name") view=JobPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/jobs/schedule/:group/:name") view=JobPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/jobs/rule/:name/logs") view=JobLogsPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/jobs/schedule/:group/:name/logs") view=JobLogsPage ssr=SsrMode::Async/>
                    <Route path=path!("jobs") view=JobsPage ssr=SsrMode::Async/>
                    <Route path=path!("envs/:env/asgs/:name") view=AsgPage ssr=SsrMode::Async/>
                    <Route path=path!("asgs") view=AsgsPage ssr=SsrMode::Async/>
                    <Route path=path!("alarms") view=AlarmsPage ssr=SsrMode::Async/>
                    <Route path=path!("apps") view=AppsPage ssr=SsrMode::Async/>
                    <Route path=path!("apps/:app") view=AppPage ssr=SsrMode::Async/>
                    <Route path=path!("drift") view=DriftPage ssr=SsrMode::Async/>
                    <Route path=path!("promote") view=PromotePage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("releases") view=ReleasesPage ssr=SsrMode::Async/>
                    <Route path=path!("releases/:id") view=ReleasePage ssr=SsrMode::Async/>
                    <Route path=path!("tokens") view=TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("sessions") view=SessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("webhooks") view=WebhooksPage ssr=SsrMode::Async/>
                    <Route path=path!("incidents") view=IncidentsPage ssr=SsrMode::Async/>
                    <Route path=path!("incidents/:id") view=IncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("oncall") view=OnCallPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
