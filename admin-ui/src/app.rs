//! The panel's frame: restoring the session on load, the sign-in form, setting up an admin's
//! authenticator app, the header (tabs, who is signed in, Sign out) and the screen the URL names.

use crate::analytics::{AnalyticsFilters, AnalyticsPage};
use crate::api::{Api, Auth, Phase};
use crate::audit::{AuditFilters, AuditPage};
use crate::config::Config;
use crate::directory::Directory;
use crate::format::{clean_code, group_secret, is_totp_code, role_label};
use crate::orders::{OrderPage, OrderSearchState, OrdersPage};
use crate::queues::{FailedJobsPage, QueuesPage};
use crate::route::{self, Route, Tab};
use crate::tenants::{StoreNotice, TenantFilters, TenantPage, TenantsPage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::admin::{StaffSignIn, TotpEnrollment};
use zelly_ui_kit::views::{Banner, ErrorState, LoadingState, Shell, Tone};

/// The whole panel: the sign-in screen, the authenticator set-up, or the header tabs and the
/// screen the URL names.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    let auth = Auth::new();
    let api = Api::new(config.api_base.clone(), auth);
    let route = RwSignal::new(route::current());
    let directory = Directory::default();
    provide_context(config);
    provide_context(auth);
    provide_context(api.clone());
    provide_context(directory);
    provide_context(TenantFilters::default());
    provide_context(OrderSearchState::default());
    provide_context(AuditFilters::default());
    provide_context(AnalyticsFilters::default());
    provide_context(StoreNotice::default());

    // A session kept in the refresh cookie survives a reload.
    api.restore();

    let phase = Memo::new(move |_| auth.phase());
    // What one staff member looked up is not left for the next one.
    Effect::new(move |_| {
        if phase.get() == Phase::SignedOut {
            directory.clear();
        }
    });

    let listener = window_event_listener_untyped("hashchange", move |_| {
        let next = route::current();
        if route
            .try_get_untracked()
            .is_some_and(|current| current != next)
        {
            route.set(next);
        }
    });
    on_cleanup(move || listener.remove());

    let nav = move || {
        (phase.get() == Phase::Ready).then(|| {
            let tab = move |label: &'static str, target: Route, testid: &'static str| {
                let own: Tab = target.tab();
                view! {
                    <a
                        class="tab"
                        href=target.href()
                        data-testid=testid
                        aria-current=move || (route.get().tab() == own).then_some("page")
                    >
                        {label}
                    </a>
                }
            };
            view! {
                {tab("Tenants", Route::Tenants, "nav-tenants")}
                {tab("Analytics", Route::Analytics(None), "nav-analytics")}
                {tab("Orders", Route::Orders(None), "nav-orders")}
                {tab("Queues", Route::Queues, "nav-queues")}
                {tab("Audit log", Route::Audit(None), "nav-audit")}
            }
        })
    };
    let signing_out = RwSignal::new(false);
    // Only a change of who is signed in draws the header again, not every refreshed token.
    let staff = Memo::new(move |_| auth.staff());
    let actions = {
        let api = api.clone();
        move || {
            let staff = staff.get()?;
            let api = api.clone();
            let role = role_label(staff.role);
            let sign_out = move |_| {
                if signing_out.get_untracked() {
                    return;
                }
                signing_out.set(true);
                let api = api.clone();
                spawn_local(async move {
                    api.sign_out().await;
                    signing_out.set(false);
                    // Whoever signs in next starts from the store list.
                    route::navigate(&Route::Tenants);
                });
            };
            Some(view! {
                <span class="who" data-testid="signed-in-as" title=staff.name.clone()>
                    <span class="who-email">{staff.email.clone()}</span>
                    <span class="who-role" data-role=staff.role.as_str()>{role}</span>
                </span>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="sign-out"
                    disabled=move || signing_out.get()
                    on:click=sign_out
                >
                    "Sign out"
                </button>
            })
        }
    };

    let restore_api = api.clone();
    view! {
        <Shell
            brand="Zelly Admin"
            nav=Box::new(move || nav.into_any())
            actions=Box::new(move || actions.into_any())
        >
            {move || match phase.get() {
                Phase::Restoring => view! {
                    <section class="panel">
                        <LoadingState label="Checking your session…" />
                    </section>
                }
                .into_any(),
                Phase::Unreachable(message) => {
                    let api = restore_api.clone();
                    view! {
                        <section class="panel">
                            <ErrorState
                                title="Zelly Admin could not reach its server."
                                message
                                on_retry=move || api.restore()
                            />
                        </section>
                    }
                    .into_any()
                }
                Phase::SignedOut => view! { <SignIn /> }.into_any(),
                Phase::Enrolling => view! { <Enrol /> }.into_any(),
                Phase::Ready => view! { <Screens route /> }.into_any(),
            }}
        </Shell>
    }
}

