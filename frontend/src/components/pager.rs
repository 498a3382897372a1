//! Paging through a connection: [`use_pages`] keeps the cursor of the page shown and of the
//! pages before it; [`Pager`] offers "Previous" and "Next" (and nothing when all fits on one
//! page).

use yew::prelude::*;

/// Where a paged list is: the `after` cursor of the page shown, and those of the pages before.
#[derive(Clone, PartialEq)]
pub struct Pages {
    after: UseStateHandle<Option<String>>,
    before: UseStateHandle<Vec<Option<String>>>,
}

#[hook]
pub fn use_pages() -> Pages {
    Pages { after: use_state(|| None), before: use_state(Vec::new) }
}

impl Pages {
    /// The cursor to ask for the page shown with (`None`: the first page).
    pub fn after(&self) -> Option<String> {
        (*self.after).clone()
    }

    /// Back to the first page (the list's filter changed).
    pub fn reset(&self) {
        self.before.set(Vec::new());
        self.after.set(None);
    }

    fn next(&self, end_cursor: Option<String>) {
        let mut before = (*self.before).clone();
        before.push(self.after());
        self.before.set(before);
        self.after.set(end_cursor);
    }

    fn previous(&self) {
        let mut before = (*self.before).clone();
        let previous = before.pop().flatten();
        self.before.set(before);
        self.after.set(previous);
    }
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub pages: Pages,
    /// The page's `pageInfo.hasNextPage` and `pageInfo.endCursor`.
    pub has_next: bool,
    pub end_cursor: Option<String>,
}

#[function_component(Pager)]
pub fn pager(props: &PagerProps) -> Html {
    let first = props.pages.before.is_empty();
    if first && !props.has_next {
        return html! {};
    }
    let next = {
        let (pages, end) = (props.pages.clone(), props.end_cursor.clone());
        Callback::from(move |_| pages.next(end.clone()))
    };
    let previous = {
        let pages = props.pages.clone();
        Callback::from(move |_| pages.previous())
    };
    html! {
        <div class="pager">
            <button class="secondary" disabled={first} onclick={previous}>{ "Previous" }</button>
            <button class="secondary" disabled={!props.has_next} onclick={next}>{ "Next" }</button>
        </div>
    }
}
