//! Wiring: builds the shared state (database, AWS clients, inventory, audit) and the router
//! (Leptos pages and server functions, auth, probes, static files), then serves it until asked
//! to stop.

use crate::auth::oidc::Oidc;
use crate::auth::throttle::LoginThrottle;
use crate::auth::{csrf, dev_login, guard, sessions, sso};
use crate::aws::actions::AwsActions;
use crate::aws::call_stats::CallStats;
use crate::aws::rollouts::AwsRollouts;
use crate::aws::EnvClients;
use crate::config::{AuthMode, Settings};
use crate::inventory::{EnvSlot, Inventory, InventorySource};
use crate::state::{AppState, Shared};
use crate::store::{self, SqlActions, SqlAudit, SqlIncidents, SqlReleases, SqlRollouts, SqlTokens};
use anyhow::Context;
use app::usecases::services::{AppServices, Services};
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::set_header::SetResponseHeaderLayer;

/// Opens the database, applies migrations (unless `server.migrate_on_start` is off, then checks
/// they were applied), builds the AWS clients once per environment.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    let pool = store::connect(&settings.server.database_url).await?;
    let migrate = settings.server.migrate_on_start;
    if migrate {
        store::migrate(&pool).await?;
    } else {
        // Serving as a role without DDL: the owner ran `quarterdeck migrate`.
        store::check_migrated(&pool).await?;
    }
    let sessions = sessions::SqlSessions::open(
        &settings.server.database_url,
        migrate,
        Arc::new(store::SqlSessionOwners::new(pool.clone())),
    )
    .await?;
    let call_stats = Arc::new(CallStats::default());
    let live = app::usecases::live::LiveBus::default();
    let lease = Arc::new(store::lease::Lease::new(
        pool.clone(),
        "jobs",
        settings.server.lease_interval * 3,
    ));
    // Several replicas share one PostgreSQL database: the lease holder reads AWS and publishes,
    // the others load its snapshots. SQLite serves one process, which reads AWS itself.
    let share: Option<Arc<dyn crate::inventory::SnapshotShare>> =
        (store::Backend::of(&pool) == store::Backend::Postgres).then(|| {
            Arc::new(crate::inventory::DbShare::new(
                store::snapshots::SqlSnapshots::new(pool.clone(), lease.holder()),
                Arc::clone(&lease),
            )) as Arc<dyn crate::inventory::SnapshotShare>
        });
    let job_runs: Arc<dyn crate::inventory::RunHistory> =
        Arc::new(store::job_runs::SqlJobRuns::new(pool.clone()));
    let mut slots = Vec::new();
    let mut alarm_feeds: Vec<Arc<dyn crate::jobs::AlarmFeed>> = Vec::new();
    let mut clients_by_env = std::collections::HashMap::new();
    for (env, descriptor) in settings.environments.iter().zip(settings.descriptors()) {
        let clients =
            Arc::new(EnvClients::build(env, &settings.aws, Arc::clone(&call_stats)).await);
        clients_by_env.insert(env.id.clone(), Arc::clone(&clients));
        alarm_feeds.push(clients.clone());
        let source: Arc<dyn InventorySource> = clients;
        let mut slot = EnvSlot::new(
            descriptor.clone(),
            source,
            env.refresh_interval,
            env.metrics_interval,
        )
        .with_live(live.clone())
        .with_history(Arc::clone(&job_runs));
        if let Some(share) = &share {
            slot = slot.with_share(Arc::clone(share));
        }
        slots.push(Arc::new(slot));
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("quarterdeck")
        .site_root(settings.server.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.server.listen)
        .build();
    let oidc = Oidc::from_settings(&settings)?.map(Arc::new);
    let login_throttle = Arc::new(LoginThrottle::new(settings.auth.login_attempts_per_minute));
    let notifications = &settings.notifications;
    let outbox = Arc::new(crate::notify::WebhookOutbox::new(
        store::SqlOutbox::new(pool.clone()),
        notifications
            .resolved
            .iter()
            .map(|(name, url)| crate::notify::Webhook {
                name: name.clone(),
                url: url.clone(),
            })
            .collect(),
        crate::notify::OutboxSettings {
            schedule: settings.resolved.retry_schedule,
            attempt_timeout: notifications.attempt_timeout,
            keep_delivered: notifications.keep_delivered,
        },
    ));
    let inventory = Arc::new(Inventory::new(slots));
    let audit = Arc::new(SqlAudit::new(pool.clone()));
    let tokens = Arc::new(SqlTokens::new(pool.clone()));
    let resolved = &settings.resolved;
    let services = AppServices::new(Services {
        inventory: inventory.clone(),
        audit: audit.clone(),
        rollout_reader: Arc::new(AwsRollouts::new(clients_by_env.clone())),
        logs: Arc::new(crate::aws::logs::AwsLogs::new(clients_by_env.clone())),
        actions: Arc::new(AwsActions::new(clients_by_env)),
        action_store: Arc::new(SqlActions::new(pool.clone())),
        releases: Arc::new(SqlReleases::new(pool.clone())),
        rollouts: Arc::new(SqlRollouts::new(pool.clone())),
        rollout_timeout: chrono::Duration::from_std(settings.server.rollout_timeout).unwrap_or(
            chrono::Duration::minutes(app::domain::followed::DEFAULT_TIMEOUT_MINUTES),
        ),
        notifier: outbox.clone(),
        outbox: outbox.clone(),
        webhooks: outbox.names().to_vec(),
        retry_schedule: resolved.retry_schedule,
        tokens: tokens.clone(),
        incidents: Arc::new(SqlIncidents::new(pool.clone())),
        sessions: Arc::new(sessions.clone()),
        incident_settings: resolved.incident_windows,
        severity_rules: resolved.severity_rules.clone(),
        live,
        chrome: Arc::default(),
        rotations: resolved.rotations.clone(),
        promotion: resolved.promotion.clone(),
        handoff: Arc::default(),
        public_url: settings.server.public_url.trim_end_matches('/').to_string(),
        demo_mode: settings.auth.mode == AuthMode::Dev,
        access_groups: app::domain::policy::groups_with_access(settings.group_roles()),
        groups_source: (settings.auth.mode == AuthMode::Oidc).then(|| {
            app::domain::views::GroupsSource {
                claim: settings.auth.groups_claim.clone(),
                scopes: settings.auth.scopes.clone(),
            }
        }),
        form_action_origins: oidc.iter().map(|o| o.issuer_origin()).collect(),
        https: settings.is_https(),
    });
    Ok(AppState(Arc::new(Shared {
        assets: Arc::new(crate::assets::Assets::new(&settings.server.site_root)),
        oidc,
        login_throttle,
        leptos_options,
        public_origin: csrf::PublicOrigin(csrf::origin_of(&settings.server.public_url).into()),
        settings: Arc::new(settings),
        audit,
        tokens,
        services,
        outbox,
        lease,
        poller_stats: Arc::default(),
        http_stats: Arc::default(),
        alarm_feeds,
        pool,
        sessions,
        inventory,
        call_stats,
        follow_hub: Arc::default(),
    })))
}

