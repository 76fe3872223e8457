//! Hands a new API token's secret to the page that asked for it, once, when the browser has no
//! JavaScript: the form post redirects back to the tokens page, which takes the secret from here
//! (same person, within five minutes, one read). Kept in this process's memory only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const KEEP: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct SecretHandoff {
    waiting: Mutex<HashMap<(String, i64), (String, Instant)>>,
}

impl SecretHandoff {
    pub fn put(&self, person: &str, id: i64, secret: String) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.retain(|_, (_, at)| at.elapsed() < KEEP);
            waiting.insert((person.to_string(), id), (secret, Instant::now()));
        }
    }

    /// The secret of token `id`, if `person` created it in the last five minutes and has not
    /// read it yet.
    pub fn take(&self, person: &str, id: i64) -> Option<String> {
        let mut waiting = self.waiting.lock().ok()?;
        let (secret, at) = waiting.remove(&(person.to_string(), id))?;
        (at.elapsed() < KEEP).then_some(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::SecretHandoff;

    #[test]
    fn a_secret_is_handed_once_to_its_creator() {
        let handoff = SecretHandoff::default();
        handoff.put("alice", 7, "qd_secret".into());
        assert_eq!(handoff.take("bob", 7), None);
        assert_eq!(handoff.take("alice", 7).as_deref(), Some("qd_secret"));
        assert_eq!(handoff.take("alice", 7), None);
    }
}
