//! The services every use case takes: the ports (database, AWS, notifications), the live bus,
//! the caches, and the configuration as domain values, parsed once at start-up. Built once by the
//! server and shared: a clone is one reference count.

use crate::ports::{
    ActionPort, ActionStore, AuditPort, IncidentStore, InventoryPort, Notifier, OutboxPort,
    ReleaseStore, RolloutReader, RolloutStore, SessionPort, TokenStore,
};
use std::sync::Arc;

/// What [`AppServices`] shares.
pub struct Services {
    pub inventory: Arc<dyn InventoryPort>,
    pub audit: Arc<dyn AuditPort>,
    pub actions: Arc<dyn ActionPort>,
    pub action_store: Arc<dyn ActionStore>,
    pub releases: Arc<dyn ReleaseStore>,
    /// The rollouts followed after each change to a service.
    pub rollouts: Arc<dyn RolloutStore>,
    /// Reads the services those rollouts run on.
    pub rollout_reader: Arc<dyn RolloutReader>,
    /// CloudWatch Logs, read when a person asks.
    pub logs: Arc<dyn crate::ports::LogsPort>,
    /// How long a rollout may take before it is called stuck (`server.rollout_timeout`).
    pub rollout_timeout: chrono::Duration,
    pub notifier: Arc<dyn Notifier>,
    /// The webhook outbox, for its admin page.
    pub outbox: Arc<dyn OutboxPort>,
    /// The configured webhooks' names, in config order (their URLs stay in the adapter).
    pub webhooks: Vec<String>,
    /// How failed webhook deliveries are tried again.
    pub retry_schedule: crate::domain::outbox::RetrySchedule,
    pub tokens: Arc<dyn TokenStore>,
    pub incidents: Arc<dyn IncidentStore>,
    /// Sign-in sessions: who is signed in, ending a person's sessions.
    pub sessions: Arc<dyn SessionPort>,
    /// Grouping, resolution, suspect and escalation windows from `[incidents]`.
    pub incident_settings: crate::domain::incidents::IncidentSettings,
    pub severity_rules: Vec<crate::domain::incidents::SeverityRule>,
    /// Live updates for the event stream.
    pub live: super::live::LiveBus,
    /// What every page's chrome reads, cached until something changes.
    pub chrome: Arc<super::chrome::ChromeCache>,
    /// On-call rotations from config.
    pub rotations: Vec<crate::domain::oncall::Rotation>,
    /// `[promotion]`: the order versions travel in and the allowed promotions.
    pub promotion: crate::domain::drift::PromotionPolicy,
    /// New token secrets waiting for a page without JavaScript.
    pub handoff: Arc<crate::ssr::handoff::SecretHandoff>,
    /// The console's own address, for links in notifications.
    pub public_url: String,
    /// True in the demo's dev sign-in mode: every page shows a banner.
    pub demo_mode: bool,
    /// Groups that grant a role somewhere, for the "no access" page.
    pub access_groups: Vec<String>,
    /// With SSO, the claim groups are read from and the scopes asked for, for the same page.
    pub groups_source: Option<crate::domain::views::GroupsSource>,
    /// Origins forms may continue to besides this one (the identity provider's sign-out).
    pub form_action_origins: Vec<String>,
    /// Served over https: strict transport security and secure cookies apply.
    pub https: bool,
}

/// The services, shared.
#[derive(Clone)]
pub struct AppServices(Arc<Services>);

impl AppServices {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppServices {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}
