//! The store's team (`#/team`): its members with their roles, the invites not yet accepted, and
//! the form that invites a colleague by email.
//!
//! Owners change roles, remove members and revoke invites; staff see the same lists without the
//! controls (core-api refuses them anyway, with a 403).

use crate::api::{Api, field_errors};
use crate::app::{CurrentStore, format_time};
use crate::page::CopyButton;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::Role;
use zelly_edge::team::{NewInvite, Team, TeamMember};
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{Banner, ErrorState, LoadingState, Panel, Tone};

/// A role in words.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Staff => "Staff",
    }
}

/// What a role may do, under the invite form's role picker.
pub fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owners do everything: payments, refunds, domains and the team.",
        Role::Staff => "Staff work on products, collections and orders; they cannot refund, or change settings, domains or the team.",
    }
}

fn parse_role(value: &str) -> Role {
    if value == "owner" { Role::Owner } else { Role::Staff }
}

/// The team screen.
#[component]
pub fn TeamPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let session = expect_context::<CurrentStore>().0;
    let team = RwSignal::new(None::<Team>);
    let failed = RwSignal::new(None::<String>);
    // What the last change did or why it failed.
    let notice = RwSignal::new(None::<(Tone, String)>);
    // `try_` reads: switching stores re-runs these closures while the screen is being taken down.
    let is_owner = move || session.try_with(|s| s.as_ref().is_some_and(|s| s.role == Role::Owner)).unwrap_or(false);
    let my_uid = move || session.try_with(|s| s.as_ref().map(|s| s.uid.clone()).unwrap_or_default()).unwrap_or_default();

    let load = {
        let api = api.clone();
        move || {
            let api = api.clone();
            crate::page::load_into(async move { api.team().await }, team, failed);
        }
    };
    load();

    let change_role = {
        let api = api.clone();
        move |member: TeamMember, role: Role| {
            let api = api.clone();
            spawn_local(async move {
                let answer = api.set_member_role(&member.uid, role).await;
                if team.is_disposed() {
                    return;
                }
                match answer {
                    Ok(updated) => {
                        team.set(Some(updated));
                        let who = member.email.unwrap_or(member.uid);
                        notice.set(Some((Tone::Success, format!("{who} is now {}.", role_label(role).to_lowercase()))));
                    }
                    Err(error) => {
                        // Put the picker back to the role the member still has.
                        team.update(|_| {});
                        notice.set(Some((Tone::Error, change_failure(&error))));
                    }
                }
            });
        }
    };
    let remove = {
        let (api, load) = (api.clone(), load.clone());
        move |member: TeamMember| {
            let who = member.email.clone().unwrap_or_else(|| member.uid.clone());
            if !window()
                .confirm_with_message(&format!("Remove {who} from the team? They lose access at once."))
                .unwrap_or(false)
            {
                return;
            }
            let (api, load) = (api.clone(), load.clone());
            spawn_local(async move {
                let answer = api.remove_member(&member.uid).await;
                if team.is_disposed() {
                    return;
                }
                match answer {
                    Ok(()) => {
                        notice.set(Some((Tone::Success, format!("{who} was removed from the team."))));
                        load();
                    }
                    Err(error) => notice.set(Some((Tone::Error, change_failure(&error)))),
                }
            });
        }
    };
    let revoke = {
        let (api, load) = (api.clone(), load.clone());
        move |id: String, email: String| {
            let (api, load) = (api.clone(), load.clone());
            spawn_local(async move {
                let answer = api.revoke_invite(&id).await;
                if team.is_disposed() {
                    return;
                }
                match answer {
                    Ok(()) => {
                        notice.set(Some((Tone::Success, format!("The invite for {email} was revoked: its link no longer works."))));
                        load();
                    }
                    Err(error) => notice.set(Some((Tone::Error, change_failure(&error)))),
                }
            });
        }
    };

    view! {
        <Panel heading_id="team-heading" heading="Team">
            <div class="panel-body team" data-testid="team">
                {move || {
                    notice
                        .get()
                        .map(|(tone, message)| view! { <Banner tone message testid="team-notice" /> })
                }}
                <Show when=move || !is_owner()>
                    <p class="muted" data-testid="team-read-only">
                        "Only the store’s owners can invite people or change the team."
                    </p>
                </Show>
                {let load = load.clone();
                move || {
                    if let Some(message) = failed.try_get().flatten() {
                        let load = load.clone();
                        return view! {
                            <ErrorState title="Your team could not be loaded." message on_retry=move || load() />
                        }
                            .into_any();
                    }
                    let Some(current) = team.try_get().flatten() else {
                        return view! { <LoadingState label="Loading your team…" /> }.into_any();
                    };
                    let owner = is_owner();
                    let me = my_uid();
                    let (change_role, remove, revoke) = (change_role.clone(), remove.clone(), revoke.clone());
                    view! {
                        <h3 class="section-title">"Members"</h3>
                        <ul class="team-list" data-testid="team-members">
                            {current
                                .members
                                .into_iter()
                                .map(|member| {
                                    let you = member.uid == me;
                                    let (change_role, remove) = (change_role.clone(), remove.clone());
                                    view! { <MemberRow member you owner change_role remove /> }
                                })
                                .collect_view()}
                        </ul>
                        <h3 class="section-title">"Invites waiting"</h3>
                        {if current.invites.is_empty() {
                            view! { <p class="muted" data-testid="no-invites">"No open invites."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="team-list" data-testid="team-invites">
                                    {current
                                        .invites
                                        .into_iter()
                                        .map(|invite| {
                                            let revoke = revoke.clone();
                                            let (id, email) = (invite.id.to_string(), invite.email.clone());
                                            view! {
                                                <li class="team-row" data-testid="invite-row">
                                                    <div class="team-who">
                                                        <span class="team-email">{invite.email}</span>
                                                        <span class="muted">
                                                            {role_label(invite.role)}
                                                            " · link works until "
                                                            {format_time(invite.expires_at_ms)}
                                                        </span>
                                                    </div>
                                                    <Show when=move || owner>
                                                        <button
                                                            type="button"
                                                            class="button button-secondary button-small"
                                                            data-testid="revoke-invite"
                                                            on:click={
                                                                let (revoke, id, email) = (revoke.clone(), id.clone(), email.clone());
                                                                move |_| revoke(id.clone(), email.clone())
                                                            }
                                                        >
                                                            "Revoke"
                                                        </button>
                                                    </Show>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                    }
                        .into_any()
                }}
                <Show when=is_owner>
                    <InviteForm on_sent=Callback::new({
                        let load = load.clone();
                        move |()| load()
                    }) />
                </Show>
            </div>
        </Panel>
    }
}

/// One member: email, "you", the role (a picker for owners) and Remove.
#[component]
fn MemberRow<C, R>(member: TeamMember, you: bool, owner: bool, change_role: C, remove: R) -> impl IntoView
where
    C: Fn(TeamMember, Role) + Clone + 'static,
    R: Fn(TeamMember) + Clone + 'static,
{
    let name = member.email.clone().unwrap_or_else(|| member.uid.clone());
    let (role, joined) = (member.role, member.added_at_ms);
    let controls = owner.then(|| {
        let (for_role, for_remove) = (member.clone(), member.clone());
        view! {
            <div class="team-controls">
                <label>
                    <span class="visually-hidden">{format!("Role of {name}")}</span>
                    <select
                        class="input"
                        data-testid="member-role"
                        on:change=move |ev| change_role(for_role.clone(), parse_role(&event_target_value(&ev)))
                    >
                        <option value="owner" selected=role == Role::Owner>"Owner"</option>
                        <option value="staff" selected=role == Role::Staff>"Staff"</option>
                    </select>
                </label>
                <button
                    type="button"
                    class="button button-danger button-small"
                    data-testid="remove-member"
                    on:click=move |_| remove(for_remove.clone())
                >
                    "Remove"
                </button>
            </div>
        }
    });
    view! {
        <li class="team-row" data-testid="member-row">
            <div class="team-who">
                <span class="team-email">
                    {name.clone()}
                    {you.then(|| view! { <span class="badge badge-draft team-you">"you"</span> })}
                </span>
                {(!owner).then(|| view! { <span class="muted" data-testid="member-role-label">{role_label(role)}</span> })}
                {(joined > 0).then(|| view! {
                    <span class="muted team-joined" data-testid="member-joined">{format!("Joined {}", crate::app::format_time(joined))}</span>
                })}
            </div>
            {controls}
        </li>
    }
}

/// Why a team change failed, in words.
fn change_failure(error: &zelly_ui_kit::api::ApiError) -> String {
    match error.status {
        Some(403) => "Only the store’s owners can change the team.".to_owned(),
        Some(409) => "The store must keep at least one owner. Make someone else an owner first.".to_owned(),
        Some(404) => "They are no longer on the team. The list has been refreshed.".to_owned(),
        _ => error.message.clone(),
    }
}

/// The invite form (owners): email and role. The invite is emailed; its link is also shown once,
/// with Copy.
#[component]
fn InviteForm(
    /// Run once an invite is sent (the lists reload).
    on_sent: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Staff);
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<NewInvite>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let address = email.get_untracked().trim().to_owned();
        if !zelly_edge::team::is_email(&address.to_ascii_lowercase()) {
            errors.set(FieldErrors::from([(
                "email".to_owned(),
                "Enter an email address like name@example.com.".to_owned(),
            )]));
            return;
        }
        errors.set(FieldErrors::new());
        failure.set(None);
        sent.set(None);
        busy.set(true);
        let api = api.clone();
        let chosen = role.get_untracked();
        spawn_local(async move {
            let result = api.invite(&address, chosen).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(invite) => {
                    sent.set(Some(invite));
                    email.set(String::new());
                    on_sent.run(());
                }
                Err(error) if error.is_invalid() => errors.set(field_errors(&error)),
                Err(error) if error.is_conflict() => failure.set(Some(
                    "The team is full: remove someone or revoke an invite first.".to_owned(),
                )),
                Err(error) => failure.set(Some(change_failure(&error))),
            }
        });
    };

    view! {
        <h3 class="section-title">"Invite a colleague"</h3>
        <form class="invite-form" on:submit=submit novalidate data-testid="invite-form">
            <label class="field invite-email">
                <span class="label">"Email"</span>
                <input
                    class="input"
                    type="email"
                    autocomplete="off"
                    data-testid="invite-email"
                    class:invalid=move || errors.with(|e| e.contains_key("email"))
                    bind:value=email
                />
                <FieldError errors path="email" />
            </label>
            <label class="field invite-role">
                <span class="label">"Role"</span>
                <select
                    class="input"
                    data-testid="invite-role"
                    on:change=move |ev| role.set(parse_role(&event_target_value(&ev)))
                >
                    <option value="staff" selected>"Staff"</option>
                    <option value="owner">"Owner"</option>
                </select>
            </label>
            <button type="submit" class="button invite-submit" data-testid="invite-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Sending…" } else { "Send invite" }}
            </button>
            <p class="hint invite-hint">{move || role_hint(role.get())}</p>
        </form>
        {move || failure.get().map(|message| view! { <Banner tone=Tone::Error message testid="invite-error" /> })}
        {move || {
            sent.get()
                .map(|invite| {
                    let link = invite.link.clone();
                    view! {
                        <div class="invite-link" data-testid="invite-link-box" role="status">
                            <p>
                                "We emailed an invite to "
                                <strong>{invite.invite.email.clone()}</strong>
                                ". If it does not arrive, send them this link another way. It works once, for 7 days, for that email only, and is shown only now."
                            </p>
                            <div class="copy-row">
                                <input
                                    class="input copy-value"
                                    readonly
                                    data-testid="invite-link"
                                    prop:value=link.clone()
                                    aria-label="Invite link"
                                />
                                <CopyButton text=link what="the invite link" testid="copy-invite-link" />
                            </div>
                        </div>
                    }
                })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_ui_kit::api::ApiError;

    #[test]
    fn roles_read_as_words() {
        assert_eq!(role_label(Role::Owner), "Owner");
        assert_eq!(parse_role("owner"), Role::Owner);
        assert_eq!(parse_role("staff"), Role::Staff);
        assert!(role_hint(Role::Staff).contains("cannot refund"));
    }

    #[test]
    fn the_last_owner_refusal_says_what_to_do() {
        let error = ApiError {
            status: Some(409),
            ..ApiError::local("would leave the store without an owner")
        };
        assert!(change_failure(&error).contains("Make someone else an owner first"));
    }
}
