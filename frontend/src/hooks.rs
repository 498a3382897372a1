//! The hooks every page uses: the session, its data ([`use_query`]), its changes
//! ([`use_mutation`]) and the line that says what the last change did ([`use_outcome`]).
//! The work that does not depend on the operation's type lives in plain functions, so each
//! operation adds little to the app.

use crate::SessionHandle;
use crate::api::{self, ApiError};
use graphql_client::GraphQLQuery;
use std::marker::PhantomData;
use yew::prelude::*;

/// What a page's data is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

/// The signed-in session (`None` when signed out), shared by the whole app.
#[hook]
pub fn use_session() -> SessionHandle {
    use_context::<SessionHandle>().expect("session context")
}

/// The session's token, for a request.
fn token(session: &SessionHandle) -> Option<String> {
    session.as_ref().map(|s| s.token.clone())
}

/// Loads `Q` while signed in, again when its variables change and on each `reload`; on
/// UNAUTHENTICATED the session is dropped so the app asks to sign in. Data already shown stays
/// on screen while it reloads (no flicker; the forms and messages inside it stay where they are).
#[hook]
pub fn use_query<Q: GraphQLQuery + 'static>(
    variables: Q::Variables,
) -> (UseStateHandle<Load<Q::ResponseData>>, Callback<()>)
where
    Q::ResponseData: 'static,
{
    let session = use_session();
    let state = use_state(|| Load::<Q::ResponseData>::Loading);
    let (count, reload) = use_reload();
    // The request's text is the key: other variables are another request.
    let body = api::body::<Q>(variables);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((body, count, token(&session)), move |(body, _, token)| {
            let Some(token) = token.clone() else { return };
            if !matches!(*state, Load::Ready(_)) {
                state.set(Load::Loading);
            }
            let body = body.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = api::run_body::<Q::ResponseData>(Some(&token), body).await;
                if matches!(&loaded, Err(e) if e.code == "UNAUTHENTICATED") {
                    session.set(None);
                }
                state.set(match loaded {
                    Ok(data) => Load::Ready(data),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }
    (state, reload)
}

/// A counter and the callback that moves it on: a fresh value each time, so two reloads asked
/// for in one render both count.
#[hook]
fn use_reload() -> (u32, Callback<()>) {
    let count = use_state(|| 0u32);
    let reload = {
        let count = count.setter();
        use_callback((), move |_, _| {
            use std::sync::atomic::{AtomicU32, Ordering};
            static RELOADS: AtomicU32 = AtomicU32::new(1);
            count.set(RELOADS.fetch_add(1, Ordering::Relaxed));
        })
    };
    (*count, reload)
}

/// Runs the mutation `M` with the session's token; tracks whether it is under way and its
/// last error, and hands each answer to the caller.
pub struct Mutation<M> {
    runner: Runner,
    op: PhantomData<fn() -> M>,
}

impl<M> Clone for Mutation<M> {
    fn clone(&self) -> Self {
        Mutation { runner: self.runner.clone(), op: PhantomData }
    }
}

impl<M> PartialEq for Mutation<M> {
    fn eq(&self, other: &Self) -> bool {
        self.runner == other.runner
    }
}

#[hook]
pub fn use_mutation<M: GraphQLQuery + 'static>() -> Mutation<M> {
    let session = use_session();
    let pending = use_state_eq(|| false);
    let error = use_state_eq(|| None::<ApiError>);
    Mutation { runner: Runner { token: token(&session), pending, error }, op: PhantomData }
}

impl<M: GraphQLQuery + 'static> Mutation<M>
where
    M::ResponseData: 'static,
{
    /// Whether a run is under way.
    pub fn pending(&self) -> bool {
        *self.runner.pending
    }

    /// The last run's error, if it failed.
    pub fn error(&self) -> Option<&ApiError> {
        self.runner.error.as_ref()
    }

    /// Runs it; `then` reads the answer.
    pub fn run(
        &self,
        variables: M::Variables,
        then: impl FnOnce(Result<M::ResponseData, ApiError>) + 'static,
    ) {
        let runner = self.runner.clone();
        runner.start();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::run::<M>(runner.token.as_deref(), variables).await;
            runner.finish(answer.as_ref().err());
            then(answer);
        });
    }

    /// Runs it when only its success matters (the answer is not decoded).
    pub fn send(&self, variables: M::Variables, then: impl FnOnce(Result<(), ApiError>) + 'static) {
        self.runner.send(api::body::<M>(variables), None, Box::new(then));
    }

    /// As [`Self::send`], for a form: on success the form is reset, so it is ready for the
    /// next one and a second click does not submit the same thing twice.
    pub fn submit(
        &self,
        event: &SubmitEvent,
        variables: M::Variables,
        then: impl FnOnce(Result<(), ApiError>) + 'static,
    ) {
        event.prevent_default();
        self.runner.send(api::body::<M>(variables), event.target_dyn_into(), Box::new(then));
    }
}

