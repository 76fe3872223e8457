//! Company SSO with OpenID Connect: authorization code flow with PKCE (S256), `state` compared
//! here, `nonce`, and a verified ID token (signature, issuer, audience, expiry, nonce, `at_hash`).
//! Groups come from a configurable claim of the ID token, or from the userinfo endpoint when the
//! ID token lacks it; config maps them to roles per environment. The provider is discovered on
//! first use and again after a failure, so the console starts even while the provider is down.
//! Its metadata and keys are fetched again when they are an hour old, and at once (at most every
//! 30 s) when an ID token names a key id they do not hold: the provider rotated its keys.

use crate::config::Settings;
use app::domain::person::{display_name, PersonId};
use app::domain::policy::{grants_for_groups, AuthMethod, GroupRole, Principal};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long discovered metadata and keys are used before they are fetched again.
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(3600);
/// The least time between two fetches forced by ID tokens naming an unknown key id, and between
/// attempts while the provider cannot be reached (the last good keys are used meanwhile).
pub const KEYS_REFETCH_PAUSE: Duration = Duration::from_secs(30);

/// Every claim of the ID token or userinfo beyond the standard ones; the groups claim is read
/// from here by its configured name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type IdFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResp = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResp,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What the session keeps between the redirect to the provider and the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

/// A verified sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    pub subject: String,
}

/// Why a sign-in failed, in words for the person and the audit log.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the identity provider could not be reached: {0}")]
    ProviderUnavailable(String),
    #[error("the sign-in expired or was started in another browser; start again")]
    NoPendingLogin,
    #[error("the sign-in response does not match the request (state mismatch); start again")]
    StateMismatch,
    #[error("the identity provider refused the sign-in: {0}")]
    ProviderRefused(String),
    #[error("the authorization code could not be exchanged: {0}")]
    CodeExchange(String),
    #[error("the ID token failed verification: {0}")]
    IdToken(String),
    #[error("the user's groups could not be read: {0}")]
    Groups(String),
}

impl LoginError {
    pub fn status(&self) -> http::StatusCode {
        match self {
            LoginError::ProviderUnavailable(_) => http::StatusCode::BAD_GATEWAY,
            LoginError::NoPendingLogin | LoginError::StateMismatch => http::StatusCode::BAD_REQUEST,
            _ => http::StatusCode::FORBIDDEN,
        }
    }
}

struct Provider {
    client: OidcClient,
    end_session: Option<EndSessionUrl>,
}

/// Why the provider's metadata and keys are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeysWanted {
    /// For a sign-in: the cached ones while they are fresh.
    Current,
    /// An ID token names a key id the cached set lacks.
    UnknownKeyId,
}

/// The discovered provider and when to look again.
#[derive(Default)]
struct ProviderCache {
    current: Option<std::sync::Arc<Provider>>,
    /// When the cached provider is due to be discovered again.
    next_check: Option<Instant>,
    /// When an unknown key id last forced a fetch.
    last_forced: Option<Instant>,
}

/// Whether to discover the provider again now: always without one; when it is due; for an
/// unknown key id, unless one forced a fetch less than [`KEYS_REFETCH_PAUSE`] ago.
fn refetch_due(
    cached: bool,
    next_check: Option<Instant>,
    last_forced: Option<Instant>,
    wanted: KeysWanted,
    now: Instant,
) -> bool {
    if !cached {
        return true;
    }
    match wanted {
        KeysWanted::Current => next_check.is_none_or(|at| now >= at),
        KeysWanted::UnknownKeyId => {
            last_forced.is_none_or(|at| now.duration_since(at) >= KEYS_REFETCH_PAUSE)
        }
    }
}

pub struct Oidc {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Vec<String>,
    groups_claim: String,
    redirect_url: String,
    post_logout_url: String,
    group_roles: Vec<GroupRole>,
    http: openidconnect::reqwest::Client,
    provider: Mutex<ProviderCache>,
}

