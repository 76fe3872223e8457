//! The session as the flash store: one-time messages for the next page kept under one session
//! key (at most a few; see `app::domain::flash`), saved with the session after the response, so
//! any replica serving the next page finds them.

use app::domain::flash::{keep, take, Flash, FlashKind};
use app::ports::{FlashPort, PortError};
use rand::RngCore;
use tower_sessions::Session;

/// The session key the messages live under.
const FLASH_KEY: &str = "qd.flash";

/// A request's session, for `app::ssr::flash`.
pub struct SessionFlashes(pub Session);

/// 128 random bits as 32 lowercase hex digits.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SessionFlashes {
    async fn kept(&self) -> Result<Vec<Flash>, PortError> {
        Ok(self
            .0
            .get::<Vec<Flash>>(FLASH_KEY)
            .await
            .map_err(PortError::new)?
            .unwrap_or_default())
    }
}

#[async_trait::async_trait]
impl FlashPort for SessionFlashes {
    async fn put(&self, kind: FlashKind, text: String) -> Result<String, PortError> {
        let mut kept = self.kept().await?;
        let id = new_id();
        keep(
            &mut kept,
            Flash {
                id: id.clone(),
                kind,
                text,
            },
        );
        self.0
            .insert(FLASH_KEY, kept)
            .await
            .map_err(PortError::new)?;
        Ok(id)
    }

    async fn take(&self, kind: FlashKind, id: &str) -> Result<Option<String>, PortError> {
        let mut kept = self.kept().await?;
        let Some(flash) = take(&mut kept, id, kind) else {
            return Ok(None);
        };
        self.0
            .insert(FLASH_KEY, kept)
            .await
            .map_err(PortError::new)?;
        Ok(Some(flash.text))
    }
}

#[cfg(test)]
mod tests {
    use super::new_id;

    #[test]
    fn ids_are_what_the_pages_accept_and_differ() {
        let (a, b) = (new_id(), new_id());
        assert!(app::domain::flash::parse_id(&a).is_some(), "{a}");
        assert_ne!(a, b);
    }
}
