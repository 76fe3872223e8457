//! What each page shows, built from inventory snapshots by pure functions. Server functions call
//! these and send the result; the UI only renders them.
//!
//! One file per page family under `views/`, with what several pages share in `summary` (each
//! environment's inputs, card and summary; app summaries), `rows` (table rows) and
//! `action_panel`. This module only re-exports them, so `crate::domain::views::X` names any of
//! them. The files under `views/` name each other directly (`super::summary::EnvData`), never
//! through this module, so no file imports one that imports it back.

pub mod action_panel;
pub mod alarms;
pub mod apps;
pub mod asgs;
pub mod audit;
pub mod databases;
pub mod environment;
pub mod functions;
pub mod incidents;
pub mod jobs;
pub mod logs;
pub mod oncall;
pub mod overview;
pub mod queues;
pub mod releases;
pub mod rows;
pub mod service;
pub mod session;
pub mod summary;
pub mod tokens;
pub mod webhooks;

#[cfg(test)]
mod fixtures;

pub use action_panel::{ActionPanel, Frozen};
pub use alarms::{alarms, AlarmsView, MuteRights};
pub use apps::{app, apps, AppEnvColumn, AppView, AppsView};
pub use asgs::{asg, asgs, AsgRow, AsgSummary, AsgView, AsgsView};
pub use audit::AuditPageView;
pub use databases::{database, databases, DatabaseView, DatabasesView};
pub use environment::{
    environment, EnvironmentView, ServicePage, ServiceQuery, MAX_SERVICE_FILTER, SERVICES_PER_PAGE,
};
pub use functions::{function, functions, FunctionRow, FunctionView, FunctionsView, MappingRef};
pub use incidents::{IncidentView, IncidentsView};
pub use jobs::{job, jobs, JobRow, JobSummary, JobView, JobsView};
pub use logs::{InsightsView, LogsView};
pub use oncall::OnCallView;
pub use overview::{overview, overview_apps, OverviewView, OVERVIEW_APPS, OVERVIEW_FIRING};
pub use queues::{queue, queues, QueueRow, QueueView, QueuesView};
pub use releases::{ReleaseView, ReleasesView};
pub use rows::{AlarmRow, DatabaseRow, ServiceRow};
pub use service::{service, ServiceView};
pub use session::{GroupsSource, SessionView, SignInOptions};
pub use summary::{
    app_names, app_summaries, AppEnvSummary, AppSummary, EnvCard, EnvData, EnvSummary, ReadError,
};
pub use tokens::{CreatedToken, TokensView};
pub use webhooks::{WebhooksView, OUTBOX_ROWS};
