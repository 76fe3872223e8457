//! A form's server action with its last result and in-flight flag, made once at the top of the
//! page. `ServerAction::value()` and `pending()` create new signals owned by whichever view asks;
//! a view inside a `Transition` is thrown away each time the page re-reads its data (on every
//! live update), and a closure still running in it would then read a disposed signal.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

pub struct Submit<S: ServerFn + 'static> {
    pub action: ServerAction<S>,
    /// The last result, `None` before the first submit.
    pub value: MappedSignal<Option<Result<S::Output, S::Error>>>,
    /// A submit is on its way.
    pub pending: Memo<bool>,
}

impl<S: ServerFn + 'static> Clone for Submit<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn + 'static> Copy for Submit<S> {}

impl<S> Submit<S>
where
    S: ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    /// Call at the top of a page component, outside its `Transition`.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let action = ServerAction::new();
        Self {
            action,
            value: action.value(),
            pending: action.pending(),
        }
    }
}
