//! The store's domains (`#/domains`): its platform address and the merchant's own domains, each
//! with where it is on the way to serving shoppers, the two DNS records to publish, and Verify,
//! Make primary and Remove.
//!
//! Owners make the changes; staff see the list without the controls (core-api refuses them
//! anyway, with a 403).

use crate::api::{Api, field_errors};
use crate::app::{CurrentStore, format_time};
use crate::page::CopyButton;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::Role;
use zelly_edge::team::{DomainKind, DomainStatus, StoreDomain, StoreDomains};
use zelly_ui_kit::api::ApiError;
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{Banner, EmptyState, ErrorState, LoadingState, Panel, Tone};

/// A domain's status in a merchant's words, and its badge's class.
pub fn status_words(status: DomainStatus) -> (&'static str, &'static str) {
    match status {
        DomainStatus::Pending => ("Pending", "badge badge-draft"),
        DomainStatus::Failed => ("Not found yet", "badge badge-archived"),
        DomainStatus::Verified => ("Verified", "badge badge-paid"),
        DomainStatus::Active => ("Live", "badge badge-active"),
        DomainStatus::Flagged => ("Record missing", "badge badge-refunded"),
    }
}

/// What to do next about a domain in this status, if anything.
pub fn next_step(status: DomainStatus) -> Option<&'static str> {
    match status {
        DomainStatus::Pending => Some(
            "Add both records below at the company where you bought the domain, then press Verify. DNS changes can take up to an hour to show.",
        ),
        DomainStatus::Failed => Some(
            "We could not find the records yet. Check them below, wait a few minutes, then press Verify again.",
        ),
        DomainStatus::Verified => Some(
            "You own this domain. Point it at your store with the CNAME record below so that shoppers reach it.",
        ),
        DomainStatus::Flagged => Some(
            "The TXT record is gone, so shoppers are no longer sent here. Add it again, then press Verify.",
        ),
        DomainStatus::Active => None,
    }
}