impl Oidc {
    /// `None` unless `auth.mode = "oidc"`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        if settings.auth.mode != crate::config::AuthMode::Oidc {
            return Ok(None);
        }
        let base = settings.server.public_url.trim_end_matches('/');
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would open the token exchange to SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        // Validation made both required in this mode.
        let issuer =
            settings.auth.issuer.clone().ok_or_else(|| {
                anyhow::anyhow!("auth.issuer: required when auth.mode = \"oidc\"")
            })?;
        let client_id =
            settings.auth.client_id.clone().ok_or_else(|| {
                anyhow::anyhow!("auth.client_id: required when auth.mode = \"oidc\"")
            })?;
        Ok(Some(Self {
            issuer,
            client_id,
            client_secret: settings
                .auth
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_string()),
            scopes: settings.auth.scopes.clone(),
            groups_claim: settings.auth.groups_claim.clone(),
            redirect_url: format!("{base}/auth/callback"),
            post_logout_url: format!("{base}/login"),
            group_roles: settings.group_roles().to_vec(),
            http,
            provider: Mutex::new(ProviderCache::default()),
        }))
    }

    /// The issuer's origin, which the sign-out form is allowed to continue to.
    pub fn issuer_origin(&self) -> String {
        crate::auth::csrf::origin_of(&self.issuer)
    }

    async fn provider(&self) -> Result<std::sync::Arc<Provider>, LoginError> {
        self.provider_for(KeysWanted::Current).await
    }

    /// The provider, discovered again when `wanted` and the cache's age say so. Concurrent
    /// callers wait for one discovery. When it fails, the last good provider is kept and asked
    /// for again after [`KEYS_REFETCH_PAUSE`].
    async fn provider_for(
        &self,
        wanted: KeysWanted,
    ) -> Result<std::sync::Arc<Provider>, LoginError> {
        let mut cache = self.provider.lock().await;
        let now = Instant::now();
        let due = refetch_due(
            cache.current.is_some(),
            cache.next_check,
            cache.last_forced,
            wanted,
            now,
        );
        if let (false, Some(current)) = (due, cache.current.as_ref()) {
            return Ok(current.clone());
        }
        if wanted == KeysWanted::UnknownKeyId {
            cache.last_forced = Some(now);
        }
        match self.discover().await {
            Ok(provider) => {
                let provider = std::sync::Arc::new(provider);
                cache.current = Some(provider.clone());
                cache.next_check = Some(now + KEYS_MAX_AGE);
                Ok(provider)
            }
            Err(e) => match cache.current.clone() {
                Some(stale) => {
                    tracing::warn!(error = %e, "fetching the identity provider's keys again; the last ones stay in use");
                    cache.next_check = Some(now + KEYS_REFETCH_PAUSE);
                    Ok(stale)
                }
                None => Err(e),
            },
        }
    }

    /// Reads the provider's metadata and its key set.
    async fn discover(&self) -> Result<Provider, LoginError> {
        let issuer = IssuerUrl::new(self.issuer.clone())
            .map_err(|e| LoginError::ProviderUnavailable(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| LoginError::ProviderUnavailable(error_chain(&e)))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let redirect = RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| LoginError::ProviderUnavailable(e.to_string()))?;
        let client: OidcClient = Client::from_provider_metadata(
            metadata,
            ClientId::new(self.client_id.clone()),
            self.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect);
        Ok(Provider {
            client,
            end_session,
        })
    }

    /// Where to send the browser to sign in, and what to remember until it comes back.
    pub async fn begin(&self, next: String) -> Result<(String, PendingLogin), LoginError> {
        let provider = self.provider().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next,
        };
        Ok((url.to_string(), pending))
    }

    /// Verifies the callback and returns the signed-in person.
    pub async fn complete(
        &self,
        pending: PendingLogin,
        code: &str,
        returned_state: &str,
    ) -> Result<SignedIn, LoginError> {
        if !constant_time_eq(pending.state.as_bytes(), returned_state.as_bytes()) {
            return Err(LoginError::StateMismatch);
        }
        let provider = self.provider().await?;
        let client = &provider.client;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| LoginError::CodeExchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::CodeExchange(error_chain(&e)))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| LoginError::IdToken("the provider returned no ID token".into()))?;
        // A key id the cached set lacks: the provider may have rotated its keys since.
        let provider = if names_unknown_key(id_token, &provider.client.id_token_verifier()) {
            tracing::info!(
                "the ID token names a key the cached set lacks; fetching the provider's keys again"
            );
            self.provider_for(KeysWanted::UnknownKeyId).await?
        } else {
            provider
        };
        let client = &provider.client;
        let verifier = client.id_token_verifier();
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = verified_claims(id_token, &verifier, &nonce, token.access_token())?;
        let subject = claims.subject().to_string();
        // The person is the issuer and the subject; the name is for showing only.
        let id = PersonId::oidc(claims.issuer().as_str(), &subject).map_err(|e| {
            LoginError::IdToken(format!("the ID token names no usable person: {e}"))
        })?;
        let name = display_name(
            claims.preferred_username().map(|u| u.as_str()),
            claims.email().map(|e| e.as_str()),
            claims.email_verified(),
            &subject,
        );
        let groups = match read_groups(&claims.additional_claims().claims, &self.groups_claim) {
            Some(groups) => groups,
            None => {
                let info: openidconnect::UserInfoClaims<ExtraClaims, CoreGenderClaim> = client
                    .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                    .map_err(|e| LoginError::Groups(e.to_string()))?
                    .request_async(&self.http)
                    .await
                    .map_err(|e| LoginError::Groups(error_chain(&e)))?;
                match read_groups(&info.additional_claims().claims, &self.groups_claim) {
                    Some(groups) => groups,
                    None => {
                        tracing::warn!(
                            user = %name,
                            claim = %self.groups_claim,
                            scopes = %self.scopes.join(" "),
                            "the identity provider sent no `{}` claim, neither in the ID token nor at userinfo, so this person has no groups; some providers send it only when the `groups` scope is requested (auth.scopes)",
                            self.groups_claim
                        );
                        Vec::new()
                    }
                }
            }
        };
        let grants = grants_for_groups(&groups, &self.group_roles);
        Ok(SignedIn {
            principal: Principal {
                id,
                name,
                method: AuthMethod::Oidc,
                grants,
                groups,
            },
            subject,
        })
    }

    /// The provider's end-session URL to continue to after the local sign-out, if it has one.
    pub async fn logout_url(&self) -> Option<String> {
        let provider = self.provider().await.ok()?;
        let endpoint = provider.end_session.clone()?;
        let back = PostLogoutRedirectUrl::new(self.post_logout_url.clone()).ok()?;
        let request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.client_id.clone()))
            .set_post_logout_redirect_uri(back);
        Some(request.http_get_url().to_string())
    }
}

