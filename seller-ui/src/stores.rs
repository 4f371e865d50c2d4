//! Which of the account's stores the panel works in.
//!
//! An account may own or work in several stores (`GET /api/seller/stores`). The one chosen is
//! kept in `localStorage` per account (its Firebase uid), so a reload or the next sign-in opens
//! the same store, and every call names it in the `X-Zelly-Tenant` header (see [`crate::api`]).
//! With a single store the header is left out: core-api picks the only one.

use crate::api::{Api, STORAGE_PREFIX};
use crate::route::{self, Route};
use leptos::prelude::*;
use zelly_edge::team::StoreChoice;

/// The account's stores and the one chosen, shared through the context.
#[derive(Debug, Clone, Copy)]
pub struct Stores {
    /// The account's stores, once core-api has answered.
    pub list: RwSignal<Option<Vec<StoreChoice>>>,
    /// Raised to make the frame ask core-api again (a store opened, joined or switched to).
    pub reopen: RwSignal<u32>,
    /// The signed-in account's uid, which the kept choice is filed under.
    uid: Signal<Option<String>>,
}

impl Stores {
    /// No stores known yet, for the account `uid` names (reactive).
    pub fn new(uid: Signal<Option<String>>) -> Self {
        Self {
            list: RwSignal::new(None),
            reopen: RwSignal::new(0),
            uid,
        }
    }

    /// Works in the store `slug` from now on: keeps the choice, reopens the panel on it and shows
    /// its products.
    pub fn select(&self, slug: &str) {
        if let Some(uid) = self.uid.get_untracked() {
            save_choice(&uid, slug);
        }
        route::navigate(&Route::Products);
        self.reopen.update(|n| *n += 1);
    }

    /// The store to work in from `list` (the kept choice when it is still there), telling `api`
    /// to name it when there is more than one; `None` when the account has no store.
    pub fn choose(&self, list: &[StoreChoice], api: &Api) -> Option<String> {
        let kept = self.uid.get_untracked().and_then(|uid| saved_choice(&uid));
        let chosen = pick(list, kept.as_deref());
        api.set_tenant(if list.len() > 1 { chosen.clone() } else { None });
        chosen
    }

    /// Forgets the stores (at sign-out).
    pub fn clear(&self) {
        self.list.set(None);
    }
}

/// The slug to work in: `kept` when it is one of `list`'s stores, else the first one.
pub fn pick(list: &[StoreChoice], kept: Option<&str>) -> Option<String> {
    let slug = |choice: &StoreChoice| choice.tenant.slug.as_str().to_owned();
    kept.and_then(|kept| list.iter().find(|c| c.tenant.slug.as_str() == kept))
        .or_else(|| list.first())
        .map(slug)
}

/// The `localStorage` key of the store chosen by the account `uid`.
pub fn choice_key(uid: &str) -> String {
    format!("{STORAGE_PREFIX}.store.{uid}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The store the account `uid` last chose, if any.
pub fn saved_choice(uid: &str) -> Option<String> {
    local_storage()?.get_item(&choice_key(uid)).ok().flatten()
}

/// Keeps `slug` as the store the account `uid` works in.
pub fn save_choice(uid: &str, slug: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&choice_key(uid), slug);
    }
}

/// A small flag kept in `localStorage` under `name` (e.g. the checklist dismissed for a store).
pub fn flag(name: &str) -> bool {
    local_storage()
        .and_then(|s| s.get_item(&format!("{STORAGE_PREFIX}.{name}")).ok().flatten())
        .is_some()
}

/// Sets the flag `name` (see [`flag`]).
pub fn set_flag(name: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&format!("{STORAGE_PREFIX}.{name}"), "1");
    }
}

/// The Firebase uid (`sub` claim) of an ID token, read without checking it: core-api checks
/// tokens; the panel only needs to know whose choice to keep.
pub fn uid_of_token(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let json = base64url_decode(payload)?;
    // A struct of one field rather than a `serde_json::Value`: this runs in the main module,
    // and a `Value` would bring its whole parser along.
    #[derive(zelly_ui_kit::serde::Deserialize)]
    #[serde(crate = "zelly_ui_kit::serde")]
    struct Claims {
        sub: String,
    }
    let claims: Claims = serde_json::from_slice(&json).ok()?;
    Some(claims.sub).filter(|sub| !sub.is_empty())
}

/// Decodes unpadded base64url (a JWT's parts); `None` on any other character.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0_u32, 0_u32);
    for c in text.trim_end_matches('=').bytes() {
        bits = (bits << 6) | u32::from(value(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

/// The header's store picker, shown when the account has two stores or more: choosing one
/// switches the panel to it; the last entry opens another store.
#[component]
pub fn StoreSwitcher(
    /// The store worked in now.
    current: Signal<Option<String>>,
) -> impl IntoView {
    let stores = expect_context::<Stores>();
    let many = move || stores.list.with(|l| l.as_ref().is_some_and(|l| l.len() > 1));
    view! {
        <Show when=many>
            <label class="store-switcher">
                <span class="visually-hidden">"Store"</span>
                <select
                    class="input"
                    data-testid="store-switcher"
                    aria-label="Store"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if value == NEW_STORE_OPTION {
                            route::navigate(&Route::NewStore);
                        } else if current.get_untracked().as_deref() != Some(value.as_str()) {
                            stores.select(&value);
                        }
                    }
                >
                    {move || {
                        let current = current.get();
                        stores
                            .list
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|choice| {
                                let slug = choice.tenant.slug.as_str().to_owned();
                                let selected = current.as_deref() == Some(slug.as_str());
                                view! {
                                    <option value=slug prop:selected=selected>
                                        {choice.tenant.name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                    <option value=NEW_STORE_OPTION>"+ Open another store"</option>
                </select>
            </label>
        </Show>
    }
}

/// The picker's value that opens another store rather than switching.
const NEW_STORE_OPTION: &str = "+new";

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::catalog::Role;
    use zelly_edge::dto::Tenant;

    fn choice(slug: &str) -> StoreChoice {
        let tenant: Tenant = serde_json::from_value(serde_json::json!({
            "id": "0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a",
            "slug": slug,
            "name": slug,
            "status": "active",
        }))
        .unwrap();
        StoreChoice {
            tenant,
            role: Role::Owner,
            domain: None,
        }
    }

    #[test]
    fn the_kept_store_is_chosen_while_the_account_still_belongs_to_it() {
        let list = [choice("tea-house"), choice("spice-box")];
        assert_eq!(pick(&list, Some("spice-box")).as_deref(), Some("spice-box"));
        assert_eq!(pick(&list, Some("gone")).as_deref(), Some("tea-house"));
        assert_eq!(pick(&list, None).as_deref(), Some("tea-house"));
        assert_eq!(pick(&[], Some("tea-house")), None);
    }

    #[test]
    fn each_account_keeps_its_own_choice() {
        assert_eq!(choice_key("uid-1"), "zelly-seller.store.uid-1");
        assert_ne!(choice_key("uid-1"), choice_key("uid-2"));
    }

    #[test]
    fn the_uid_is_the_tokens_subject() {
        // {"alg":"RS256"}.{"sub":"Xy9-uid_28","email":"a@b.co"}.signature
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJYeTktdWlkXzI4IiwiZW1haWwiOiJhQGIuY28ifQ.c2ln";
        assert_eq!(uid_of_token(token).as_deref(), Some("Xy9-uid_28"));
        assert_eq!(uid_of_token("not-a-token"), None);
        assert_eq!(uid_of_token("a.!!!.c"), None);
    }

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
    }
}
