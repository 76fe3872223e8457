//! Hands a new API token's secret to the page that asked for it, once, when the browser has no
//! JavaScript: the form post redirects back to the tokens page, which takes the secret from here
//! (the same person by id, within five minutes, one read). Kept in this process's memory only.

use crate::domain::person::PersonId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const KEEP: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct SecretHandoff {
    waiting: Mutex<HashMap<(PersonId, i64), (String, Instant)>>,
}

impl SecretHandoff {
    pub fn put(&self, person: &PersonId, id: i64, secret: String) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.retain(|_, (_, at)| at.elapsed() < KEEP);
            waiting.insert((person.clone(), id), (secret, Instant::now()));
        }
    }

    /// The secret of token `id`, if `person` created it in the last five minutes and has not
    /// read it yet.
    pub fn take(&self, person: &PersonId, id: i64) -> Option<String> {
        let mut waiting = self.waiting.lock().ok()?;
        let (secret, at) = waiting.remove(&(person.clone(), id))?;
        (at.elapsed() < KEEP).then_some(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::{PersonId, SecretHandoff};

    #[test]
    fn a_secret_is_handed_once_to_its_creator() {
        let handoff = SecretHandoff::default();
        let alice = PersonId::oidc("https://idp.example", "u-alice").unwrap();
        // Someone else, even one also called alice, gets nothing.
        let other_alice = PersonId::oidc("https://idp.example", "u-alice-2").unwrap();
        handoff.put(&alice, 7, "qd_secret".into());
        assert_eq!(handoff.take(&other_alice, 7), None);
        assert_eq!(handoff.take(&alice, 7).as_deref(), Some("qd_secret"));
        assert_eq!(handoff.take(&alice, 7), None);
    }
}