/// The screen the URL names.
#[component]
fn Screens(route: RwSignal<Route>) -> impl IntoView {
    move || match route.get() {
        Route::Tenants => view! { <TenantsPage /> }.into_any(),
        Route::Tenant(id) => view! { <TenantPage id /> }.into_any(),
        Route::Orders(tenant) => view! { <OrdersPage tenant /> }.into_any(),
        Route::Order(id) => view! { <OrderPage id /> }.into_any(),
        Route::Queues => view! { <QueuesPage /> }.into_any(),
        Route::Queue(name) => view! { <FailedJobsPage name /> }.into_any(),
        Route::Audit(tenant) => view! { <AuditPage tenant /> }.into_any(),
        Route::Analytics(tenant) => view! { <AnalyticsPage tenant /> }.into_any(),
    }
}

/// What is wrong with the sign-in form before it is sent, if anything. `code` is cleaned (see
/// [`clean_code`]); empty means none.
pub fn check_sign_in(email: &str, password: &str, code: &str) -> Option<&'static str> {
    if email.trim().is_empty() || password.is_empty() {
        Some("Enter your email and password.")
    } else if !email.contains('@') {
        Some("Enter your work email address, like name@zelly.in.")
    } else if !code.is_empty() && !is_totp_code(code) {
        Some("The authenticator code is the 6 digits your app shows.")
    } else {
        None
    }
}

