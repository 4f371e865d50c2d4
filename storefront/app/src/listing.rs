//! Product listings (home, collections, search): sorting and paging from the query string, with
//! plain links, so they work with JavaScript off and every page has its own URL.

use leptos::prelude::*;
use uuid::Uuid;
use zelly_edge::dto::Product;

/// Products per page: a 4- or 6-column grid of 8-12 rows.
pub const PAGE_SIZE: usize = 48;
/// The longest search text taken.
pub const MAX_QUERY_CHARS: usize = 100;

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// As origin gives them: the merchant's order in a collection, newest first on the home page.
    #[default]
    Featured,
    /// Newest first.
    Newest,
    /// Cheapest first (by each product's lowest price).
    PriceAsc,
    /// Dearest first.
    PriceDesc,
}

impl Sort {
    /// Every order with its query value and label.
    pub const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Featured, "featured", "Featured"),
        (Sort::Newest, "newest", "Newest"),
        (Sort::PriceAsc, "price-asc", "Price: low to high"),
        (Sort::PriceDesc, "price-desc", "Price: high to low"),
    ];

    fn key(self) -> &'static str {
        Self::ALL.iter().find(|(s, _, _)| *s == self).map_or("featured", |(_, k, _)| k)
    }
}

/// What the query string asks of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// The order.
    pub sort: Sort,
    /// The page, from 1.
    pub page: usize,
    /// The search text (`q`), trimmed, at most [`MAX_QUERY_CHARS`].
    pub q: String,
}

impl Listing {
    /// Reads `sort`, `page` and `q`; anything unreadable falls back to the default.
    pub fn from_query(query: Option<&str>) -> Self {
        let mut listing = Listing { page: 1, ..Listing::default() };
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "sort" => {
                    if let Some((sort, _, _)) = Sort::ALL.iter().find(|(_, k, _)| *k == value) {
                        listing.sort = *sort;
                    }
                }
                "page" => listing.page = value.parse::<usize>().ok().filter(|p| (1..=10_000).contains(p)).unwrap_or(1),
                "q" => listing.q = value.trim().chars().take(MAX_QUERY_CHARS).collect(),
                _ => {}
            }
        }
        listing
    }

    /// The URL of this listing on `path` with another sort or page (search text kept).
    fn href(&self, path: &str, sort: Sort, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            query.append_pair("q", &self.q);
        }
        if sort != Sort::Featured {
            query.append_pair("sort", sort.key());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
    }

    /// Sorts `products` and cuts out this page: the page's products, the page shown (clamped to
    /// the last) and how many pages there are. `newest` orders "Newest" (product ids, newest
    /// first); `None` when `products` already come newest first (the store's catalog).
    pub fn apply(&self, mut products: Vec<Product>, newest: Option<&[Uuid]>) -> (Vec<Product>, usize, usize) {
        let price = |p: &Product| p.from_price().map_or(i64::MAX, |m| m.amount_minor);
        match self.sort {
            Sort::Featured => {}
            Sort::Newest => {
                if let Some(order) = newest {
                    products.sort_by_key(|p| order.iter().position(|id| *id == p.id).unwrap_or(usize::MAX));
                }
            }
            Sort::PriceAsc => products.sort_by_key(price),
            Sort::PriceDesc => products.sort_by_key(|p| std::cmp::Reverse(price(p))),
        }
        let pages = products.len().div_ceil(PAGE_SIZE).max(1);
        let page = self.page.clamp(1, pages);
        let start = (page - 1) * PAGE_SIZE;
        let shown = products.into_iter().skip(start).take(PAGE_SIZE).collect();
        (shown, page, pages)
    }
}

