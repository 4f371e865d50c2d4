//! The views both panels are made of: the page shell, the panel frame and the loading, error and
//! empty states of a list. Their classes are styled by the shared stylesheet (see [`crate::style`]).

use leptos::prelude::*;

/// The whole page: a header bar with the logo and `brand`, and the main content below it.
#[component]
pub fn Shell(
    /// The panel's name in the header bar, e.g. "Zelly Seller".
    brand: &'static str,
    /// The main content.
    children: Children,
) -> impl IntoView {
    view! {
        <header class="topbar">
            <div class="topbar-inner">
                <span class="logo" aria-hidden="true"></span>
                <h1 class="brand">{brand}</h1>
            </div>
        </header>
        <main class="content">{children()}</main>
    }
}

/// A titled card: a `<section>` labelled by its `<h2>` heading, with the content below the heading.
#[component]
pub fn Panel(
    /// The heading's `id`, which labels the section.
    heading_id: &'static str,
    /// The heading's text.
    heading: &'static str,
    /// The content below the heading.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=heading_id>
            <div class="panel-head">
                <h2 id=heading_id>{heading}</h2>
            </div>
            {children()}
        </section>
    }
}

/// Shown while a list loads: a spinner and `label`, announced politely to screen readers.
#[component]
pub fn LoadingState(
    /// What is loading, e.g. "Loading products…".
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// Shown when a list could not be loaded: `title`, the explanation and a Retry button.
#[component]
pub fn ErrorState(
    /// What went wrong, e.g. "Your products could not be loaded.".
    title: &'static str,
    /// Why, as a readable sentence (see [`crate::api`]).
    message: String,
    /// Run when Retry is pressed.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{title}</p>
            <p class="state-detail">{message}</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                "Retry"
            </button>
        </div>
    }
}

/// Shown when a list loaded and is empty.
#[component]
pub fn EmptyState(
    /// The headline, e.g. "No products yet".
    title: &'static str,
    /// What will appear here, and when.
    detail: &'static str,
) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <p class="state-title">{title}</p>
            <p class="state-detail">{detail}</p>
        </div>
    }
}