/// The ID token as this client reads it.
pub type OidcIdToken = openidconnect::IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcIdTokenClaims = openidconnect::IdTokenClaims<ExtraClaims, CoreGenderClaim>;

/// True when the token's key id (with its algorithm) matches no key of the verifier's set.
fn names_unknown_key(
    id_token: &OidcIdToken,
    verifier: &openidconnect::IdTokenVerifier<'_, CoreJsonWebKey>,
) -> bool {
    matches!(
        id_token.signing_key(verifier),
        Err(openidconnect::SignatureVerificationError::NoMatchingKey)
    )
}

/// Checks an ID token: signature against the provider's keys, issuer, audience, expiry and
/// nonce, and, when the token carries `at_hash`, that it matches the access token.
pub fn verified_claims<'a>(
    id_token: &'a OidcIdToken,
    verifier: &openidconnect::IdTokenVerifier<'_, CoreJsonWebKey>,
    nonce: &Nonce,
    access_token: &openidconnect::AccessToken,
) -> Result<&'a OidcIdTokenClaims, LoginError> {
    let claims = id_token
        .claims(verifier, nonce)
        .map_err(|e| LoginError::IdToken(error_chain(&e)))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| LoginError::IdToken(e.to_string()))?;
        let key = id_token
            .signing_key(verifier)
            .map_err(|e| LoginError::IdToken(e.to_string()))?;
        let actual = AccessTokenHash::from_token(access_token, alg, key)
            .map_err(|e| LoginError::IdToken(e.to_string()))?;
        if actual != *expected {
            return Err(LoginError::IdToken(
                "at_hash does not match the access token".into(),
            ));
        }
    }
    Ok(claims)
}

