//! The live feed: one GraphQL-over-WebSocket connection per signed-in session (the
//! `graphql-transport-ws` protocol, `Live.events`), shared by every page through
//! [`LiveProvider`]. A page calls [`use_refetch_on`] to reload what it shows when an event of
//! its kinds arrives. A lost connection comes back by itself, with backoff, and resumes after
//! the last cursor it saw, so nothing that happened meanwhile is missed.

use crate::SessionHandle;
use crate::queries::{LiveEvents, live_events};
use futures_lite::StreamExt;
use graphql_ws_client::Client;
use graphql_ws_client::graphql::StreamingOperation;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use yew::prelude::*;

/// How often the client pings; the server closes a connection silent for 60 s.
const KEEPALIVE: Duration = Duration::from_secs(20);
/// The longest wait between two attempts to connect, in milliseconds.
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// A connection that lived this long was healthy: the next attempt starts the backoff afresh.
const HEALTHY_MS: f64 = 10_000.0;

/// What the live feed brought so far: how many events of each type (by code, e.g.
/// `support_request.commented`), and how often the connection came back with no cursor to
/// resume from (pages reload then, as something may have happened while it was down).
#[derive(Clone, Default, PartialEq)]
pub struct LiveFeed {
    counts: BTreeMap<String, u32>,
    resyncs: u32,
}

/// What moves the feed on.
pub enum Change {
    Event(String),
    Resync,
}

impl Reducible for LiveFeed {
    type Action = Change;

    fn reduce(self: Rc<Self>, action: Change) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Change::Event(code) => *next.counts.entry(code).or_default() += 1,
            Change::Resync => next.resyncs += 1,
        }
        Rc::new(next)
    }
}

impl LiveFeed {
    /// How many events of `kinds` arrived (a kind is a type code, `support_request.commented`,
    /// or its family, `support_request`; every event when `kinds` is empty), resyncs included:
    /// a number that moves whenever a page showing those kinds should reload.
    fn matching(&self, kinds: &[&str]) -> u32 {
        let wanted = |code: &str| {
            kinds.is_empty()
                || kinds
                    .iter()
                    .any(|k| code == *k || code.strip_prefix(k).is_some_and(|r| r.starts_with('.')))
        };
        self.resyncs + self.counts.iter().filter(|(c, _)| wanted(c)).map(|(_, n)| n).sum::<u32>()
    }
}

type LiveHandle = UseReducerHandle<LiveFeed>;

#[derive(Properties, PartialEq)]
pub struct ProviderProps {
    pub children: Html,
}

/// Holds the session's live connection (none while signed out or only enrolling in MFA) and
/// shares what it brings with the pages inside.
#[function_component(LiveProvider)]
pub fn live_provider(props: &ProviderProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let feed = use_reducer(LiveFeed::default);
    let token = session.as_ref().filter(|s| !s.enrol_only).map(|s| s.token.clone());
    {
        let feed = feed.dispatcher();
        use_effect_with(token, move |token| {
            // Dropping `stop` (another session, or none) ends the connection.
            let stop = token.clone().map(|token| {
                let (stop, stopped) = futures_channel::oneshot::channel::<()>();
                let stopped = async move {
                    let _ = stopped.await;
                };
                wasm_bindgen_futures::spawn_local(futures_lite::future::or(follow(token, feed), stopped));
                stop
            });
            move || drop(stop)
        });
    }
    html! {
        <ContextProvider<LiveHandle> context={feed}>{ props.children.clone() }</ContextProvider<LiveHandle>>
    }
}

/// A number that moves on each live event of `kinds` (see [`LiveFeed::matching`]).
#[hook]
pub fn use_live_events(kinds: &'static [&'static str]) -> u32 {
    use_context::<LiveHandle>().map(|f| f.matching(kinds)).unwrap_or(0)
}

/// Reloads (through `reload`) when events of `kinds` arrive; a burst of them is one reload.
/// What the user is typing stays: pages keep their data on screen while reloading.
#[hook]
pub fn use_refetch_on(kinds: &'static [&'static str], reload: &Callback<()>) {
    let count = use_live_events(kinds);
    let seen = use_mut_ref(|| count);
    // Dropped with the page, which cancels a reload not yet made.
    let pending = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let reload = reload.clone();
    use_effect_with(count, move |count| {
        if *seen.borrow() != *count {
            *seen.borrow_mut() = *count;
            *pending.borrow_mut() = Some(gloo_timers::callback::Timeout::new(150, move || reload.emit(())));
        }
    });
}

/// Follows the feed for as long as it runs: connects, passes each event on, and after a loss
/// connects again (with backoff), resuming after the last cursor seen.
async fn follow(token: String, feed: UseReducerDispatcher<LiveFeed>) {
    let mut after: Option<String> = None;
    let mut attempts = 0u32;
    let mut connected_before = false;
    loop {
        let began = js_sys::Date::now();
        if let Ok(mut events) = subscribe(&token, after.clone()).await {
            if connected_before && after.is_none() {
                feed.dispatch(Change::Resync);
            }
            connected_before = true;
            while let Some(Ok(answer)) = events.next().await {
                match answer.data {
                    Some(d) => {
                        after = Some(d.events.cursor);
                        feed.dispatch(Change::Event(d.events.type_code));
                    }
                    // Refused (a cursor no longer valid): start again from now.
                    None => {
                        after = None;
                        break;
                    }
                }
            }
        }
        attempts = if js_sys::Date::now() - began > HEALTHY_MS { 0 } else { attempts + 1 };
        // 1 s, 2 s, 4 s … up to 30 s, less a random part so many tabs do not come back at once.
        let backoff = (1000.0 * 2f64.powi(attempts.min(5) as i32)).min(MAX_BACKOFF_MS);
        let wait = backoff * (0.5 + js_sys::Math::random() / 2.0);
        gloo_timers::future::TimeoutFuture::new(wait as u32).await;
    }
}

/// `connection_init`'s payload: the session's token.
#[derive(serde::Serialize)]
struct Init<'a> {
    token: &'a str,
}

/// Opens a connection and starts the one subscription it carries.
async fn subscribe(
    token: &str,
    after: Option<String>,
) -> Result<graphql_ws_client::Subscription<StreamingOperation<LiveEvents>>, ()> {
    let socket =
        ws_stream_wasm::WsMeta::connect(url(), Some(vec!["graphql-transport-ws"])).await.map_err(drop)?;
    let connection = graphql_ws_client::ws_stream_wasm::Connection::new(socket).await;
    Client::build(connection)
        .payload(Init { token })
        .map_err(drop)?
        .keep_alive_interval(KEEPALIVE)
        .subscribe(StreamingOperation::<LiveEvents>::new(live_events::Variables { after }))
        .await
        .map_err(drop)
}

/// `/graphql` on this page's host, over `wss:` when the page came over `https:`.
fn url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let (protocol, host) = location
        .map(|l| (l.protocol().unwrap_or_default(), l.host().unwrap_or_default()))
        .unwrap_or_default();
    let scheme = if protocol == "https:" { "wss:" } else { "ws:" };
    format!("{scheme}//{host}/graphql")
}
