//! The pages.

pub mod channels;
pub mod delegated;
pub mod lists;
pub mod more;
pub mod orders;
pub mod support;

use crate::SessionHandle;
use crate::api::{self, ApiError};
use crate::components::{Load, SignInForm, channel_badge, name, show, words};
use crate::queries::{self, *};
use crate::route::Route;
use graphql_client::GraphQLQuery;
use yew::prelude::*;
use yew_router::prelude::*;

pub(crate) fn session_token(session: &SessionHandle) -> Option<String> {
    session.as_ref().map(|s| s.token.clone())
}

/// Loads a query into `state`; on UNAUTHENTICATED the session is dropped so the app asks to sign in.
/// A page already shown stays on screen while it reloads (no flicker, and the forms and messages
/// inside it stay where they are).
pub(crate) fn load<Q: GraphQLQuery + 'static>(
    session: SessionHandle,
    variables: Q::Variables,
    state: UseStateHandle<Load<Q::ResponseData>>,
) where
    Q::ResponseData: 'static,
    Q::Variables: 'static,
{
    if !matches!(*state, Load::Ready(_)) {
        state.set(Load::Loading);
    }
    let token = session_token(&session);
    wasm_bindgen_futures::spawn_local(async move {
        match api::run::<Q>(token.as_deref(), variables).await {
            Ok(data) => state.set(Load::Ready(data)),
            Err(e) => {
                if e.code == "UNAUTHENTICATED" {
                    session.set(None);
                }
                state.set(Load::Failed(e))
            }
        }
    });
}

/// What the last action on a page did: its message, or the error.
pub(crate) type Outcome = UseStateHandle<Option<Result<String, ApiError>>>;

/// The outcome as a status line (or an alert) for screen readers too.
pub(crate) fn outcome_view(outcome: &Option<Result<String, ApiError>>) -> Html {
    match outcome {
        Some(Ok(m)) => html! { <p class="ok" role="status">{ m }</p> },
        Some(Err(e)) => html! { <p class="error" role="alert">{ e.words() }</p> },
        None => html! {},
    }
}

/// A fresh value for a page's `reload` counter (two actions from one render both count).
pub(crate) fn next_reload() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static RELOADS: AtomicU32 = AtomicU32::new(1);
    RELOADS.fetch_add(1, Ordering::Relaxed)
}

/// Runs a mutation; shows `done` (or the error in words) and reloads the page's data.
pub(crate) fn mutate<Q: GraphQLQuery + 'static>(
    token: Option<String>,
    variables: Q::Variables,
    outcome: Outcome,
    reload: UseStateHandle<u32>,
    done: String,
) where
    Q::Variables: 'static,
{
    run_mutation::<Q>(token, variables, outcome, reload, done, None);
}

/// Like [`mutate`], for a form: on success the form is reset, so it is ready for the next one
/// and a second click does not submit the same thing twice.
pub(crate) fn submit<Q: GraphQLQuery + 'static>(
    e: &SubmitEvent,
    token: Option<String>,
    variables: Q::Variables,
    outcome: Outcome,
    reload: UseStateHandle<u32>,
    done: String,
) where
    Q::Variables: 'static,
{
    e.prevent_default();
    run_mutation::<Q>(token, variables, outcome, reload, done, e.target_dyn_into());
}

fn run_mutation<Q: GraphQLQuery + 'static>(
    token: Option<String>,
    variables: Q::Variables,
    outcome: Outcome,
    reload: UseStateHandle<u32>,
    done: String,
    form: Option<web_sys::HtmlFormElement>,
) where
    Q::Variables: 'static,
{
    wasm_bindgen_futures::spawn_local(async move {
        let r = api::run_unit::<Q>(token.as_deref(), variables).await;
        if let (Ok(_), Some(f)) = (&r, form) {
            f.reset();
        }
        outcome.set(Some(r.map(|_| done)));
        reload.set(next_reload());
    });
}

