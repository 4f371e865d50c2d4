//! Product listings (home, collections, search): order and page from the query string, with plain
//! links, so they work with JavaScript off and every page has its own URL.
//!
//! Origin pages by cursor: each page is asked for by where the one before ended (`after=`), so a
//! page costs the same however large the catalog and however deep the page. The pager offers the
//! next page and the way back to the first.

use leptos::prelude::*;
use zelly_edge::dto::{ListingRequest, ListingSort, MAX_SEARCH_CHARS};
use zelly_edge::Handle;

/// Products per page: a 4- or 6-column grid of 8-12 rows.
pub const PAGE_SIZE: u32 = 48;
/// The longest search text taken.
pub const MAX_QUERY_CHARS: usize = MAX_SEARCH_CHARS;
/// The longest cursor taken from a URL (origin's are far shorter).
const MAX_CURSOR_CHARS: usize = 100;

/// The orders a shopper can pick, with their labels; a search's first is "Best match".
const SORTS: [(ListingSort, &str); 4] = [
    (ListingSort::Featured, "Featured"),
    (ListingSort::Newest, "Newest"),
    (ListingSort::PriceAsc, "Price: low to high"),
    (ListingSort::PriceDesc, "Price: high to low"),
];

/// What the query string asks of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// The order.
    pub sort: ListingSort,
    /// Where the page before ended (origin's cursor), or `None` for the first page.
    pub after: Option<String>,
    /// The search text (`q`), trimmed, at most [`MAX_QUERY_CHARS`].
    pub q: String,
}

impl Listing {
    /// Reads `sort`, `after` and `q`; anything unreadable falls back to the default.
    pub fn from_query(query: Option<&str>) -> Self {
        let mut listing = Listing::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "sort" => listing.sort = ListingSort::parse(&value).unwrap_or_default(),
                "after" => {
                    let readable = value.len() <= MAX_CURSOR_CHARS && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                    listing.after = (readable && !value.is_empty()).then(|| value.into_owned());
                }
                "q" => listing.q = value.trim().chars().take(MAX_QUERY_CHARS).collect(),
                _ => {}
            }
        }
        listing
    }

    /// What to ask origin for: this page of the store's products, of a collection, or of a search.
    pub fn request(&self, collection: Option<Handle>, search: bool) -> ListingRequest {
        ListingRequest {
            collection,
            q: search.then(|| self.q.clone()),
            sort: self.sort,
            after: self.after.clone(),
            limit: Some(PAGE_SIZE),
        }
    }

    /// The URL of this listing on `path` in `sort`, from `after` (search text kept).
    fn href(&self, path: &str, sort: ListingSort, after: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            query.append_pair("q", &self.q);
        }
        if sort != ListingSort::Featured {
            query.append_pair("sort", sort.as_str());
        }
        if let Some(after) = after {
            query.append_pair("after", after);
        }
        let query = query.finish();
        if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
    }
}

/// Sort links, and a link to the next page (`next`, origin's cursor) and back to the first, for a
/// listing at `path`.
pub fn controls(listing: &Listing, path: &str, next: Option<&str>) -> impl IntoView + use<> {
    let searching = !listing.q.is_empty();
    let sorts = SORTS
        .iter()
        .map(|(sort, label)| {
            let current = *sort == listing.sort;
            let href = listing.href(path, *sort, None);
            let label = if searching && *sort == ListingSort::Featured { "Best match" } else { *label };
            view! { <a class="sort-link" class:current=current href=href aria-current=current.then_some("true")>{label}</a> }
        })
        .collect_view();
    let first = listing.after.is_some().then(|| listing.href(path, listing.sort, None));
    let next = next.map(|after| listing.href(path, listing.sort, Some(after)));
    view! {
        <nav class="listing-sort" aria-label="Sort">{sorts}</nav>
        {(first.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {first.map(|href| view! { <a rel="first" href=href>"← First page"</a> })}
                {next.map(|href| view! { <a rel="next" href=href>"Next page →"</a> })}
            </nav>
        })}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn queries_are_read_forgivingly() {
        let read = Listing::from_query(Some("sort=price-desc&after=1700.brass-lamp&q=+brass+lamp+"));
        assert_eq!(read, Listing { sort: ListingSort::PriceDesc, after: Some("1700.brass-lamp".into()), q: "brass lamp".into() });
        assert_eq!(Listing::from_query(Some("sort=evil&after=%3Cscript%3E")), Listing::default());
        assert_eq!(Listing::from_query(None), Listing::default());
    }

    #[test]
    fn links_keep_the_search_and_drop_defaults() {
        let listing = Listing { sort: ListingSort::Featured, after: Some("48.".into()), q: "brass & co".into() };
        assert_eq!(listing.href("/search", ListingSort::PriceAsc, None), "/search?q=brass+%26+co&sort=price-asc");
        assert_eq!(Listing::default().href("/", ListingSort::Featured, None), "/");
        assert_eq!(Listing::default().href("/", ListingSort::Newest, Some("1.a")), "/?sort=newest&after=1.a");
    }

    #[test]
    fn the_request_asks_origin_for_one_page() {
        let listing = Listing::from_query(Some("q=lamp&sort=price-asc&after=5.x"));
        let request = listing.request(None, true);
        assert_eq!(request.query_string(), "q=lamp&sort=price-asc&after=5.x&limit=48");
        assert_eq!(listing.request(Some(Handle::parse("picks").unwrap()), false).q, None, "a collection is not a search");
    }
}
