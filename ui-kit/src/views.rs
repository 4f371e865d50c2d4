//! The views both panels are made of: the page shell, the panel frame, the loading, error and empty
//! states of a list and the banner above a form. Their classes are styled by the shared stylesheet
//! (see [`crate::style`]).

use leptos::prelude::*;

/// The whole page: a header bar with the logo and `brand` (then the optional `nav` and, on the
/// right, `actions`), and the main content below it.
#[component]
pub fn Shell(
    /// The panel's name in the header bar, e.g. "Zelly Seller".
    brand: &'static str,
    /// Navigation next to the brand, e.g. tabs.
    #[prop(optional)]
    nav: Option<Children>,
    /// Controls on the right of the header bar, e.g. who is signed in and "Sign out".
    #[prop(optional)]
    actions: Option<Children>,
    /// The main content.
    children: Children,
) -> impl IntoView {
    view! {
        <header class="topbar">
            <div class="topbar-inner">
                <span class="logo" aria-hidden="true"></span>
                <h1 class="brand">{brand}</h1>
                {nav.map(|nav| view! { <nav class="topnav" aria-label="Sections">{nav()}</nav> })}
                <div class="topbar-actions">{actions.map(|actions| actions())}</div>
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
    /// The heading's text (may change, e.g. with the title of the product being edited).
    #[prop(into)]
    heading: TextProp,
    /// Buttons on the right of the heading, e.g. "New product".
    #[prop(optional)]
    actions: Option<Children>,
    /// The content below the heading.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=heading_id>
            <div class="panel-head">
                <h2 id=heading_id>{move || heading.get().to_string()}</h2>
                {actions.map(|actions| view! { <div class="panel-actions">{actions()}</div> })}
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

/// Shown when a list loaded and is empty, or when what a page shows is not there.
#[component]
pub fn EmptyState(
    /// The headline, e.g. "No products yet".
    title: &'static str,
    /// What will appear here, and when.
    detail: &'static str,
    /// What to do next, below the detail, e.g. a "Clear filters" button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <p class="state-title">{title}</p>
            <p class="state-detail">{detail}</p>
            {children.map(|children| children())}
        </div>
    }
}

/// How a [`Banner`] looks and is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something failed (announced at once).
    Error,
    /// Something needs attention (announced at once).
    Warning,
    /// Something worked (announced politely).
    Success,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Error => "banner banner-error",
            Tone::Warning => "banner banner-warning",
            Tone::Success => "banner banner-success",
        }
    }
}

/// A message above a form: what failed or worked, with optional details and buttons below it.
#[component]
pub fn Banner(
    /// Error, warning or success.
    tone: Tone,
    /// The message.
    #[prop(into)]
    message: String,
    /// The `data-testid` of the banner.
    #[prop(optional)]
    testid: &'static str,
    /// Details and buttons under the message.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let role = if tone == Tone::Success {
        "status"
    } else {
        "alert"
    };
    let testid = (!testid.is_empty()).then_some(testid);
    view! {
        <div class=tone.class() role=role data-testid=testid>
            <p class="banner-message">{message}</p>
            {children.map(|children| view! { <div class="banner-body">{children()}</div> })}
        </div>
    }
}
