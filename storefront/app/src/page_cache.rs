//! Rendered pages kept in memory by the native host, per store, store version and URL, as the
//! Worker keeps them in the edge cache: a hot page makes no call to origin at all.
//!
//! A page is found by its store's domain, the store's version (which every catalog or settings
//! change raises) and its path and query, so no entry is ever shared by two stores, and a change
//! is shown as soon as the host next asks origin for the version: at most every
//! [`PageCache::DEFAULT_VERSION_TTL_MS`]. Pages are kept without any shopper's cart count
//! (see [`crate::with_cart_count`]); each answer puts its own in. Memory is bounded: past
//! [`PageCache::MAX_PAGES`] pages or [`PageCache::MAX_BYTES`] bytes, expired pages go, then all.

use crate::resolve::{DomainCache, TtlMap};
use crate::Page;
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;
use zelly_edge::origin::StorefrontOrigin;
use zelly_edge::DomainName;

/// A page as kept: what the answer needs besides the shopper's own cart count and visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    /// The document, with a cart count of 0.
    pub html: String,
    /// Its media type.
    pub content_type: &'static str,
    /// Whether it counts as a page view (HTML pages do; robots.txt and the sitemap do not).
    pub counts_as_view: bool,
    /// The product, on a product page (for its view event).
    pub product_id: Option<Uuid>,
}

#[derive(Default)]
struct Pages {
    entries: HashMap<String, (CachedPage, i64)>,
    bytes: usize,
}

/// Store versions and the pages rendered for them.
pub struct PageCache {
    versions: TtlMap<i64>,
    version_ttl_ms: i64,
    pages: Mutex<Pages>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_VERSION_TTL_MS)
    }
}

impl PageCache {
    /// How long a store's version is trusted before origin is asked again: the longest a
    /// merchant's change takes to show.
    pub const DEFAULT_VERSION_TTL_MS: i64 = 5_000;
    /// How long a page is kept even when its store has not changed.
    pub const PAGE_TTL_MS: i64 = 60_000;
    /// Most pages kept.
    pub const MAX_PAGES: usize = 5_000;
    /// Most bytes of pages kept.
    pub const MAX_BYTES: usize = 128 * 1024 * 1024;

    /// An empty cache trusting a store's version for `version_ttl_ms`.
    pub fn new(version_ttl_ms: i64) -> Self {
        Self { versions: TtlMap::new(DomainCache::MAX_ENTRIES), version_ttl_ms, pages: Mutex::new(Pages::default()) }
    }

    /// The key of a shared page of `domain` at `path?query`, for the store's current version
    /// (asked of origin at most every version TTL); `None` when origin cannot say (an unknown or
    /// suspended store, or origin down), and then nothing is cached.
    pub async fn key<O: StorefrontOrigin>(&self, origin: &O, domain: &DomainName, path: &str, query: Option<&str>, now_ms: i64) -> Option<String> {
        let version = match self.versions.get(domain, now_ms) {
            Some(version) => version,
            None => {
                let version = origin.store_version(domain).await.ok()?;
                self.versions.put(domain, version, now_ms + self.version_ttl_ms, now_ms);
                version
            }
        };
        let query = query.filter(|q| !q.is_empty()).map(|q| format!("?{q}")).unwrap_or_default();
        Some(format!("{domain}/v{version}{path}{query}"))
    }

    /// The page kept under `key`, unless it has expired.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<CachedPage> {
        let pages = self.pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pages.entries.get(key).filter(|(_, expires)| *expires > now_ms).map(|(page, _)| page.clone())
    }

    /// Keeps a rendered `200` page under `key` (anything else is not kept).
    pub fn put(&self, key: String, page: &Page, now_ms: i64) {
        if page.status != 200 {
            return;
        }
        let html = crate::with_cart_count(&page.html, 0);
        let kept = CachedPage {
            content_type: page.content_type,
            counts_as_view: page.analytics.is_some(),
            product_id: page.analytics.as_ref().and_then(|a| a.product_id),
            html,
        };
        let mut pages = self.pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pages.entries.len() >= Self::MAX_PAGES || pages.bytes + kept.html.len() > Self::MAX_BYTES {
            pages.entries.retain(|_, (_, expires)| *expires > now_ms);
            pages.bytes = pages.entries.values().map(|(p, _)| p.html.len()).sum();
            if pages.entries.len() >= Self::MAX_PAGES || pages.bytes + kept.html.len() > Self::MAX_BYTES {
                pages.entries.clear();
                pages.bytes = 0;
            }
        }
        pages.bytes += kept.html.len();
        if let Some((old, _)) = pages.entries.insert(key, (kept, now_ms + Self::PAGE_TTL_MS)) {
            pages.bytes -= old.html.len();
        }
    }

    /// How many pages are kept now.
    pub fn len(&self) -> usize {
        self.pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entries.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn page(html: &str) -> Page {
        Page { status: 200, html: html.to_owned(), content_type: crate::HTML, analytics: None }
    }

    #[test]
    fn pages_expire_only_200s_are_kept_and_memory_stays_bounded() {
        let cache = PageCache::default();
        cache.put("a/v1/".into(), &page("<p>a</p>"), 0);
        assert_eq!(cache.get("a/v1/", PageCache::PAGE_TTL_MS - 1).map(|p| p.html), Some("<p>a</p>".to_owned()));
        assert_eq!(cache.get("a/v1/", PageCache::PAGE_TTL_MS), None);
        cache.put("a/v1/missing".into(), &Page { status: 404, ..page("gone") }, 0);
        assert_eq!(cache.get("a/v1/missing", 1), None);
        for i in 0..(PageCache::MAX_PAGES + 10) {
            cache.put(format!("a/v1/{i}"), &page("x"), 0);
        }
        assert!(cache.len() <= PageCache::MAX_PAGES);
    }
}
