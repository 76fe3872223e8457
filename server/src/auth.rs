//! Sign-in, sessions and request guards: the dev sign-in of the demo, the session layer in the
//! database, the middleware that puts the signed-in principal on every request (or refuses it),
//! and the same-origin check on every state-changing request.

pub mod csrf;
pub mod dev_login;
pub mod flash;
pub mod guard;
pub mod oidc;
pub mod sessions;
pub mod sso;
pub mod throttle;
