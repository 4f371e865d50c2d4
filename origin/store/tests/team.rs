//! Onboarding on both backends: opening a store, the team's invites and roles, and custom domains
//! moving between claimed, served and flagged.
#![allow(clippy::unwrap_used, missing_docs)]

use uuid::Uuid;
use zelly_edge::catalog::Role;
use zelly_edge::team::{DomainKind, DomainStatus};
use zelly_edge::{Currency, DomainName, TenantSlug};
use zelly_store::team::NewInvite;
use zelly_store::{DomainCheckOutcome, DynStore, InviteRefusal, OpenStore, StoreError};

zelly_store::on_both_backends!(
    opening_a_store_makes_the_owner_and_its_platform_domain_at_once,
    a_taken_slug_or_domain_opens_nothing,
    an_invite_works_once_for_its_email_until_it_expires,
    concurrent_acceptances_of_one_invite_let_one_win,
    a_store_always_keeps_an_owner,
    a_custom_domain_is_served_only_once_proven,
    a_vanished_record_flags_the_domain_and_a_new_proof_restores_it,
    a_domain_goes_to_the_first_store_that_proves_it,
    the_platform_address_stays_and_primary_follows_removals,
);

fn domain(name: &str) -> DomainName {
    DomainName::parse(name).unwrap()
}

async fn open(store: &DynStore, slug: &str, owner: &str) -> Uuid {
    store
        .open_store(&OpenStore {
            slug: TenantSlug::parse(slug).unwrap(),
            name: format!("{slug} shop"),
            currency: Currency::parse("USD").unwrap(),
            domain: domain(&format!("{slug}.zelly.test")),
            owner_uid: Some(owner.into()),
            owner_email: Some(format!("{owner}@example.com")),
        })
        .await
        .unwrap()
        .id
}

fn invite(email: &str, role: Role, secret: &str, now: i64) -> NewInvite {
    NewInvite {
        email: email.into(),
        role,
        token_hash: zelly_edge::signature::sha256_hex(secret.as_bytes()),
        invited_by: "owner@example.com".into(),
        created_at_ms: now,
        expires_at_ms: now + 1_000,
    }
}

fn hash(secret: &str) -> String {
    zelly_edge::signature::sha256_hex(secret.as_bytes())
}

fn proven(routed: bool) -> DomainCheckOutcome {
    DomainCheckOutcome { proven: Some(true), routed, failure: (!routed).then(|| "not pointing here yet".into()) }
}

fn missing() -> DomainCheckOutcome {
    DomainCheckOutcome { proven: Some(false), routed: false, failure: Some("no TXT record".into()) }
}

async fn opening_a_store_makes_the_owner_and_its_platform_domain_at_once(store: DynStore) {
    let id = open(&store, "tea-house", "ana").await;
    let memberships = store.memberships_of("ana").await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].1, Role::Owner);
    assert_eq!(memberships[0].0.currency.as_str(), "USD");
    let served = store.tenant_by_domain(&domain("tea-house.zelly.test")).await.unwrap().unwrap();
    assert_eq!(served.id, id);
    assert_eq!(store.primary_domain(id).await.unwrap(), Some(domain("tea-house.zelly.test")));
    let (mine, _) = &store.memberships_of("ana").await.unwrap()[0];
    assert_eq!(mine.primary_domain, Some(domain("tea-house.zelly.test")), "the store switcher's address comes with the list");
    let team = store.team(id, 0).await.unwrap();
    assert_eq!(team.members.len(), 1);
    assert_eq!(team.members[0].email.as_deref(), Some("ana@example.com"));
}