/// Products whose title, description or variant SKU contains every word of `q` (any case).
pub fn search(products: Vec<Product>, q: &str) -> Vec<Product> {
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    products
        .into_iter()
        .filter(|p| {
            let text = format!(
                "{} {} {}",
                p.title,
                p.description,
                p.variants.iter().map(|v| v.sku.as_str()).collect::<Vec<_>>().join(" ")
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect()
}

/// Sort links and previous/next page links for a listing at `path`.
pub fn controls(listing: &Listing, path: &str, page: usize, pages: usize) -> impl IntoView + use<> {
    let sorts = Sort::ALL
        .iter()
        .map(|(sort, _, label)| {
            let current = *sort == listing.sort;
            let href = listing.href(path, *sort, 1);
            view! { <a class="sort-link" class:current=current href=href aria-current=current.then_some("true")>{*label}</a> }
        })
        .collect_view();
    let prev = (page > 1).then(|| listing.href(path, listing.sort, page - 1));
    let next = (page < pages).then(|| listing.href(path, listing.sort, page + 1));
    view! {
        <nav class="listing-sort" aria-label="Sort">{sorts}</nav>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|href| view! { <a rel="prev" href=href>"← Previous"</a> })}
                <span class="pager-at">{format!("Page {page} of {pages}")}</span>
                {next.map(|href| view! { <a rel="next" href=href>"Next →"</a> })}
            </nav>
        })}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use uuid::Uuid;
    use zelly_edge::dto::Variant;
    use zelly_edge::{Currency, Handle, Money};

    fn product(n: usize, price: i64) -> Product {
        Product {
            id: Uuid::from_u128(n as u128),
            handle: Handle::parse(&format!("p{n}")).unwrap(),
            title: format!("Lamp {n}"),
            description: if n.is_multiple_of(2) { "brass".into() } else { "clay".into() },
            image_url: None,
            images: vec![],
            option_names: vec![],
            seo_title: None,
            seo_description: None,
            variants: vec![Variant {
                id: Uuid::from_u128(1000 + n as u128),
                sku: format!("SKU-{n}"),
                title: "One".into(),
                price: Money::new(price, Currency::INR),
                options: vec![],
                compare_at_price: None,
                available: true,
            }],
        }
    }

    #[test]
    fn queries_are_read_forgivingly() {
        assert_eq!(Listing::from_query(Some("sort=price-desc&page=3&q=+brass+lamp+")), Listing { sort: Sort::PriceDesc, page: 3, q: "brass lamp".into() });
        assert_eq!(Listing::from_query(Some("sort=evil&page=-1")), Listing { sort: Sort::Featured, page: 1, q: String::new() });
        assert_eq!(Listing::from_query(None).page, 1);
    }

    #[test]
    fn pages_are_cut_after_sorting_and_clamped_to_the_last() {
        let products: Vec<Product> = (0..(2 * PAGE_SIZE + 2)).map(|n| product(n, 1000 - n as i64)).collect();
        let listing = Listing { sort: Sort::PriceAsc, page: 1, q: String::new() };
        let (shown, page, pages) = listing.apply(products.clone(), None);
        assert_eq!((shown.len(), page, pages), (PAGE_SIZE, 1, 3));
        assert_eq!(shown[0].title, format!("Lamp {}", 2 * PAGE_SIZE + 1), "cheapest first");
        let (shown, page, _) = Listing { page: 99, ..listing }.apply(products, None);
        assert_eq!((shown.len(), page), (2, 3));
    }

    #[test]
    fn newest_follows_the_given_order_or_keeps_origins() {
        let products: Vec<Product> = (0..4).map(|n| product(n, 100)).collect();
        let order: Vec<Uuid> = [2, 0, 3, 1].iter().map(|&n| products[n].id).collect();
        let newest = Listing { sort: Sort::Newest, page: 1, q: String::new() };
        let (shown, _, _) = newest.apply(products.clone(), Some(&order));
        assert_eq!(shown.iter().map(|p| p.id).collect::<Vec<_>>(), order);
        let (shown, _, _) = newest.apply(products.clone(), None);
        assert_eq!(shown, products, "a catalog already comes newest first");
        assert_eq!(Listing::from_query(Some("sort=newest")).sort, Sort::Newest);
    }

    #[test]
    fn search_needs_every_word_and_ignores_case() {
        let products: Vec<Product> = (0..6).map(|n| product(n, 100)).collect();
        assert_eq!(search(products.clone(), "BRASS lamp").len(), 3);
        assert_eq!(search(products.clone(), "sku-4").len(), 1);
        assert!(search(products, "   ").is_empty());
    }

    #[test]
    fn links_keep_the_search_and_drop_defaults() {
        let listing = Listing { sort: Sort::Featured, page: 2, q: "brass & co".into() };
        assert_eq!(listing.href("/search", Sort::PriceAsc, 1), "/search?q=brass+%26+co&sort=price-asc");
        assert_eq!(Listing::default().href("/", Sort::Featured, 1), "/");
    }
}