/// `N` node refs that stay the same across renders: one hook for a form's fields.
#[hook]
pub(crate) fn use_node_refs<const N: usize>() -> [NodeRef; N] {
    (*use_memo((), |_| std::array::from_fn(|_| NodeRef::default()))).clone()
}

/// The value of an input, select or textarea.
pub(crate) fn field_value(r: &NodeRef) -> String {
    r.cast::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| r.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()))
        .or_else(|| r.cast::<web_sys::HtmlTextAreaElement>().map(|t| t.value()))
        .unwrap_or_default()
}

/// A field's value, or what its placeholder promised when left empty.
pub(crate) fn or_default(value: String, default: &str) -> String {
    if value.trim().is_empty() { default.to_owned() } else { value }
}

/// Whether a checkbox is ticked.
pub(crate) fn checked(r: &NodeRef) -> bool {
    r.cast::<web_sys::HtmlInputElement>().map(|i| i.checked()).unwrap_or(false)
}

/// The date part of an RFC 3339 timestamp.
pub(crate) fn date(s: &str) -> &str {
    &s[..10.min(s.len())]
}

#[function_component(SignInPage)]
pub fn sign_in_page() -> Html {
    let navigator = use_navigator().expect("router");
    let done = Callback::from(move |_| navigator.push(&Route::Home));
    html! { <SignInForm on_signed_in={done} /> }
}

/// Home: a partner's book, the operator's customers; a customer goes to its channel map.
#[function_component(Home)]
pub fn home() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    match &*session {
        None => html! { <SignInForm /> },
        Some(s) if s.kind == "CUSTOMER" => {
            html! { <Redirect<Route> to={Route::Customer { id: s.organization_id.clone() }} /> }
        }
        Some(_) => html! { <BookPage /> },
    }
}