/// The whole HTTP surface.
pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let services = state.services();
    let leptos_options = state.leptos_options.clone();
    let hsts = state.settings.is_https().then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    let api = crate::rest::router(state.clone());
    Router::new()
        .route("/healthz", get(crate::ops::healthz))
        .route("/readyz", get(crate::ops::readyz))
        .route("/metrics", get(crate::ops::metrics))
        .route("/auth/dev-login", post(dev_login::dev_login))
        .route("/auth/logout", post(dev_login::logout))
        .route("/auth/login", get(sso::login))
        .route("/auth/callback", get(sso::callback))
        .route("/audit/export.csv", get(crate::audit_export::export_csv))
        .route("/audit/export.json", get(crate::audit_export::export_json))
        .route("/events", get(crate::live::events))
        .route(
            "/envs/{env}/services/{cluster}/{service}/logs.txt",
            get(crate::logs::download),
        )
        .route(
            "/envs/{env}/services/{cluster}/{service}/logs/follow",
            get(crate::logs::follow),
        )
        .route(
            "/envs/{env}/jobs/rule/{name}/logs.txt",
            get(crate::logs::download),
        )
        .route(
            "/envs/{env}/jobs/rule/{name}/logs/follow",
            get(crate::logs::follow),
        )
        .route(
            "/envs/{env}/jobs/schedule/{group}/{name}/logs.txt",
            get(crate::logs::download),
        )
        .route(
            "/envs/{env}/jobs/schedule/{group}/{name}/logs/follow",
            get(crate::logs::follow),
        )
        .route("/pkg/{file}", get(crate::assets::serve))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_session,
        ))
        .layer(sessions::layer(state.sessions.clone(), &state.settings))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check_origin,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            ),
        ))
        .layer(tower::util::option_layer(hsts))
        .with_state(state.clone())
        .merge(api.with_state(state.clone()))
        // Pages and JSON, for browsers that accept it: the fastest level, a few hundred
        // microseconds for a large page. The live stream (SSE) and the already compressed
        // bundle are left alone.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.http_stats),
            crate::http_metrics::track,
        ))
        // First of all: the client's address, for everything below.
        .layer(axum::middleware::from_fn_with_state(
            crate::client_ip::TrustedProxies(Arc::new(
                state.settings.resolved.trusted_proxies.clone(),
            )),
            crate::client_ip::resolve,
        ))
}

