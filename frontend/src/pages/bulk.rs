//! One bulk operation at `/bulk/:id`: a progress bar, the counts, each failure with its reason
//! (in words for its code), "Retry failed" and, while it runs, "Cancel". Progress arrives live
//! from the feed (the items' own delegated admin and invitation events), with a 2 s poll while
//! it runs in case the feed is away. Recent operations are listed below.

use crate::components::{ConfirmButton, show};
use crate::hooks::{Load, use_mutation, use_outcome, use_query};
use crate::i18n::date_time;
use crate::live::use_refetch_on;
use crate::queries::*;
use crate::route::{IdProps, Route};
use crate::t;
use crate::text::{capitalized, words};
use bulk_operation_page::BulkOperationPageNode as On;
use yew::prelude::*;
use yew_router::prelude::*;

/// A failure's reason: the catalog's words for its code when it has them, else the API's.
pub fn failure_words(code: Option<&str>, reason: Option<&str>) -> String {
    let key = code.map(|c| format!("error-{c}"));
    match key {
        Some(k) if crate::i18n::has(&k) => crate::i18n::message(&k, None),
        _ => reason.unwrap_or_default().to_owned(),
    }
}

#[function_component(BulkPage)]
pub fn bulk_page(props: &IdProps) -> Html {
    let (state, reload) =
        use_query::<BulkOperationPage>(bulk_operation_page::Variables { id: props.id.clone() });
    use_refetch_on(&["delegated_admin", "invitation"], &reload);
    let running = matches!(&*state, Load::Ready(d) if matches!(d.node.as_ref(),
        Some(On::BulkOperation(op)) if op.status == bulk_operation_page::BulkStatus::RUNNING));
    {
        // The safety net: a poll every 2 s while it runs.
        let reload = reload.clone();
        use_effect_with(running, move |running| {
            let timer = running.then(|| gloo_timers::callback::Interval::new(2_000, move || reload.emit(())));
            move || drop(timer)
        });
    }
    let outcome = use_outcome();
    let cancel = use_mutation::<CancelBulkOperation>();
    let retry = use_mutation::<RetryFailedItems>();
    let on_cancel = {
        let (cancel, outcome, reload, id) =
            (cancel.clone(), outcome.clone(), reload.clone(), props.id.clone());
        Callback::from(move |_| {
            let input = cancel_bulk_operation::BulkOperationIdInput { id: id.clone() };
            cancel.send(
                cancel_bulk_operation::Variables { input },
                outcome.then_reload(t!("bulk-cancelled"), &reload),
            );
        })
    };
    let on_retry = {
        let (retry, outcome, reload, id) = (retry.clone(), outcome.clone(), reload.clone(), props.id.clone());
        Callback::from(move |_| {
            let input = retry_failed_items::BulkOperationIdInput { id: id.clone() };
            retry.send(
                retry_failed_items::Variables { input },
                outcome.then_reload(t!("bulk-retrying"), &reload),
            );
        })
    };
    let body = show(&*state, |data| {
        let Some(On::BulkOperation(op)) = data.node.as_ref() else {
            return html! { <p class="error" role="alert">{ t!("bulk-not-found") }</p> };
        };
        let p = &op.progress;
        let done = p.total - p.pending;
        html! {
            <>
            <p>
                <strong class="bulk-status">{ capitalized(&words(&op.status)) }</strong>
                { format!(" · {} · {}", capitalized(&words(&op.kind)), date_time(&op.created_at)) }
            </p>
            <progress max={p.total.to_string()} value={done.to_string()} aria-label={t!("bulk-progress")}>
                { format!("{done}/{}", p.total) }
            </progress>
            <p class="bulk-counts" role="status">{ t!("bulk-counts", done = done, total = p.total, succeeded = p.succeeded, failed = p.failed, skipped = p.skipped) }</p>
            <div class="actions">
                if running {
                    <ConfirmButton label={t!("bulk-cancel")} title={t!("bulk-cancel-title")}
                        consequence={t!("bulk-cancel-consequence", n = p.pending)} confirm={t!("bulk-cancel-confirm")}
                        onconfirm={on_cancel.clone()} disabled={cancel.pending()} />
                }
                if p.failed > 0 {
                    <button type="button" onclick={on_retry.clone()} disabled={retry.pending()}>{ t!("bulk-retry-failed") }</button>
                }
            </div>
            if !op.failures.edges.is_empty() {
                <h2>{ t!("bulk-failures") }</h2>
                <table class="bulk-failures">
                    <thead><tr><th scope="col">{ t!("bulk-customer") }</th><th scope="col">{ t!("bulk-reason") }</th></tr></thead>
                    <tbody>
                    { for op.failures.edges.iter().map(|e| {
                        let i = &e.node;
                        html! { <tr>
                            <td data-label={t!("bulk-customer")}>{ i.customer.as_ref().map(|c| c.name.clone()).unwrap_or_default() }</td>
                            <td data-label={t!("bulk-reason")}>{ failure_words(i.code.as_deref(), i.reason.as_deref()) }</td>
                        </tr> }
                    }) }
                    </tbody>
                </table>
            }
            </>
        }
    });
    html! {
        <section aria-labelledby="bulk-title">
            <h1 id="bulk-title">{ t!("bulk-title") }</h1>
            { outcome.view() }
            { body }
            <RecentBulkOperations />
        </section>
    }
}

/// The viewer's organization's latest bulk operations, each linking to its page.
#[function_component(RecentBulkOperations)]
pub fn recent_bulk_operations() -> Html {
    let (state, _) = use_query::<BulkOperations>(bulk_operations::Variables {});
    let list = show(&*state, |data| {
        let ops = &data.bulk_operations.edges;
        if ops.is_empty() {
            return html! { <p class="muted">{ t!("bulk-none-yet") }</p> };
        }
        html! { <ul class="bulk-recent">
            { for ops.iter().map(|e| {
                let o = &e.node;
                html! { <li>
                    <Link<Route> to={Route::Bulk { id: o.id.clone() }}>{ capitalized(&words(&o.kind)) }</Link<Route>>
                    { format!(" · {} · {} · {}", words(&o.status), date_time(&o.created_at),
                        t!("bulk-recent-counts", succeeded = o.progress.succeeded, failed = o.progress.failed, total = o.progress.total)) }
                </li> }
            }) }
        </ul> }
    });
    html! {
        <section aria-labelledby="bulk-recent-title">
            <h2 id="bulk-recent-title">{ t!("bulk-recent") }</h2>
            { list }
        </section>
    }
}