/// Email, password and the optional authenticator code.
#[component]
fn SignIn() -> impl IntoView {
    let api = expect_context::<Api>();
    let auth = expect_context::<Auth>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (email_value, password_value) = (email.get_untracked(), password.get_untracked());
        let code_value = clean_code(&code.get_untracked());
        if let Some(problem) = check_sign_in(&email_value, &password_value, &code_value) {
            error.set(Some(problem.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let api = api.clone();
        spawn_local(async move {
            let credentials = StaffSignIn {
                email: email_value.trim().to_owned(),
                password: password_value,
                code: (!code_value.is_empty()).then_some(code_value),
            };
            let answer = api.sign_in(&credentials).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            if let Err(message) = answer {
                // A code works once: a refused one is of no use again.
                code.set(String::new());
                error.set(Some(message));
            }
        });
    };

    view! {
        <section class="signin panel" aria-labelledby="signin-heading">
            <div class="signin-body">
                <h2 id="signin-heading">"Sign in to Zelly Admin"</h2>
                <p class="muted">"For Zelly staff: look after stores, orders and the platform."</p>
                {move || {
                    auth.notice()
                        .map(|notice| {
                            view! {
                                <p class="banner banner-warning" role="status" data-testid="signin-notice">
                                    {notice}
                                </p>
                            }
                        })
                }}
                <form class="form" on:submit=submit novalidate>
                    <label class="field">
                        <span class="label">"Email"</span>
                        <input
                            class="input"
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            data-testid="signin-email"
                            bind:value=email
                        />
                    </label>
                    <label class="field">
                        <span class="label">"Password"</span>
                        <input
                            class="input"
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                            data-testid="signin-password"
                            bind:value=password
                        />
                    </label>
                    <label class="field">
                        <span class="label">
                            "Authenticator code" <span class="optional">"(if you have set one up)"</span>
                        </span>
                        <input
                            class="input input-code"
                            type="text"
                            name="code"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength="7"
                            placeholder="123456"
                            data-testid="signin-code"
                            bind:value=code
                        />
                        <span class="hint">"The 6 digits your authenticator app shows for Zelly Admin."</span>
                    </label>
                    {move || {
                        error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="form-error" role="alert" data-testid="signin-error">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        class="button button-block"
                        data-testid="signin-submit"
                        disabled=move || busy.get()
                    >
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </div>
        </section>
    }
}

/// Where setting up the authenticator app is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Enrolment {
    /// Asking admin-api for a secret.
    Loading,
    /// The secret could not be had: why.
    Failed(String),
    /// The secret to put in the app.
    Ready(TotpEnrollment),
}

/// Setting up an admin's second factor: the secret to put in an authenticator app, then the first
/// code it shows. Nothing else opens until this is done.
#[component]
fn Enrol() -> impl IntoView {
    let api = expect_context::<Api>();
    let state = RwSignal::new(Enrolment::Loading);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let start = {
        let api = api.clone();
        move || {
            state.set(Enrolment::Loading);
            let api = api.clone();
            spawn_local(async move {
                let answer = api.enroll_totp().await;
                if state.is_disposed() {
                    return;
                }
                match answer {
                    Ok(enrolment) => state.set(Enrolment::Ready(enrolment)),
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => state.set(Enrolment::Failed(failure.said())),
                }
            });
        }
    };
    start();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let value = clean_code(&code.get_untracked());
        if !is_totp_code(&value) {
            error.set(Some("Enter the 6 digits your authenticator app shows.".to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let api = api.clone();
        spawn_local(async move {
            let answer = api.confirm_totp(&value).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match answer {
                // The panel opens: the new token needs no second factor any more.
                Ok(()) => {}
                Err(failure) if failure.is_unauthorized() => {}
                Err(failure) => {
                    code.set(String::new());
                    error.set(Some(failure.said()));
                }
            }
        });
    };

    let body = move || match state.get() {
        Enrolment::Loading => view! { <LoadingState label="Preparing your authenticator set-up…" /> }.into_any(),
        Enrolment::Failed(message) => {
            let start = start.clone();
            view! {
                <ErrorState
                    title="The set-up could not be started."
                    message
                    on_retry=move || start()
                />
            }
            .into_any()
        }
        Enrolment::Ready(enrolment) => {
            let submit = submit.clone();
            view! {
            <ol class="enrol-steps">
                <li>
                    <p>
                        "Open your authenticator app (Google Authenticator, 1Password, Authy…) and add an account. Type in this key:"
                    </p>
                    <p class="secret" data-testid="enroll-secret" data-secret=enrolment.secret.clone()>
                        {group_secret(&enrolment.secret)}
                    </p>
                    <p class="hint">
                        "On a phone with the app, you can "
                        <a href=enrolment.otpauth_uri.clone() data-testid="enroll-link">
                            "open the set-up link"
                        </a>
                        " instead."
                    </p>
                </li>
                <li>
                    <form class="form enrol-form" on:submit=submit novalidate>
                        <label class="field">
                            <span class="label">"Enter the 6-digit code the app now shows"</span>
                            <input
                                class="input input-code"
                                type="text"
                                inputmode="numeric"
                                autocomplete="one-time-code"
                                maxlength="7"
                                placeholder="123456"
                                data-testid="enroll-code"
                                aria-invalid=move || error.with(Option::is_some).then_some("true")
                                bind:value=code
                            />
                        </label>
                        {move || {
                            error
                                .get()
                                .map(|message| {
                                    view! {
                                        <p class="form-error" role="alert" data-testid="enroll-error">
                                            {message}
                                        </p>
                                    }
                                })
                        }}
                        <button
                            type="submit"
                            class="button button-block"
                            data-testid="enroll-submit"
                            disabled=move || busy.get()
                        >
                            {move || if busy.get() { "Checking…" } else { "Finish set-up" }}
                        </button>
                    </form>
                </li>
            </ol>
            }
            .into_any()
        }
    };

    view! {
        <section class="signin enrol panel" aria-labelledby="enrol-heading">
            <div class="signin-body">
                <h2 id="enrol-heading">"Set up your authenticator app"</h2>
                <p class="muted">
                    "Admins sign in with a code from an authenticator app as well as their password. Set it up now: the rest of Zelly Admin opens once it is done."
                </p>
                {body}
            </div>
        </section>
    }
}

/// A banner for the outcome of an action: what worked, or what failed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It worked: what happened.
    Done(String),
    /// It failed: what, and why.
    Failed(&'static str, String),
}

/// The banner of an [`Outcome`], while there is one.
#[component]
pub fn OutcomeBanner(
    /// The outcome to show (none: nothing).
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    move || {
        outcome.get().map(|current| match current {
            Outcome::Done(message) => {
                view! { <Banner tone=Tone::Success message testid="action-done" /> }.into_any()
            }
            Outcome::Failed(what, why) => view! {
                <Banner tone=Tone::Error message=what testid="action-failed">
                    <p class="banner-detail">{why}</p>
                </Banner>
            }
            .into_any(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::check_sign_in;

    #[test]
    fn the_sign_in_form_needs_an_email_and_password_and_a_code_is_six_digits() {
        assert_eq!(check_sign_in("", "pw", ""), Some("Enter your email and password."));
        assert_eq!(check_sign_in("a@zelly.in", "", ""), Some("Enter your email and password."));
        assert!(check_sign_in("ops", "pw", "").unwrap().contains("email address"));
        assert_eq!(check_sign_in("a@zelly.in", "pw", ""), None);
        assert_eq!(check_sign_in("a@zelly.in", "pw", "123456"), None);
        assert!(check_sign_in("a@zelly.in", "pw", "12345").unwrap().contains("6 digits"));
    }
}