async fn a_taken_slug_or_domain_opens_nothing(store: DynStore) {
    open(&store, "tea-house", "ana").await;
    let again = store
        .open_store(&OpenStore {
            slug: TenantSlug::parse("tea-house").unwrap(),
            name: "Copy".into(),
            currency: Currency::INR,
            domain: domain("other.zelly.test"),
            owner_uid: Some("bo".into()),
            owner_email: None,
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // The domain clash is found after the tenant row was written: all of it rolls back.
    let clash = store
        .open_store(&OpenStore {
            slug: TenantSlug::parse("fresh").unwrap(),
            name: "Fresh".into(),
            currency: Currency::INR,
            domain: domain("tea-house.zelly.test"),
            owner_uid: Some("bo".into()),
            owner_email: None,
        })
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert!(store.tenant_by_slug(&TenantSlug::parse("fresh").unwrap()).await.unwrap().is_none());
    assert!(store.memberships_of("bo").await.unwrap().is_empty());
}

async fn an_invite_works_once_for_its_email_until_it_expires(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    let other = open(&store, "other", "zed").await;
    let sent = store.create_invite(shop, &invite("sam@example.com", Role::Staff, "s1", 1_000)).await.unwrap();
    assert_eq!(store.team(shop, 1_500).await.unwrap().invites, vec![sent.clone()]);
    assert!(store.team(other, 1_500).await.unwrap().invites.is_empty(), "another store never sees it");
    // Only its email may accept it; a wrong secret is unknown.
    assert!(matches!(store.accept_invite(&hash("s1"), "mallory", "mallory@example.com", 1_100).await, Err(InviteRefusal::OtherEmail(_))));
    assert!(matches!(store.accept_invite(&hash("nope"), "sam", "sam@example.com", 1_100).await, Err(InviteRefusal::Unknown)));
    let (tenant, role) = store.accept_invite(&hash("s1"), "sam", "SAM@example.com", 1_200).await.unwrap();
    assert_eq!((tenant.id, role), (shop, Role::Staff));
    assert!(matches!(store.accept_invite(&hash("s1"), "sam", "sam@example.com", 1_300).await, Err(InviteRefusal::Spent)));
    assert!(store.team(shop, 1_300).await.unwrap().invites.is_empty());
    assert_eq!(store.memberships_of("sam").await.unwrap().len(), 1);
    // Expired and revoked links are spent.
    store.create_invite(shop, &invite("kim@example.com", Role::Owner, "s2", 5_000)).await.unwrap();
    assert!(matches!(store.accept_invite(&hash("s2"), "kim", "kim@example.com", 6_000).await, Err(InviteRefusal::Spent)));
    let revoked = store.create_invite(shop, &invite("lee@example.com", Role::Staff, "s3", 7_000)).await.unwrap();
    assert!(matches!(store.revoke_invite(other, revoked.id, 7_100).await, Err(StoreError::NotFound)), "not another store's");
    store.revoke_invite(shop, revoked.id, 7_100).await.unwrap();
    assert!(matches!(store.accept_invite(&hash("s3"), "lee", "lee@example.com", 7_200).await, Err(InviteRefusal::Spent)));
    // A member invited again keeps the higher role.
    store.create_invite(shop, &invite("sam@example.com", Role::Owner, "s4", 8_000)).await.unwrap();
    assert_eq!(store.accept_invite(&hash("s4"), "sam", "sam@example.com", 8_100).await.unwrap().1, Role::Owner);
}

async fn concurrent_acceptances_of_one_invite_let_one_win(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    store.create_invite(shop, &invite("sam@example.com", Role::Staff, "race", 1_000)).await.unwrap();
    let tries = (0..8).map(|i| {
        let store = store.clone();
        async move { store.accept_invite(&hash("race"), &format!("sam-{i}"), "sam@example.com", 1_100).await }
    });
    let results = futures::future::join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert_eq!(store.team(shop, 1_200).await.unwrap().members.len(), 2);
}

async fn a_store_always_keeps_an_owner(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    assert!(matches!(store.set_member_role(shop, "ana", Role::Staff).await, Err(StoreError::Refused(_))));
    assert!(matches!(store.remove_member(shop, "ana").await, Err(StoreError::Refused(_))));
    store.create_invite(shop, &invite("bo@example.com", Role::Staff, "b", 1_000)).await.unwrap();
    store.accept_invite(&hash("b"), "bo", "bo@example.com", 1_001).await.unwrap();
    store.set_member_role(shop, "bo", Role::Owner).await.unwrap();
    store.set_member_role(shop, "ana", Role::Staff).await.unwrap();
    assert!(matches!(store.remove_member(shop, "bo").await, Err(StoreError::Refused(_))));
    store.remove_member(shop, "ana").await.unwrap();
    assert!(store.memberships_of("ana").await.unwrap().is_empty(), "a removed member loses the store");
    assert!(matches!(store.remove_member(shop, "ana").await, Err(StoreError::NotFound)));
    let other = open(&store, "other", "zed").await;
    assert!(matches!(store.set_member_role(other, "bo", Role::Staff).await, Err(StoreError::NotFound)), "not another store's member");
}

async fn a_custom_domain_is_served_only_once_proven(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    let name = domain("shop.example.com");
    let claimed = store.claim_domain(shop, &name, "zelly-verify-t1", 20).await.unwrap();
    assert_eq!((claimed.status, claimed.kind), (DomainStatus::Pending, DomainKind::Custom));
    assert_eq!(claimed.record_name.as_deref(), Some("_zelly.shop.example.com"));
    assert!(store.tenant_by_domain(&name).await.unwrap().is_none(), "a claim is not served");
    assert!(matches!(store.claim_domain(shop, &name, "x", 20).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.domain_token(shop, &name).await.unwrap().as_deref(), Some("zelly-verify-t1"));
    let failed = store.record_domain_check(shop, &name, &missing(), 10).await.unwrap();
    assert_eq!(failed.status, DomainStatus::Failed);
    assert_eq!(failed.failure.as_deref(), Some("no TXT record"));
    assert!(store.tenant_by_domain(&name).await.unwrap().is_none());
    // DNS unreachable: nothing concluded.
    let unsure = DomainCheckOutcome { proven: None, routed: false, failure: Some("DNS lookup failed: timeout".into()) };
    assert_eq!(store.record_domain_check(shop, &name, &unsure, 11).await.unwrap().status, DomainStatus::Failed);
    let verified = store.record_domain_check(shop, &name, &proven(false), 12).await.unwrap();
    assert_eq!(verified.status, DomainStatus::Verified);
    assert_eq!(store.tenant_by_domain(&name).await.unwrap().unwrap().id, shop);
    let active = store.record_domain_check(shop, &name, &proven(true), 13).await.unwrap();
    assert_eq!((active.status, active.failure), (DomainStatus::Active, None));
    let listed = store.store_domains(shop).await.unwrap();
    assert_eq!(listed.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["tea-house.zelly.test", "shop.example.com"]);
    assert!(listed[0].primary && listed[0].record_name.is_none());
    // Past the limit of custom domains.
    assert!(matches!(store.claim_domain(shop, &domain("two.example.com"), "t", 1).await, Err(StoreError::Refused(_))));
}

async fn a_vanished_record_flags_the_domain_and_a_new_proof_restores_it(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    let name = domain("shop.example.com");
    store.claim_domain(shop, &name, "zelly-verify-t1", 20).await.unwrap();
    store.record_domain_check(shop, &name, &proven(true), 10).await.unwrap();
    store.set_primary_domain(shop, &name).await.unwrap();
    assert_eq!(store.primary_domain(shop).await.unwrap().unwrap(), name);
    let due = store.domains_due(100, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].tenant, due[0].token.as_str()), (shop, "zelly-verify-t1"));
    assert!(store.domains_due(5, 10).await.unwrap().is_empty(), "checked at 10, not due before 5");
    // DNS unreachable: still served.
    let unsure = DomainCheckOutcome { proven: None, routed: false, failure: Some("DNS lookup failed: timeout".into()) };
    assert_eq!(store.record_domain_check(shop, &name, &unsure, 20).await.unwrap().status, DomainStatus::Active);
    assert!(store.tenant_by_domain(&name).await.unwrap().is_some());
    let flagged = store.record_domain_check(shop, &name, &missing(), 30).await.unwrap();
    assert_eq!(flagged.status, DomainStatus::Flagged);
    assert!(store.tenant_by_domain(&name).await.unwrap().is_none(), "a flagged domain is not served");
    assert_eq!(store.primary_domain(shop).await.unwrap().unwrap().as_str(), "tea-house.zelly.test", "primary falls back");
    // Flagged domains are checked again too, and stay flagged until proven.
    assert_eq!(store.domains_due(100, 10).await.unwrap().len(), 1);
    assert_eq!(store.record_domain_check(shop, &name, &missing(), 40).await.unwrap().status, DomainStatus::Flagged);
    assert_eq!(store.record_domain_check(shop, &name, &proven(true), 50).await.unwrap().status, DomainStatus::Active);
    assert!(store.tenant_by_domain(&name).await.unwrap().is_some());
}

async fn a_domain_goes_to_the_first_store_that_proves_it(store: DynStore) {
    let a = open(&store, "alpha", "ana").await;
    let b = open(&store, "beta", "bo").await;
    let name = domain("shop.example.com");
    store.claim_domain(a, &name, "ta", 20).await.unwrap();
    store.claim_domain(b, &name, "tb", 20).await.unwrap();
    store.record_domain_check(b, &name, &proven(true), 10).await.unwrap();
    let late = store.record_domain_check(a, &name, &proven(true), 11).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    assert!(matches!(store.claim_domain(a, &domain("beta.zelly.test"), "x", 20).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.tenant_by_domain(&name).await.unwrap().unwrap().id, b);
    // Neither store sees the other's rows.
    assert!(store.store_domains(b).await.unwrap().iter().all(|d| d.record_value.as_deref() != Some("ta")));
    assert!(matches!(store.record_domain_check(a, &domain("beta.zelly.test"), &proven(true), 12).await, Err(StoreError::NotFound)));
}

async fn the_platform_address_stays_and_primary_follows_removals(store: DynStore) {
    let shop = open(&store, "tea-house", "ana").await;
    let platform = domain("tea-house.zelly.test");
    assert!(matches!(store.remove_domain(shop, &platform).await, Err(StoreError::Refused(_))));
    let name = domain("shop.example.com");
    store.claim_domain(shop, &name, "t", 20).await.unwrap();
    assert!(matches!(store.set_primary_domain(shop, &name).await, Err(StoreError::Refused(_))), "unproven cannot be primary");
    store.record_domain_check(shop, &name, &proven(true), 10).await.unwrap();
    store.set_primary_domain(shop, &name).await.unwrap();
    store.remove_domain(shop, &name).await.unwrap();
    assert!(store.tenant_by_domain(&name).await.unwrap().is_none());
    assert_eq!(store.primary_domain(shop).await.unwrap().unwrap(), platform);
    assert!(matches!(store.remove_domain(shop, &name).await, Err(StoreError::NotFound)));
    let other = open(&store, "other", "zed").await;
    assert!(matches!(store.remove_domain(other, &platform).await, Err(StoreError::NotFound)), "not another store's");
}
