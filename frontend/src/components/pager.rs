//! A list's state lives in the URL's query string, so a reload or a shared link shows the same
//! list: [`use_list_state`] reads and changes its filters, search and sort; [`use_pages`] keeps
//! the cursor of the page shown and of the pages before it; [`Pager`] offers "Previous" and
//! "Next" (and nothing when all fits on one page); [`SortHeader`] is a column header that sorts;
//! [`SearchBox`] searches as the person types.

use crate::route::Route;
use crate::t;
use gloo_timers::callback::Timeout;
use std::collections::BTreeMap;
use yew::prelude::*;
use yew_router::prelude::*;

/// The query parameters of the page shown (the page's cursor and the cursors before it).
const AFTER: &str = "after";
const BACK: &str = "back";
/// Stands for "the first page" in the list of cursors before.
const FIRST: &str = "~";
/// The sort parameter: a field, or `-field` for the other way.
const SORT: &str = "sort";

/// The list's parameters as they are in the URL, and the way to change them.
#[derive(Clone, PartialEq)]
pub struct ListState {
    params: BTreeMap<String, String>,
    route: Option<Route>,
    navigator: Option<Navigator>,
}

#[hook]
pub fn use_list_state() -> ListState {
    let location = use_location();
    let params = location.and_then(|l| l.query::<BTreeMap<String, String>>().ok()).unwrap_or_default();
    ListState { params, route: use_route::<Route>(), navigator: use_navigator() }
}

impl ListState {
    /// A parameter's value ("" when absent).
    pub fn get(&self, key: &str) -> String {
        self.params.get(key).cloned().unwrap_or_default()
    }

    /// A parameter's value, or `None` when absent or blank.
    pub fn get_opt(&self, key: &str) -> Option<String> {
        self.params.get(key).filter(|v| !v.trim().is_empty()).cloned()
    }

    /// Sets a filter (blank removes it) and goes back to the first page, as a new history entry.
    pub fn set(&self, key: &str, value: &str) {
        self.go(self.with(key, value), false);
    }

    /// As [`Self::set`], replacing the history entry (a search typed letter by letter).
    pub fn replace(&self, key: &str, value: &str) {
        self.go(self.with(key, value), true);
    }

    /// The sort asked for: the field and whether it runs descending.
    pub fn sort(&self) -> Option<(String, bool)> {
        let sort = self.get_opt(SORT)?;
        Some(match sort.strip_prefix('-') {
            Some(field) => (field.to_owned(), true),
            None => (sort, false),
        })
    }

    fn with(&self, key: &str, value: &str) -> BTreeMap<String, String> {
        let mut params = self.params.clone();
        params.remove(AFTER);
        params.remove(BACK);
        if value.trim().is_empty() {
            params.remove(key);
        } else {
            params.insert(key.to_owned(), value.to_owned());
        }
        params
    }

    fn go(&self, params: BTreeMap<String, String>, replace: bool) {
        let (Some(navigator), Some(route)) = (&self.navigator, &self.route) else { return };
        // Serializing a map of strings cannot fail.
        let _ = if replace {
            navigator.replace_with_query(route, &params)
        } else {
            navigator.push_with_query(route, &params)
        };
    }
}

/// Where a paged list is: the `after` cursor of the page shown, and those of the pages before,
/// all in the URL.
#[derive(Clone, PartialEq)]
pub struct Pages {
    list: ListState,
}

#[hook]
pub fn use_pages() -> Pages {
    Pages { list: use_list_state() }
}

impl Pages {
    /// The cursor to ask for the page shown with (`None`: the first page).
    pub fn after(&self) -> Option<String> {
        self.list.get_opt(AFTER)
    }

    /// The list's state (its filters, search and sort).
    pub fn list(&self) -> &ListState {
        &self.list
    }