/// Reads a groups claim that is a list of strings or one string.
pub fn read_groups(claims: &HashMap<String, serde_json::Value>, name: &str) -> Option<Vec<String>> {
    match claims.get(name)? {
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        serde_json::Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_claims_may_be_a_list_or_a_single_string() {
        let mut claims = HashMap::new();
        claims.insert("groups".to_string(), serde_json::json!(["a", "b", 3]));
        claims.insert("role".to_string(), serde_json::json!("ops"));
        claims.insert("weird".to_string(), serde_json::json!({"x": 1}));
        assert_eq!(
            read_groups(&claims, "groups"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(read_groups(&claims, "role"), Some(vec!["ops".to_string()]));
        assert_eq!(read_groups(&claims, "weird"), None);
        assert_eq!(read_groups(&claims, "missing"), None);
    }

    mod id_tokens {
        use super::super::*;
        use chrono::{Duration as ChronoDuration, Utc};
        use openidconnect::core::{CoreJsonWebKeySet, CoreRsaPrivateSigningKey};
        use openidconnect::{
            AccessToken, Audience, IdTokenClaims, IdTokenVerifier, JsonWebKeyId, PrivateSigningKey,
            StandardClaims, SubjectIdentifier,
        };

        const ISSUER: &str = "https://sso.example.com";
        const CLIENT: &str = "quarterdeck";

        fn key(pem: &str) -> CoreRsaPrivateSigningKey {
            CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
        }

        fn trusted() -> CoreRsaPrivateSigningKey {
            key(include_str!("../../tests/fixtures/idp-test-key.pem"))
        }

        fn foreign() -> CoreRsaPrivateSigningKey {
            key(include_str!("../../tests/fixtures/foreign-test-key.pem"))
        }

        struct Token {
            signer: CoreRsaPrivateSigningKey,
            audience: &'static str,
            expires_in: ChronoDuration,
            nonce: &'static str,
            access_token: &'static str,
        }

        impl Default for Token {
            fn default() -> Self {
                Self {
                    signer: trusted(),
                    audience: CLIENT,
                    expires_in: ChronoDuration::minutes(5),
                    nonce: "n-123",
                    access_token: "access-1",
                }
            }
        }

        fn mint(t: Token) -> OidcIdToken {
            let now = Utc::now();
            let claims = IdTokenClaims::new(
                IssuerUrl::new(ISSUER.into()).unwrap(),
                vec![Audience::new(t.audience.into())],
                now + t.expires_in,
                now - ChronoDuration::minutes(1),
                StandardClaims::new(SubjectIdentifier::new("alice".into())),
                ExtraClaims::default(),
            )
            .set_nonce(Some(Nonce::new(t.nonce.into())));
            OidcIdToken::new(
                claims,
                &t.signer,
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                Some(&AccessToken::new(t.access_token.into())),
                None,
            )
            .unwrap()
        }

        fn check(token: &OidcIdToken, nonce: &str, access_token: &str) -> Result<(), String> {
            let jwks = CoreJsonWebKeySet::new(vec![trusted().as_verification_key()]);
            let verifier: IdTokenVerifier<'_, CoreJsonWebKey> =
                IdTokenVerifier::new_confidential_client(
                    ClientId::new(CLIENT.into()),
                    ClientSecret::new("secret".into()),
                    IssuerUrl::new(ISSUER.into()).unwrap(),
                    jwks,
                );
            verified_claims(
                token,
                &verifier,
                &Nonce::new(nonce.into()),
                &AccessToken::new(access_token.into()),
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
        }

        #[test]
        fn only_a_key_id_missing_from_the_set_counts_as_unknown() {
            let jwks = CoreJsonWebKeySet::new(vec![trusted().as_verification_key()]);
            let verifier: IdTokenVerifier<'_, CoreJsonWebKey> =
                IdTokenVerifier::new_confidential_client(
                    ClientId::new(CLIENT.into()),
                    ClientSecret::new("secret".into()),
                    IssuerUrl::new(ISSUER.into()).unwrap(),
                    jwks,
                );
            let rotated = CoreRsaPrivateSigningKey::from_pem(
                include_str!("../../tests/fixtures/foreign-test-key.pem"),
                Some(JsonWebKeyId::new("k2".into())),
            )
            .unwrap();
            let cases = [
                ("the known key", trusted(), false),
                ("another key under the known id", foreign(), false),
                ("a new key id", rotated, true),
            ];
            for (what, signer, unknown) in cases {
                let token = mint(Token {
                    signer,
                    ..Token::default()
                });
                assert_eq!(names_unknown_key(&token, &verifier), unknown, "{what}");
            }
        }

        #[test]
        fn a_well_formed_token_passes() {
            assert_eq!(check(&mint(Token::default()), "n-123", "access-1"), Ok(()));
        }

        #[test]
        fn each_forgery_is_refused_for_its_own_reason() {
            let cases: Vec<(&str, Token, &str, &str, &str)> = vec![
                (
                    "wrong nonce",
                    Token::default(),
                    "n-other",
                    "access-1",
                    "nonce",
                ),
                (
                    "foreign key",
                    Token {
                        signer: foreign(),
                        ..Token::default()
                    },
                    "n-123",
                    "access-1",
                    "signature",
                ),
                (
                    "wrong audience",
                    Token {
                        audience: "someone-else",
                        ..Token::default()
                    },
                    "n-123",
                    "access-1",
                    "audience",
                ),
                (
                    "expired",
                    Token {
                        expires_in: ChronoDuration::minutes(-10),
                        ..Token::default()
                    },
                    "n-123",
                    "access-1",
                    "expired",
                ),
                ("at_hash", Token::default(), "n-123", "access-2", "at_hash"),
            ];
            for (what, token, nonce, access_token, needle) in cases {
                let err = check(&mint(token), nonce, access_token).expect_err(what);
                assert!(err.to_lowercase().contains(needle), "{what}: {err}");
            }
        }
    }

    #[test]
    fn keys_are_fetched_again_when_old_or_when_a_token_names_an_unknown_key() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let due_at = Some(at(3600));
        // cached, next check, last forced fetch, wanted, now, due
        let cases = [
            (false, None, None, KeysWanted::Current, at(0), true),
            (true, due_at, None, KeysWanted::Current, at(10), false),
            (true, due_at, None, KeysWanted::Current, at(3600), true),
            (true, due_at, None, KeysWanted::UnknownKeyId, at(10), true),
            (
                true,
                due_at,
                Some(at(10)),
                KeysWanted::UnknownKeyId,
                at(39),
                false,
            ),
            (
                true,
                due_at,
                Some(at(10)),
                KeysWanted::UnknownKeyId,
                at(40),
                true,
            ),
            (
                false,
                None,
                Some(at(10)),
                KeysWanted::UnknownKeyId,
                at(11),
                true,
            ),
        ];
        for (i, (cached, next, forced, wanted, now, due)) in cases.into_iter().enumerate() {
            assert_eq!(
                refetch_due(cached, next, forced, wanted, now),
                due,
                "case {i}"
            );
        }
    }

    #[test]
    fn state_comparison_needs_equal_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
