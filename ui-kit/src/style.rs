//! The stylesheet the panels share.
//!
//! Why it is injected at run time: the build pipeline (`cargo xtask wasm`) serves exactly an app's
//! `index.html`, `style.css` and wasm-bindgen output, so a shared file next to them (an `@import`ed
//! `kit.css`, a second `<link>`) would never reach the browser. Instead the shared rules are compiled
//! into the wasm ([`KIT_CSS`]) and [`install`] puts them in a `<style>` element at the top of
//! `<head>`, before the app is mounted: nothing is ever painted without them, and one source of the
//! rules serves both apps with no change to the pipeline.
//!
//! Being first in `<head>`, the shared rules come before the app's `style.css` in the cascade, so an
//! app can add and override rules. The shared rules use brand colours they do not define
//! ([`BRAND_PROPERTIES`]): each app's `style.css` defines them.

/// The shared rules (`ui-kit/style.css`): page, header bar, panel, table, states, buttons, a
/// report's range picker and figure cards, and the charts by day.
pub const KIT_CSS: &str = include_str!("../style.css");

/// The CSS custom properties [`KIT_CSS`] uses and every app's `style.css` must define: the accent
/// colour, its hover and soft variants, the logo gradient's second colour and a table row's
/// background under the pointer.
pub const BRAND_PROPERTIES: [&str; 5] = [
    "--accent",
    "--accent-hover",
    "--accent-soft",
    "--accent-2",
    "--row-hover",
];

/// The `id` of the `<style>` element holding [`KIT_CSS`].
pub const STYLE_ELEMENT_ID: &str = "zelly-ui-kit-style";

/// Adds [`KIT_CSS`] as the first element of `<head>`, once (a second call does nothing).
///
/// Does nothing outside a browser page.
pub fn install() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if document.get_element_by_id(STYLE_ELEMENT_ID).is_some() {
        return;
    }
    let (Some(head), Ok(style)) = (document.head(), document.create_element("style")) else {
        return;
    };
    style.set_id(STYLE_ELEMENT_ID);
    style.set_text_content(Some(KIT_CSS));
    // Adding an element to <head> only fails for a malformed tree; the page then stays unstyled
    // rather than failing to start.
    let _ = head.prepend_with_node_1(&style);
}

/// The [`BRAND_PROPERTIES`] an app's stylesheet `css` leaves undefined: empty when it is complete.
pub fn missing_brand_properties(css: &str) -> Vec<&'static str> {
    BRAND_PROPERTIES
        .into_iter()
        .filter(|name| !defines_property(css, name))
        .collect()
}

/// Whether `css` defines the custom property `name` (as in `--accent: #4f46e5;`).
fn defines_property(css: &str, name: &str) -> bool {
    css.contains(&format!("{name}:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_rules_use_the_brand_colours_and_leave_them_to_the_apps() {
        for name in BRAND_PROPERTIES {
            assert!(
                KIT_CSS.contains(&format!("var({name})")),
                "ui-kit/style.css does not use {name}"
            );
            assert!(
                !defines_property(KIT_CSS, name),
                "ui-kit/style.css defines {name}, which belongs to the apps"
            );
        }
    }

    #[test]
    fn a_property_is_told_apart_from_longer_names() {
        assert!(defines_property(
            ":root { --accent-hover: #000; }",
            "--accent-hover"
        ));
        assert!(!defines_property(
            ":root { --accent-hover: #000; }",
            "--accent"
        ));
    }

    #[test]
    fn the_missing_brand_colours_are_listed() {
        assert_eq!(
            missing_brand_properties(":root { --accent: #000; --row-hover: #fff; }"),
            ["--accent-hover", "--accent-soft", "--accent-2"]
        );
    }
}
