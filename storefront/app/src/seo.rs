//! What search engines and link previews read, per tenant: the `<head>` of every page (title,
//! description, canonical URL, Open Graph, Product JSON-LD), `robots.txt` and `sitemap.xml`.
//!
//! Every URL is absolute on the store's own domain over HTTPS (Caddy terminates TLS for every
//! merchant domain), so a page, its canonical URL and its sitemap never point at another store;
//! a store reached under several of its domains names its primary one (core-api's `StoreInfo`).

use crate::Page;
use leptos::prelude::*;
use serde_json::json;
use zelly_edge::dto::{Product, StoreInfo};
use zelly_edge::origin::{OriginError, StorefrontOrigin};
use zelly_edge::DomainName;

/// The longest description put in a page's head; search engines show about this much.
const DESCRIPTION_CHARS: usize = 160;

/// The `<head>` content of one page.
#[derive(Debug, Clone, Default)]
pub struct Head {
    title: String,
    description: String,
    canonical: Option<String>,
    og_type: &'static str,
    site_name: Option<String>,
    image: Option<String>,
    json_ld: Option<String>,
    noindex: bool,
}

/// `https://{domain}{path}`.
pub fn absolute(domain: &DomainName, path: &str) -> String {
    format!("https://{domain}{path}")
}

/// An image URL made absolute on the store's domain (site-relative ones), or kept as it is.
fn absolute_image(domain: &DomainName, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") { absolute(domain, url) } else { url.to_owned() }
}