/// The multi-channel book: every customer served through any channel.
#[function_component(BookPage)]
pub fn book_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<book::ResponseData>::Loading);
    let search = use_state(String::new);
    // Cursors of the pages before the current one, for "Previous".
    let cursors = use_state(Vec::<Option<String>>::new);
    let after = use_state(|| None::<String>);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with(((*search).clone(), (*after).clone()), move |(search, after)| {
            let search = (!search.is_empty()).then(|| search.clone());
            load::<Book>(session, book::Variables { search, first: Some(20), after: after.clone() }, state);
        });
    }
    let on_search = {
        let (search, after, cursors) = (search.clone(), after.clone(), cursors.clone());
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            cursors.set(Vec::new());
            after.set(None);
            search.set(input.value());
        })
    };
    let body = show(&*state, |data| {
        let c = &data.customers;
        let next = {
            let (after, cursors, end) = (after.clone(), cursors.clone(), c.page_info.end_cursor.clone());
            Callback::from(move |_| {
                let mut stack = (*cursors).clone();
                stack.push((*after).clone());
                cursors.set(stack);
                after.set(end.clone());
            })
        };
        let previous = {
            let (after, cursors) = (after.clone(), cursors.clone());
            Callback::from(move |_| {
                let mut stack = (*cursors).clone();
                let prev = stack.pop().flatten();
                cursors.set(stack);
                after.set(prev);
            })
        };
        if c.edges.is_empty() {
            return html! { <p class="muted">{ "No customers match." }</p> };
        }
        html! {
            <>
            <p class="muted">{ format!("{} customers", c.total_count) }</p>
            <table>
                <caption class="sr-only">{ "Customers" }</caption>
                <thead><tr><th scope="col">{ "Customer" }</th><th scope="col">{ "Relationship" }</th><th scope="col">{ "Delegated roles" }</th><th scope="col">{ "Subscriptions by channel" }</th></tr></thead>
                <tbody>
                { for c.edges.iter().map(|e| {
                    let n = &e.node;
                    html! {
                        <tr>
                            <td><Link<Route> to={Route::Customer { id: n.id.clone() }}>{ &n.name }</Link<Route>><br/><span class="muted">{ &n.primary_domain }</span></td>
                            <td>{ n.viewer_relationship_kinds.iter().map(words).collect::<Vec<_>>().join(", ") }</td>
                            <td>{ for n.viewer_delegated_admin_relationships.iter().map(|d| html! {
                                <div class={classes!(d.expires_soon.then_some("expiring"))}>
                                    { d.roles.iter().map(words).collect::<Vec<_>>().join(", ") }
                                    { format!(" · {}", d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }
                                    if d.expires_soon { <strong>{ " · expires soon" }</strong> }
                                </div>
                            }) }</td>
                            <td>{ for n.subscription_counts.iter().map(|c| html! { <span class="count">{ channel_badge(&name(&c.channel)) }{ format!(" {}", c.count) }</span> }) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            <div class="pager">
                <button class="secondary" disabled={cursors.is_empty()} onclick={previous}>{ "Previous" }</button>
                <button class="secondary" disabled={!c.page_info.has_next_page} onclick={next}>{ "Next" }</button>
            </div>
            </>
        }
    });
    html! {
        <section aria-labelledby="book-title">
            <h1 id="book-title">{ "Customers" }</h1>
            <label for="search">{ "Search by name or domain" }</label>
            <input id="search" type="search" value={(*search).clone()} oninput={on_search} />
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct IdProps {
    pub id: String,
}

fn stage(p: &Option<String>, operator: bool, delegated: bool) -> Html {
    let name = if operator { "21Vianet (operator)".to_owned() } else { p.clone().unwrap_or_default() };
    html! { <>{ name }if delegated { <span class="badge multi" title="Handed to this partner by the customer">{ "multi-channel" }</span> }</> }
}

/// A customer's channel map.
#[function_component(CustomerPage)]
pub fn customer_page(props: &IdProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<channel_map::ResponseData>::Loading);
    let outcome: Outcome = use_state(|| None);
    let reload = use_state(|| 0u32);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((props.id.clone(), *reload, session.is_some()), move |(id, _, signed_in)| {
            if *signed_in {
                load::<queries::ChannelMap>(
                    session,
                    channel_map::Variables { customer_id: id.clone() },
                    state,
                );
            }
        });
    }
    let Some(viewer) = (*session).clone() else { return html! { <SignInForm /> } };
    let on_ordered = {
        let (outcome, reload) = (outcome.clone(), reload.clone());
        Callback::from(move |name: String| {
            outcome.set(Some(Ok(format!("Ordered: {name}."))));
            reload.set(next_reload());
        })
    };
    show(&*state, |data| {
        let m = &data.channel_map;
        html! {
            <section aria-labelledby="map-title">
                <h1 id="map-title">{ &m.customer.name }</h1>
                <p class="muted">{ format!("{} · {}", m.customer.primary_domain, m.customer.country) }</p>
                <h2>{ "Channel map" }</h2>
                { outcome_view(&outcome) }
                if viewer.kind != "CUSTOMER" {
                    <orders::OrderForm customer_id={m.customer.id.clone()} on_ordered={on_ordered.clone()} />
                }
                if m.services.is_empty() { <p class="muted">{ "No subscriptions you can see." }</p> }
                { for m.services.iter().map(|s| html! {
                    <div class="service">
                        <h3>{ &s.service.name }</h3>
                        <table>
                            <thead><tr><th scope="col">{ "Subscription" }</th><th scope="col">{ "Channel" }</th><th scope="col">{ "Partner of record" }</th><th scope="col">{ "Reseller" }</th><th scope="col">{ "Provisioning" }</th><th scope="col">{ "Support" }</th></tr></thead>
                            <tbody>{ for s.subscriptions.iter().map(|x| html! {
                                <tr>
                                    <td><Link<Route> to={Route::Subscription { id: x.id.clone() }}>{ &x.friendly_name }</Link<Route>><br/><span class="muted">{ format!("{} · {}/{} seats", words(&x.status), x.assigned_seats, x.quantity) }</span></td>
                                    <td>{ channel_badge(&name(&x.purchase_channel)) }</td>
                                    <td>{ x.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into()) }</td>
                                    <td>{ x.indirect_reseller.as_ref().map(|p| p.name.clone()).unwrap_or_default() }</td>
                                    <td>{ stage(&x.provisioning.partner.as_ref().map(|p| p.name.clone()), x.provisioning.served_by_operator, x.provisioning.delegated) }</td>
                                    <td>{ stage(&x.support.partner.as_ref().map(|p| p.name.clone()), x.support.served_by_operator, x.support.delegated) }</td>
                                </tr>
                            }) }</tbody>
                        </table>
                    </div>
                }) }
                <h2>{ "Partners" }</h2>
                <p><Link<Route> to={Route::Relationships}>{ "Manage reseller relationships" }</Link<Route>></p>
                if m.partners.is_empty() { <p class="muted">{ "No partners." }</p> }
                <ul class="partners">{ for m.partners.iter().map(|p| html! {
                    <li>
                        <strong>{ &p.partner.name }</strong>
                        { if p.relationship_kinds.is_empty() { " · delegated rights only".to_owned() } else { format!(" · {}", p.relationship_kinds.iter().map(words).collect::<Vec<_>>().join(", ")) } }
                        <ul>{ for p.delegated_admin_relationships.iter().map(|d| html! {
                            <li class={classes!(d.expires_soon.then_some("expiring"))}>
                                { format!("{} — {} for {} ({})", d.display_name, d.roles.iter().map(words).collect::<Vec<_>>().join(", "),
                                    d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "), words(&d.status)) }
                                { d.ends_at.as_ref().map(|e| format!(", ends {}", &e[..10.min(e.len())])).unwrap_or_default() }
                            </li>
                        }) }</ul>
                    </li>
                }) }</ul>
            </section>
        }
    })
}

/// A subscription mutation, run with the token, the subscription id and the seats field.
type Operation = std::rc::Rc<
    dyn Fn(
        Option<String>,
        String,
        i64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>,
>;

/// One action button: enabled when `viewerCan` allows it, else disabled with its reason shown.
fn action(label: &str, allowed: bool, reason: &Option<String>, onclick: Callback<MouseEvent>) -> Html {
    let id = format!("why-{}", label.to_ascii_lowercase().replace(' ', "-"));
    html! {
        <div class="action">
            <button {onclick} disabled={!allowed} aria-describedby={(!allowed).then(|| id.clone())}>{ label }</button>
            if !allowed { <span class="reason" id={id}>{ reason.clone().unwrap_or_default() }</span> }
        </div>
    }
}

/// A subscription with the actions the viewer may take.
#[function_component(SubscriptionPage)]
pub fn subscription_page(props: &IdProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<subscription_page::ResponseData>::Loading);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let reload = use_state(|| 0u32);
    let seats = use_node_ref();
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((props.id.clone(), *reload, session.is_some()), move |(id, _, signed_in)| {
            if *signed_in {
                load::<queries::SubscriptionPage>(
                    session,
                    subscription_page::Variables { id: id.clone() },
                    state,
                );
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let token = session_token(&session);
    let id = props.id.clone();
    // Runs one mutation, then shows what happened and reloads.
    let act = |label: &'static str, op: Operation| {
        let (token, id, outcome, reload, seats) =
            (token.clone(), id.clone(), outcome.clone(), reload.clone(), seats.clone());
        Callback::from(move |_| {
            let n = seats
                .cast::<web_sys::HtmlInputElement>()
                .and_then(|i| i.value().parse::<i64>().ok())
                .unwrap_or(1);
            let (op, token, id, outcome, reload) =
                (op.clone(), token.clone(), id.clone(), outcome.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = op(token, id, n).await;
                outcome.set(Some(r.map(|_| format!("{label}: done."))));
                reload.set(next_reload());
            });
        })
    };
    macro_rules! op {
        ($q:ident, $m:ident, |$id:ident, $n:ident| $input:expr) => {
            std::rc::Rc::new(move |token: Option<String>, $id: String, $n: i64| {
                Box::pin(async move {
                    let _ = $n;
                    api::run_unit::<$q>(token.as_deref(), $m::Variables { input: $input }).await
                }) as std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>
            })
        };
    }
    let body = show(&*state, |data| {
        let s = &data.subscription;
        let can = &s.viewer_can;
        let seat_count = html! { <><label for="seats">{ "Seats" }</label><input id="seats" type="number" min="1" placeholder="1" ref={seats.clone()} /></> };
        html! {
            <section aria-labelledby="sub-title">
                <p><Link<Route> to={Route::Customer { id: s.customer.id.clone() }}>{ format!("← {}", s.customer.name) }</Link<Route>></p>
                <h1 id="sub-title">{ &s.friendly_name }</h1>
                <p>{ channel_badge(&name(&s.purchase_channel)) }{ format!(" {} · {} · {}", s.offer.service.name, s.offer.name, words(&s.status)) }</p>
                <dl class="facts">
                    <dt>{ "Partner of record" }</dt><dd>{ s.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into()) }</dd>
                    if let Some(r) = &s.indirect_reseller { <dt>{ "Indirect reseller" }</dt><dd>{ &r.name }</dd> }
                    <dt>{ "Seats" }</dt><dd>{ format!("{} assigned of {} ({} free)", s.assigned_seats, s.quantity, s.available_seats) }</dd>
                    <dt>{ "Term" }</dt><dd>{ format!("{}, {} to {}, auto-renew {}", name(&s.term_duration), s.effective_start, s.commitment_end, if s.auto_renew { "on" } else { "off" }) }</dd>
                    if let Some(d) = &s.data_deletion_date { <dt>{ "Data deleted on" }</dt><dd class="warning">{ &d[..10.min(d.len())] }</dd> }
                    { for s.service_partners.iter().map(|p| html! { <><dt>{ format!("{} partner", words(&p.stage)) }</dt><dd>{ stage(&p.partner.as_ref().map(|x| x.name.clone()), p.served_by_operator, p.delegated) }</dd></> }) }
                </dl>
                <h2>{ "Actions" }</h2>
                { seat_count }
                <div class="actions">
                    { action("Assign seats", can.assign_seats.allowed, &can.assign_seats.reason, act("Assign seats", op!(AssignSeats, assign_seats, |id, n| assign_seats::SeatsInput { subscription_id: id, seats: n }))) }
                    { action("Unassign seats", can.unassign_seats.allowed, &can.unassign_seats.reason, act("Unassign seats", op!(UnassignSeats, unassign_seats, |id, n| unassign_seats::SeatsInput { subscription_id: id, seats: n }))) }
                    { action("Set quantity", can.change_quantity.allowed, &can.change_quantity.reason, act("Set quantity", op!(ChangeQuantity, change_quantity, |id, n| change_quantity::ChangeSubscriptionQuantityInput { subscription_id: id, quantity: n }))) }
                    { action(if s.auto_renew { "Turn auto-renew off" } else { "Turn auto-renew on" }, can.set_auto_renew.allowed, &can.set_auto_renew.reason, {
                        let on = !s.auto_renew;
                        act("Auto-renew", op!(SetAutoRenew, set_auto_renew, |id, n| set_auto_renew::SetSubscriptionAutoRenewInput { subscription_id: id, auto_renew: on }))
                    }) }
                    { action("Suspend", can.suspend.allowed, &can.suspend.reason, act("Suspend", op!(Suspend, suspend, |id, n| suspend::SubscriptionIdInput { subscription_id: id }))) }
                    { action("Reactivate", can.reactivate.allowed, &can.reactivate.reason, act("Reactivate", op!(Reactivate, reactivate, |id, n| reactivate::SubscriptionIdInput { subscription_id: id }))) }
                    { action("Cancel", can.cancel.allowed, &can.cancel.reason, act("Cancel", op!(Cancel, cancel, |id, n| cancel::SubscriptionIdInput { subscription_id: id }))) }
                </div>
                if can.open_support_request.allowed {
                    <p><Link<Route> to={Route::Support}>{ "Open a support request" }</Link<Route>></p>
                } else {
                    <p class="muted">{ format!("Support requests: {}", can.open_support_request.reason.clone().unwrap_or_default()) }</p>
                }
                if can.assign_service_partner.allowed {
                    <lists::StageAssignment subscription_id={s.id.clone()} customer_id={s.customer.id.clone()} service={s.offer.service.name.clone()} on_done={Callback::from({ let reload = reload.clone(); move |_| reload.set(next_reload()) })} />
                }
            </section>
        }
    });
    html! {
        <>
        { body }
        { match &*outcome {
            Some(Ok(m)) => html! { <p class="ok" role="status">{ m }</p> },
            Some(Err(e)) => html! { <p class="error" role="alert">{ e.words() }</p> },
            None => html! {},
        } }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct CodeProps {
    pub code: String,
}

/// The page a customer opens from an invitation link.
#[function_component(InvitationLanding)]
pub fn invitation_landing(props: &CodeProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<invitation_preview::ResponseData>::Loading);
    let error = use_state(|| None::<String>);
    let navigator = use_navigator().expect("router");
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((props.code.clone(), session.is_some()), move |(code, signed_in)| {
            if *signed_in {
                load::<InvitationPreview>(
                    session,
                    invitation_preview::Variables { code: code.clone() },
                    state,
                );
            }
        });
    }
    if session.is_none() {
        return html! {
            <>
            <p class="card narrow">{ "You were sent an invitation. Sign in as your organization's global admin to review it." }</p>
            <SignInForm />
            </>
        };
    }
    let respond = |accept: bool| {
        let (token, code, error, navigator) =
            (session_token(&session), props.code.clone(), error.clone(), navigator.clone());
        Callback::from(move |_| {
            let (token, code, error, navigator) =
                (token.clone(), code.clone(), error.clone(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = if accept {
                    api::run::<AcceptInvitation>(
                        token.as_deref(),
                        accept_invitation::Variables {
                            input: accept_invitation::InvitationCodeInput { code, replace_existing: false },
                        },
                    )
                    .await
                    .map(|d| d.accept_invitation.customer.id)
                } else {
                    api::run::<DeclineInvitation>(
                        token.as_deref(),
                        decline_invitation::Variables {
                            input: decline_invitation::InvitationCodeInput { code, replace_existing: false },
                        },
                    )
                    .await
                    .map(|d| d.decline_invitation.customer.id)
                };
                match result {
                    Ok(customer) => navigator.push(&Route::Customer { id: customer }),
                    Err(e) => error.set(Some(e.words())),
                }
            });
        })
    };
    show(&*state, |data| {
        let i = &data.invitation_by_code;
        let pending = i.status == "PENDING";
        html! {
            <section class="card" aria-labelledby="inv-title">
                <h1 id="inv-title">{ format!("{} invites you", i.partner.name) }</h1>
                if !i.message.is_empty() { <blockquote>{ &i.message }</blockquote> }
                <h2>{ "Accepting will" }</h2>
                <ul>{ for i.changes.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
                <p class="muted">{ format!("Status: {} · expires {}", i.status.to_ascii_lowercase(), &i.expires_at[..10.min(i.expires_at.len())]) }</p>
                if pending {
                    <div class="actions">
                        <button onclick={respond(true)}>{ "Accept" }</button>
                        <button class="secondary" onclick={respond(false)}>{ "Decline" }</button>
                    </div>
                }
                if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
            </section>
        }
    })
}