/// `server.metrics_listen`'s own surface: `/metrics` and nothing else.
pub fn build_metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(crate::ops::metrics_on_own_address))
        .with_state(state)
}

/// A bound, ready-to-run console.
pub struct Application {
    listener: TcpListener,
    /// `server.metrics_listen`, bound when configured.
    metrics_listener: Option<TcpListener>,
    router: Router,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listen = settings.server.listen;
        let state = build_state(settings).await?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding server.listen {listen}"))?;
        let metrics_listener = match state.settings.server.metrics_listen {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding server.metrics_listen {addr}"))?,
            ),
            None => None,
        };
        let router = build_router(state.clone());
        Ok(Self {
            listener,
            metrics_listener,
            router,
            state,
        })
    }

    /// Where `/metrics` is served on its own, when `server.metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("reading the bound address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests and stops the
    /// background refresh loops.
    pub async fn run(
        mut self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let metrics_listener = self.metrics_listener.take();
        let state = &self.state;
        // Taken (or not) before anything reads AWS: the holder's first rounds run at once, and
        // a replica that starts beside a live leader loads its snapshots instead of reading
        // the whole estate itself first.
        state.lease.try_hold().await;
        let mut background: Vec<JoinHandle<()>> = state.inventory.spawn_background();
        background.push(crate::jobs::spawn_lease_keeper(
            Arc::clone(&state.lease),
            state.settings.server.lease_interval,
        ));
        background.push(crate::jobs::spawn_change_feed(
            state.pool.clone(),
            state.services.live.clone(),
            std::time::Duration::from_secs(1),
        ));
        background.push(crate::jobs::spawn_release_sweep(
            state.services(),
            Arc::clone(&state.lease),
            state.settings.server.release_sweep_interval,
        ));
        background.push(crate::jobs::spawn_action_sweep(
            state.services(),
            Arc::clone(&state.lease),
            state.settings.server.release_sweep_interval,
            state.settings.server.action_settle_after,
        ));
        background.push(crate::jobs::spawn_rollout_follower(
            state.services(),
            Arc::clone(&state.lease),
            state.settings.server.rollout_poll_interval,
        ));
        let watched = state
            .inventory
            .slots()
            .iter()
            .zip(&state.alarm_feeds)
            .map(|(slot, feed)| crate::jobs::Watched::new(Arc::clone(slot), Arc::clone(feed)))
            .collect();
        background.push(crate::jobs::spawn_alarm_poller(
            state.services(),
            watched,
            Arc::clone(&state.lease),
            Arc::clone(&state.poller_stats),
            state.settings.incidents.poll_interval,
        ));
        // The outbox's workers finish the attempt they are making before the lease is given
        // back, so a clean stop leaves no notice claimed.
        let (stop_outbox, outbox_stopped) = tokio::sync::watch::channel(false);
        let outbox_workers = state.outbox.spawn(Arc::clone(&state.lease), outbox_stopped);
        if let Some(listener) = metrics_listener {
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(%addr, "/metrics listening on its own address");
            }
            let router = build_metrics_router(state.clone());
            background.push(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "serving /metrics on server.metrics_listen");
                }
            }));
        }
        tracing::info!(addr = %self.local_addr()?, "quarterdeck listening");
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        for handle in background {
            handle.abort();
        }
        let _ = stop_outbox.send(true);
        let finishing = state.settings.notifications.attempt_timeout + Duration::from_secs(5);
        for handle in outbox_workers {
            let abort = handle.abort_handle();
            if tokio::time::timeout(finishing, handle).await.is_err() {
                abort.abort();
            }
        }
        self.state.lease.release().await;
        self.state.pool.close().await;
        served.context("serving HTTP")
    }
}