/// The part of a mutation that does not depend on its type.
#[derive(Clone, PartialEq)]
struct Runner {
    token: Option<String>,
    pending: UseStateHandle<bool>,
    error: UseStateHandle<Option<ApiError>>,
}

impl Runner {
    fn start(&self) {
        self.pending.set(true);
    }

    fn finish(&self, error: Option<&ApiError>) {
        self.pending.set(false);
        self.error.set(error.cloned());
    }

    fn send(
        &self,
        body: Result<String, ApiError>,
        form: Option<web_sys::HtmlFormElement>,
        then: Box<dyn FnOnce(Result<(), ApiError>)>,
    ) {
        let runner = self.clone();
        runner.start();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::run_untyped(runner.token.as_deref(), body).await;
            if let (Ok(_), Some(f)) = (&answer, form) {
                f.reset();
            }
            runner.finish(answer.as_ref().err());
            then(answer);
        });
    }
}

/// What the last action on a page did: its message, or the error.
#[derive(Clone, PartialEq)]
pub struct Outcome(UseStateHandle<Option<Result<String, ApiError>>>);

#[hook]
pub fn use_outcome() -> Outcome {
    Outcome(use_state(|| None))
}

impl Outcome {
    pub fn set(&self, outcome: Result<String, ApiError>) {
        self.0.set(Some(outcome));
    }

    /// Reports a finished change (`done`, or its error), then reloads the page's data.
    pub fn then_reload(
        &self,
        done: impl Into<String>,
        reload: &Callback<()>,
    ) -> impl FnOnce(Result<(), ApiError>) + 'static {
        let (outcome, done, reload) = (self.clone(), done.into(), reload.clone());
        move |r| {
            outcome.set(r.map(|_| done));
            reload.emit(());
        }
    }

    /// Shows an error, or clears the line when there is none.
    pub fn set_error(&self, error: Option<ApiError>) {
        self.0.set(error.map(Err));
    }

    /// Reports a change only if it failed, then reloads the page's data.
    pub fn error_then_reload(&self, reload: &Callback<()>) -> impl FnOnce(Result<(), ApiError>) + 'static {
        let (outcome, reload) = (self.clone(), reload.clone());
        move |r| {
            if let Err(e) = r {
                outcome.set(Err(e));
            }
            reload.emit(());
        }
    }

    /// The outcome as a status line (or an alert) for screen readers too.
    pub fn view(&self) -> Html {
        match &*self.0 {
            Some(Ok(m)) => html! { <p class="ok" role="status">{ m }</p> },
            Some(Err(e)) => html! { <p class="error" role="alert">{ e.words() }</p> },
            None => html! {},
        }
    }
}

/// `N` node refs that stay the same across renders: one hook for a form's fields.
#[hook]
pub fn use_node_refs<const N: usize>() -> [NodeRef; N] {
    (*use_memo((), |_| std::array::from_fn(|_| NodeRef::default()))).clone()
}