    fn before(&self) -> Vec<Option<String>> {
        match self.list.get_opt(BACK) {
            None => Vec::new(),
            Some(back) => back.split('.').map(|c| (c != FIRST).then(|| c.to_owned())).collect(),
        }
    }

    fn show(&self, after: Option<String>, before: Vec<Option<String>>) {
        let mut params = self.list.params.clone();
        match after {
            Some(a) => params.insert(AFTER.to_owned(), a),
            None => params.remove(AFTER),
        };
        if before.is_empty() {
            params.remove(BACK);
        } else {
            let back: Vec<&str> = before.iter().map(|c| c.as_deref().unwrap_or(FIRST)).collect();
            params.insert(BACK.to_owned(), back.join("."));
        }
        self.list.go(params, false);
    }

    fn next(&self, end_cursor: Option<String>) {
        let mut before = self.before();
        before.push(self.after());
        self.show(end_cursor, before);
    }

    fn previous(&self) {
        let mut before = self.before();
        let previous = before.pop().flatten();
        self.show(previous, before);
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
    let first = props.pages.after().is_none();
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
        <div class="pager" role="navigation" aria-label={t!("pager-pages")}>
            <button class="secondary" disabled={first} onclick={previous}>{ t!("pager-previous") }</button>
            <button class="secondary" disabled={!props.has_next} onclick={next}>{ t!("pager-next") }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SortHeaderProps {
    pub list: ListState,
    /// The column's words.
    pub label: AttrValue,
    /// The sort field it stands for (as the URL and the query name it).
    pub field: AttrValue,
    /// Whether the list runs by this column when the URL names no sort.
    #[prop_or_default]
    pub default: bool,
}

/// A column header that sorts the list by its column: a button, with `aria-sort` saying how
/// the list runs now. A second click turns the order round.
#[function_component(SortHeader)]
pub fn sort_header(props: &SortHeaderProps) -> Html {
    let current = props.list.sort();
    let state = match &current {
        Some((field, desc)) if *field == *props.field => Some(*desc),
        None if props.default => Some(false),
        _ => None,
    };
    let onclick = {
        let (list, field) = (props.list.clone(), props.field.clone());
        Callback::from(move |_| {
            let value = if state == Some(false) { format!("-{field}") } else { field.to_string() };
            list.set(SORT, &value);
        })
    };
    let (aria, mark) = match state {
        Some(false) => ("ascending", " ▲"),
        Some(true) => ("descending", " ▼"),
        None => ("none", ""),
    };
    html! {
        <th scope="col" aria-sort={aria}>
            <button type="button" class="sort" {onclick}>{ &props.label }<span aria-hidden="true">{ mark }</span></button>
        </th>
    }
}

#[derive(Properties, PartialEq)]
pub struct SearchBoxProps {
    pub list: ListState,
    /// The input's id and its label's words.
    pub id: AttrValue,
    pub label: AttrValue,
    /// The URL parameter it fills (default `q`).
    #[prop_or(AttrValue::Static("q"))]
    pub param: AttrValue,
}

/// A search box that searches as the person types (a quarter second after the last key), and
/// keeps what was typed in the URL.
#[function_component(SearchBox)]
pub fn search_box(props: &SearchBoxProps) -> Html {
    let text = use_state(|| props.list.get(&props.param));
    let pending = use_mut_ref(|| None::<Timeout>);
    let oninput = {
        let (text, pending, list, param) =
            (text.clone(), pending.clone(), props.list.clone(), props.param.clone());
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let value = input.value();
            text.set(value.clone());
            let (list, param) = (list.clone(), param.clone());
            // Replacing the timer drops (cancels) the one before.
            *pending.borrow_mut() = Some(Timeout::new(250, move || list.replace(&param, value.trim())));
        })
    };
    html! {
        <>
        <label for={props.id.clone()}>{ &props.label }</label>
        <input id={props.id.clone()} type="search" value={(*text).clone()} {oninput} />
        </>
    }
}
