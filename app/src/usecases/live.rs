//! Live updates: what changed, published by the background jobs and the request paths, and
//! streamed to browsers as server-sent events (the server filters them per environment).

use serde::Serialize;
use tokio::sync::broadcast;

/// What kind of thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveKind {
    /// An incident opened, changed or resolved.
    Incident,
    /// An environment's snapshot was refreshed or patched.
    Inventory,
    /// A release request changed state.
    Release,
    /// An action started or its outcome was recorded.
    Action,
}

impl LiveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveKind::Incident => "incident",
            LiveKind::Inventory => "inventory",
            LiveKind::Release => "release",
            LiveKind::Action => "action",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveEvent {
    pub kind: LiveKind,
    pub env: String,
    /// The incident or release id.
    pub id: Option<i64>,
}

/// A broadcast channel: publishing never blocks, a slow subscriber only misses events (and its
/// page catches up on its next refresh).
#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<LiveEvent>,
    /// Events published so far: what the chrome cache compares to know nothing changed.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for LiveBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self {
            tx,
            generation: Default::default(),
        }
    }
}

impl LiveBus {
    /// How many events were published so far.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn publish(&self, kind: LiveKind, env: &str, id: Option<i64>) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // No subscriber is not an error.
        let _ = self.tx.send(LiveEvent {
            kind,
            env: env.to_string(),
            id,
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }
}