/// The domains screen.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let session = expect_context::<CurrentStore>().0;
    let domains = RwSignal::new(None::<StoreDomains>);
    let failed = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<(Tone, String)>);
    // `try_` reads: switching stores re-runs these closures while the screen is being taken down.
    let is_owner = move || session.try_with(|s| s.as_ref().is_some_and(|s| s.role == Role::Owner)).unwrap_or(false);

    let load = {
        let api = api.clone();
        move || {
            let api = api.clone();
            crate::page::load_into(async move { api.domains().await }, domains, failed);
        }
    };
    load();

    // Verify, Make primary and Remove: each reloads the list and says what happened.
    let act = {
        let (api, load) = (api.clone(), load.clone());
        move |action: Action, domain: String| {
            if action == Action::Remove
                && !window()
                    .confirm_with_message(&format!("Remove {domain}? Shoppers will no longer reach your store there."))
                    .unwrap_or(false)
            {
                return;
            }
            let (api, load) = (api.clone(), load.clone());
            notice.set(None);
            spawn_local(async move {
                let result = match action {
                    Action::Verify => api.verify_domain(&domain).await.map(|checked| verify_message(&checked)),
                    Action::Primary => api
                        .make_primary_domain(&domain)
                        .await
                        .map(|_| (Tone::Success, format!("{domain} is now your store’s main address."))),
                    Action::Remove => api
                        .remove_domain(&domain)
                        .await
                        .map(|()| (Tone::Success, format!("{domain} was removed."))),
                };
                if notice.is_disposed() {
                    return;
                }
                match result {
                    Ok(message) => notice.set(Some(message)),
                    Err(error) => notice.set(Some((Tone::Error, domain_failure(&error)))),
                }
                load();
            });
        }
    };

    view! {
        <Panel heading_id="domains-heading" heading="Domains">
            <div class="panel-body domains" data-testid="domains">
                <p class="muted">
                    "Shoppers reach your store at its Zelly address. Connect a domain you own, like shop.example.com, to use it instead."
                </p>
                <Show when=move || !is_owner()>
                    <p class="muted" data-testid="domains-read-only">
                        "Only the store’s owners can add or change domains."
                    </p>
                </Show>
                {move || notice.try_get().flatten().map(|(tone, message)| view! { <Banner tone message testid="domains-notice" /> })}
                {let load = load.clone();
                move || {
                    if let Some(message) = failed.try_get().flatten() {
                        let load = load.clone();
                        return view! {
                            <ErrorState title="Your domains could not be loaded." message on_retry=move || load() />
                        }
                            .into_any();
                    }
                    let Some(current) = domains.try_get().flatten() else {
                        return view! { <LoadingState label="Loading your domains…" /> }.into_any();
                    };
                    if current.domains.is_empty() {
                        return view! {
                            <EmptyState title="No domains yet" detail="Your store’s address appears here once it is set up." />
                        }
                            .into_any();
                    }
                    let owner = is_owner();
                    let target = current.cname_target.clone();
                    view! {
                        <ul class="domain-list" data-testid="domain-list">
                            {current
                                .domains
                                .into_iter()
                                .map(|domain| {
                                    let act = act.clone();
                                    view! { <DomainCard domain cname_target=target.clone() owner act /> }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
                <Show when=is_owner>
                    <AddDomainForm on_added=Callback::new({
                        let load = load.clone();
                        move |()| load()
                    }) />
                </Show>
            </div>
        </Panel>
    }
}

/// A change to one domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Verify,
    Primary,
    Remove,
}

/// What a DNS check found, in words.
fn verify_message(checked: &StoreDomain) -> (Tone, String) {
    let name = checked.domain.as_str();
    match checked.status {
        DomainStatus::Active => (Tone::Success, format!("{name} is live: shoppers reach your store there.")),
        DomainStatus::Verified => (
            Tone::Success,
            format!("{name} is verified. Add the CNAME record so that shoppers reach your store there."),
        ),
        _ => (
            Tone::Warning,
            checked
                .failure
                .clone()
                .unwrap_or_else(|| format!("The records for {name} were not found yet.")),
        ),
    }
}

/// Why a domain change failed, in words.
fn domain_failure(error: &ApiError) -> String {
    match error.status {
        Some(403) => "Only the store’s owners can change domains.".to_owned(),
        Some(409) => {
            let detail = error.message.rsplit(": ").next().unwrap_or_default();
            format!("That could not be done: {detail}")
        }
        Some(404) => "This domain is no longer on your store. The list has been refreshed.".to_owned(),
        _ => error.message.clone(),
    }
}

/// One domain: name, status, the records to publish and the owner's buttons.
#[component]
fn DomainCard<A>(domain: StoreDomain, cname_target: String, owner: bool, act: A) -> impl IntoView
where
    A: Fn(Action, String) + Clone + 'static,
{
    let name = domain.domain.as_str().to_owned();
    let (label, class) = status_words(domain.status);
    let custom = domain.kind == DomainKind::Custom;
    let records = (custom && domain.status != DomainStatus::Active).then(|| {
        let txt_name = domain.record_name.clone().unwrap_or_else(|| format!("_zelly.{name}"));
        let txt_value = domain.record_value.clone().unwrap_or_default();
        view! {
            <div class="dns-records">
                {next_step(domain.status).map(|step| view! { <p class="hint">{step}</p> })}
                <DnsRecord kind="TXT" name=txt_name value=txt_value testid="txt" />
                <DnsRecord kind="CNAME" name=name.clone() value=cname_target.clone() testid="cname" />
            </div>
        }
    });
    let failure = domain
        .failure
        .clone()
        .filter(|_| custom && domain.status != DomainStatus::Active)
        .map(|failure| view! { <p class="form-error">{failure}</p> });
    let checked = domain
        .checked_at_ms
        .map(|ms| view! { <span class="muted">{format!("Last checked {}", format_time(ms))}</span> });
    let buttons = owner.then(|| {
        let served = domain.status.is_served();
        let button = |label: &'static str, action: Action, class: &'static str, testid: &'static str| {
            let (act, name) = (act.clone(), name.clone());
            view! {
                <button type="button" class=class data-testid=testid on:click=move |_| act(action, name.clone())>
                    {label}
                </button>
            }
        };
        view! {
            <div class="domain-buttons">
                {(custom && domain.status != DomainStatus::Active)
                    .then(|| button("Verify", Action::Verify, "button button-small", "verify-domain"))}
                {(served && !domain.primary)
                    .then(|| button("Make primary", Action::Primary, "button button-secondary button-small", "primary-domain"))}
                {custom.then(|| button("Remove", Action::Remove, "button button-danger button-small", "remove-domain"))}
            </div>
        }
    });
    view! {
        <li class="domain-card" data-testid="domain-row" data-domain=name.clone()>
            <div class="domain-head">
                <span class="domain-name">{name.clone()}</span>
                <span class=class data-testid="domain-status">{label}</span>
                {domain.primary.then(|| view! { <span class="badge badge-draft">"Main address"</span> })}
                {(!custom).then(|| view! { <span class="muted">"Your Zelly address"</span> })}
            </div>
            {failure}
            {records}
            {checked}
            {buttons}
        </li>
    }
}

/// One DNS record to publish, with Copy buttons for its name and value.
#[component]
fn DnsRecord(kind: &'static str, name: String, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <dl class="dns-record" data-testid=format!("record-{testid}")>
            <div>
                <dt>"Type"</dt>
                <dd><code>{kind}</code></dd>
            </div>
            <div>
                <dt>"Name"</dt>
                <dd class="copy-row">
                    <code class="copy-value">{name.clone()}</code>
                    <CopyButton text=name what="the record’s name" />
                </dd>
            </div>
            <div>
                <dt>"Value"</dt>
                <dd class="copy-row">
                    <code class="copy-value">{value.clone()}</code>
                    <CopyButton text=value what="the record’s value" />
                </dd>
            </div>
        </dl>
    }
}

/// The add-domain form (owners).
#[component]
fn AddDomainForm(
    /// Run once a domain is added (the list reloads).
    on_added: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let domain = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = zelly_edge::team::DomainInput { domain: domain.get_untracked() };
        if let Err(found) = input.validate() {
            errors.set(found);
            return;
        }
        errors.set(FieldErrors::new());
        failure.set(None);
        busy.set(true);
        let api = api.clone();
        spawn_local(async move {
            let result = api.add_domain(&input.domain).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(_) => {
                    domain.set(String::new());
                    on_added.run(());
                }
                Err(error) if error.is_invalid() => errors.set(field_errors(&error)),
                Err(error) => failure.set(Some(domain_failure(&error))),
            }
        });
    };
    view! {
        <h3 class="section-title">"Connect a domain"</h3>
        <form class="invite-form" on:submit=submit novalidate data-testid="add-domain-form">
            <label class="field invite-email">
                <span class="label">"Domain"</span>
                <input
                    class="input"
                    data-testid="domain-input"
                    placeholder="shop.example.com"
                    autocapitalize="none"
                    spellcheck="false"
                    class:invalid=move || errors.with(|e| e.contains_key("domain"))
                    bind:value=domain
                />
                <FieldError errors path="domain" />
            </label>
            <button type="submit" class="button invite-submit" data-testid="add-domain" disabled=move || busy.get()>
                {move || if busy.get() { "Adding…" } else { "Add domain" }}
            </button>
        </form>
        {move || failure.get().map(|message| view! { <Banner tone=Tone::Error message testid="add-domain-error" /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_merchant_words() {
        let words: Vec<&str> = [
            DomainStatus::Pending,
            DomainStatus::Failed,
            DomainStatus::Verified,
            DomainStatus::Active,
            DomainStatus::Flagged,
        ]
        .into_iter()
        .map(|status| status_words(status).0)
        .collect();
        assert_eq!(words, ["Pending", "Not found yet", "Verified", "Live", "Record missing"]);
    }

    #[test]
    fn a_live_domain_needs_nothing_more() {
        assert_eq!(next_step(DomainStatus::Active), None);
        assert!(next_step(DomainStatus::Pending).is_some_and(|s| s.contains("Verify")));
    }

    #[test]
    fn a_refusal_by_role_says_who_may() {
        let error = ApiError {
            status: Some(403),
            ..ApiError::local("x")
        };
        assert_eq!(domain_failure(&error), "Only the store’s owners can change domains.");
    }
}