/// At most [`DESCRIPTION_CHARS`] characters on one line, cut at a word with an ellipsis.
fn summary(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= DESCRIPTION_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(DESCRIPTION_CHARS - 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end_matches([',', '.', ';', ':']);
    format!("{cut}…")
}

impl Head {
    /// An ordinary page of a store at `path`.
    pub fn page(store: &StoreInfo, path: &str, title: String, description: String) -> Self {
        Self {
            title,
            description: summary(&description),
            canonical: Some(absolute(&store.domain, path)),
            og_type: "website",
            site_name: Some(store.name.clone()),
            ..Self::default()
        }
    }

    /// A product page, with its image and Product JSON-LD (one offer per variant).
    pub fn product(store: &StoreInfo, product: &Product, title: String) -> Self {
        let url = absolute(&store.domain, &format!("/products/{}", product.handle));
        let image = product.image_url.as_deref().map(|u| absolute_image(&store.domain, u));
        let offers: Vec<_> = product
            .variants
            .iter()
            .map(|v| {
                json!({
                    "@type": "Offer",
                    "sku": v.sku,
                    "name": v.title,
                    "price": v.price.decimal(),
                    "priceCurrency": v.price.currency.as_str(),
                    "url": url,
                })
            })
            .collect();
        let mut data = json!({
            "@context": "https://schema.org",
            "@type": "Product",
            "name": product.title,
            "description": product.description,
            "url": url,
            "brand": { "@type": "Brand", "name": store.name },
            "offers": offers,
        });
        if let Some(image) = &image {
            data["image"] = json!([image]);
        }
        let description = if product.description.trim().is_empty() {
            format!("{} at {}.", product.title, store.name)
        } else {
            product.description.clone()
        };
        Self {
            title,
            description: summary(&description),
            canonical: Some(url),
            og_type: "product",
            site_name: Some(store.name.clone()),
            image,
            json_ld: Some(script_safe_json(&data)),
            noindex: false,
        }
    }

    /// An error page: titled, never indexed, no canonical URL.
    pub fn error(title: &str) -> Self {
        Self::private(title.to_owned())
    }

    /// A page of one shopper's own (the cart): titled, never indexed, no canonical URL.
    pub fn private(title: String) -> Self {
        Self { title, og_type: "website", noindex: true, ..Self::default() }
    }

    /// The head's elements.
    pub fn into_view(self) -> impl IntoView {
        let Head { title, description, canonical, og_type, site_name, image, json_ld, noindex } = self;
        let has_description = !description.is_empty();
        view! {
            <title>{title.clone()}</title>
            {has_description.then(|| view! { <meta name="description" content=description.clone()/> })}
            {noindex.then(|| view! { <meta name="robots" content="noindex"/> })}
            {canonical.map(|url| view! {
                <link rel="canonical" href=url.clone()/>
                {og("og:url", url)}
            })}
            {og("og:type", og_type.to_owned())}
            {og("og:title", title)}
            {has_description.then(|| og("og:description", description))}
            {site_name.map(|name| og("og:site_name", name))}
            {image.map(|url| og("og:image", url))}
            {json_ld.map(|json| view! { <script type="application/ld+json" inner_html=json></script> })}
        }
    }
}

/// An Open Graph `<meta property=… content=…>` (`property` is not an attribute `view!` knows).
fn og(property: &'static str, content: String) -> impl IntoView {
    leptos::html::meta().attr("property", property).attr("content", content)
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` are written as `\u` escapes,
/// so no text from a merchant can close the element or open another.
fn script_safe_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// Text with XML's five special characters escaped.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// `robots.txt` for the requesting store: everything may be crawled but the cart and the event
/// endpoint, and the sitemap is on the same domain.
pub fn robots(domain: &DomainName) -> Page {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /cart\nDisallow: /_zelly/\n\nSitemap: {}\n",
        absolute(domain, "/sitemap.xml")
    );
    Page { status: 200, html: body, content_type: "text/plain; charset=utf-8", analytics: None }
}

/// Products per sitemap file: under the sitemaps.org limit of 50,000 URLs with room for the home
/// page and the collections in the first.
pub const PRODUCTS_PER_SITEMAP: u32 = 45_000;
/// Most collections a sitemap lists.
const MAX_SITEMAP_COLLECTIONS: usize = 4_000;
/// Most files a sitemap index points to (a sitemap index may list 50,000; 200 files hold nine
/// million products).
pub const MAX_SITEMAP_FILES: u32 = 200;

/// The sitemap for the requesting store, on the domain the request came in on and no other:
/// `/sitemap.xml` lists the home page, collections and active products, or, past
/// [`PRODUCTS_PER_SITEMAP`] products, is an index of `/sitemap-{n}.xml` files, each asking origin
/// for its own stretch of the catalog.
pub async fn sitemap_page<O: StorefrontOrigin>(origin: &O, domain: &DomainName, part: Option<u32>) -> Result<Page, OriginError> {
    let n = part.unwrap_or(1);
    let offset = u64::from(n - 1) * u64::from(PRODUCTS_PER_SITEMAP);
    let stretch = origin.sitemap(domain, offset, PRODUCTS_PER_SITEMAP).await?;
    let files = stretch.total.div_ceil(u64::from(PRODUCTS_PER_SITEMAP)).max(1);
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    if part.is_none() && files > 1 {
        xml.push_str("\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for file in 1..=files.min(u64::from(MAX_SITEMAP_FILES)) {
            xml.push_str(&format!(
                "  <sitemap><loc>{}</loc></sitemap>\n",
                xml_escape(&absolute(&stretch.store.domain, &format!("/sitemap-{file}.xml")))
            ));
        }
        xml.push_str("</sitemapindex>\n");
        return Ok(Page { status: 200, html: xml, content_type: "application/xml; charset=utf-8", analytics: None });
    }
    if u64::from(n) > files {
        return Err(OriginError::NotFound);
    }
    xml.push_str("\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let first = (n == 1).then(|| "/".to_owned()).into_iter().chain(
        stretch.collections.iter().take(MAX_SITEMAP_COLLECTIONS).map(|c| format!("/collections/{c}")),
    );
    for path in first.chain(stretch.products.iter().map(|p| format!("/products/{p}"))) {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&absolute(&stretch.store.domain, &path))));
    }
    xml.push_str("</urlset>\n");
    Ok(Page { status: 200, html: xml, content_type: "application/xml; charset=utf-8", analytics: None })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn descriptions_are_one_line_and_cut_at_a_word() {
        assert_eq!(summary("  two\n lines  "), "two lines");
        let long = "word ".repeat(60);
        let cut = summary(&long);
        assert!(cut.chars().count() <= DESCRIPTION_CHARS && cut.ends_with("word…"), "{cut}");
    }

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let json = script_safe_json(&json!({ "name": "</script><script>alert(1)</script> & co" }));
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & co");
    }
}
