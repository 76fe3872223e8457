//! API tokens in the database. A token's secret is `qd_` and 40 random hex digits from the
//! operating system's generator; only its SHA-256 is stored, so the secret is shown once and a
//! copy of the database grants nothing.

use super::audit::insert_entry;
use super::error::{person_id, StoreContext, StoreError};
use super::sql::Pool;
use app::domain::ids::EnvId;
use app::domain::policy::{Principal, Role};
use app::domain::tokens::{ApiToken, TokenRequest};
use app::ports::{AuditEntry, PortError, TokenCreated, TokenStore};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of every secret, so leaked ones are easy to recognise and scan for.
pub const SECRET_PREFIX: &str = "qd_";

pub struct SqlTokens {
    pool: Pool,
}

impl SqlTokens {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{SECRET_PREFIX}{hex}")
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    owner: String,
    envs: String,
    role: String,
    created_by: String,
    created_by_id: String,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

const COLUMNS: &str =
    "id, name, owner, envs, role, created_by, created_by_id, created_at, expires_at, revoked_at, last_used_at";

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt("token time", text, e))
}

fn token(row: Row) -> Result<ApiToken, StoreError> {
    let envs = if row.envs == "*" {
        None
    } else {
        let names: Vec<String> = serde_json::from_str(&row.envs)
            .map_err(|e| StoreError::corrupt("token environments", &row.envs, e))?;
        Some(
            names
                .iter()
                .map(|n| {
                    EnvId::parse(n).map_err(|e| StoreError::corrupt("token environment", n, e))
                })
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    Ok(ApiToken {
        id: row.id,
        name: row.name,
        owner: row.owner,
        envs,
        role: Role::parse(&row.role)
            .map_err(|e| StoreError::corrupt("token role", &row.role, e))?,
        created_by: row.created_by,
        created_by_id: person_id("token creator id", &row.created_by_id)?,
        created_at: time(&row.created_at)?,
        expires_at: time(&row.expires_at)?,
        revoked_at: row.revoked_at.as_deref().map(time).transpose()?,
        last_used_at: row.last_used_at.as_deref().map(time).transpose()?,
    })
}

#[async_trait::async_trait]
impl TokenStore for SqlTokens {
    async fn create(
        &self,
        request: &TokenRequest,
        created_by: &Principal,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<TokenCreated, PortError> {
        const WHAT: &str = "creating a token";
        let secret = new_secret();
        let envs = match &request.envs {
            None => "*".to_string(),
            Some(list) => serde_json::to_string(
                &list
                    .iter()
                    .map(|e| e.as_str().to_string())
                    .collect::<Vec<_>>(),
            )
            .context(WHAT)?,
        };
        let expires_at = now + chrono::Duration::days(request.expires_in_days);
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let inserted = sqlx::query_scalar::<_, i64>(
            &super::sql::numbered("INSERT INTO api_tokens (name, owner, envs, role, secret_hash, created_by, created_by_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&request.name)
        .bind(&request.owner)
        .bind(&envs)
        .bind(request.role.as_str())
        .bind(hash_secret(&secret))
        .bind(&created_by.name)
        .bind(created_by.id.as_str())
        .bind(now.to_rfc3339())
        .bind(expires_at.to_rfc3339())
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Ok(TokenCreated::NameTaken)
            }
            Err(e) => return Err(StoreError::from(e).context(WHAT).into()),
        };
        insert_entry(&mut tx, &audit).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        let created = ApiToken {
            id,
            name: request.name.clone(),
            owner: request.owner.clone(),
            envs: request.envs.clone(),
            role: request.role,
            created_by: created_by.name.clone(),
            created_by_id: created_by.id.clone(),
            created_at: now,
            expires_at,
            revoked_at: None,
            last_used_at: None,
        };
        Ok(TokenCreated::Created(Box::new(created), secret))
    }

    async fn list(&self) -> Result<Vec<ApiToken>, PortError> {
        let rows: Vec<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .context("listing tokens")?;
        Ok(rows
            .into_iter()
            .map(token)
            .collect::<Result<_, _>>()
            .context("listing tokens")?)
    }

    async fn get(&self, id: i64) -> Result<Option<ApiToken>, PortError> {
        let row: Option<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a token")?;
        Ok(row.map(token).transpose().context("reading a token")?)
    }

    async fn revoke(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool, PortError> {
        const WHAT: &str = "revoking a token";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let done = sqlx::query(&super::sql::numbered(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        ))
        .bind(now.to_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await
        .context(WHAT)?
        .rows_affected()
            == 1;
        if done {
            insert_entry(&mut tx, &audit).await.context(WHAT)?;
        }
        tx.commit().await.context(WHAT)?;
        Ok(done)
    }

    async fn authenticate(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiToken>, PortError> {
        if !secret.starts_with(SECRET_PREFIX) || secret.len() > 100 {
            return Ok(None);
        }
        let row: Option<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE secret_hash = ?"
        )))
        .bind(hash_secret(secret))
        .fetch_optional(&self.pool)
        .await
        .context("checking a token")?;
        let Some(found) = row.map(token).transpose().context("checking a token")? else {
            return Ok(None);
        };
        if found.usable(now) {
            sqlx::query(&super::sql::numbered(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
            ))
            .bind(now.to_rfc3339())
            .bind(found.id)
            .execute(&self.pool)
            .await
            .context("marking a token used")?;
        }
        Ok(Some(found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_stored_only_as_hashes() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("qd_") && a.len() == 43);
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
        assert!(!hash_secret(&a).contains(&a[3..]));
    }
}
