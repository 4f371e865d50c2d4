//! The queues: each one's jobs per state, refreshed every 5 seconds while the screen shows, and
//! (support and admins) paused, resumed or its failed jobs retried; a queue's failed jobs with
//! their reason, attempts and payload, each retried or removed.

use crate::api::{Api, Auth, FAILED_PAGE_SIZE, Failure};
use crate::app::{Outcome, OutcomeBanner};
use crate::format::{can_act, count, iso_time, local_time, number, pretty_json, queue_label};
use crate::route::Route;
use crate::tenants::Load;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use zelly_edge::admin::{FailedJobView, QueueOverview};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// How often the queues screen asks again.
pub const LIVE_REFRESH: Duration = Duration::from_secs(5);

/// The list with one queue's overview replaced by `updated` (a pause or a resume answered it).
pub fn replace_queue(queues: &[QueueOverview], updated: QueueOverview) -> Vec<QueueOverview> {
    queues
        .iter()
        .map(|queue| {
            if queue.name == updated.name {
                updated.clone()
            } else {
                queue.clone()
            }
        })
        .collect()
}

/// The banner once the failed jobs of `queue` were sent to run again.
pub fn retried_message(queue: &str, affected: u64) -> String {
    match affected {
        0 => format!("{queue} had no failed jobs to retry."),
        n => format!(
            "{} of {queue} will run again.",
            count(n as i64, "failed job", "failed jobs")
        ),
    }
}

/// What "Retry failed" asks first.
pub fn retry_all_question(queue: &str, failed: u64) -> String {
    match failed {
        1 => format!("Run 1 failed job of {queue} again?"),
        n => format!("Run all {} failed jobs of {queue} again?", number(n as i64)),
    }
}

/// What Remove asks first.
pub fn remove_question(id: &str) -> String {
    format!("Remove job {id} for good? It will not run again and its data is gone.")
}

/// The queues at a glance, live.
#[component]
pub fn QueuesPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let auth = expect_context::<Auth>();
    // The table stays while it refreshes: only rows whose figures changed are drawn again.
    let load = RwSignal::new(Load::<()>::Loading);
    let queues = RwSignal::new(Vec::<QueueOverview>::new());
    let updated_at = RwSignal::new(None::<i64>);
    // A refresh that failed while the last answer is still shown: why.
    let stale = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(None::<String>);
    let in_flight = StoredValue::new(false);

    let fetch = {
        let api = api.clone();
        move || {
            if in_flight.try_get_value() != Some(false) {
                return;
            }
            in_flight.set_value(true);
            let api = api.clone();
            spawn_local(async move {
                let answer = api.queues().await;
                if load.is_disposed() {
                    return;
                }
                in_flight.set_value(false);
                match answer {
                    Ok(list) => {
                        queues.set(list);
                        if load.with_untracked(|l| *l != Load::Ready(())) {
                            load.set(Load::Ready(()));
                        }
                        stale.set(None);
                        updated_at.set(Some(zelly_ui_kit::auth::now_ms() as i64));
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) if load.with_untracked(|l| *l == Load::Ready(())) => {
                        stale.set(Some(failure.message));
                    }
                    Err(failure) => load.set(Load::Failed(failure.message)),
                }
            });
        }
    };
    fetch();
    // Live while the screen shows: the interval stops when it goes.
    let handle = set_interval_with_handle(
        {
            let fetch = fetch.clone();
            move || fetch()
        },
        LIVE_REFRESH,
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = handle {
            handle.clear();
        }
    });

    let set_paused = {
        let api = api.clone();
        Callback::new(move |(name, paused): (String, bool)| {
            if busy.with_untracked(Option::is_some) {
                return;
            }
            busy.set(Some(name.clone()));
            let api = api.clone();
            spawn_local(async move {
                let answer = api.set_paused(&name, paused).await;
                if load.is_disposed() {
                    return;
                }
                busy.set(None);
                let label = queue_label(&name);
                match answer {
                    Ok(updated) => {
                        queues.update(|list| *list = replace_queue(list, updated));
                        outcome.set(Some(Outcome::Done(if paused {
                            format!("{label} is paused: its jobs wait until it is resumed.")
                        } else {
                            format!("{label} is running again.")
                        })));
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => outcome.set(Some(Outcome::Failed(
                        if paused { "The queue could not be paused." } else { "The queue could not be resumed." },
                        failure.said(),
                    ))),
                }
            });
        })
    };
    let retry_all = {
        let (api, fetch) = (api.clone(), fetch.clone());
        Callback::new(move |(name, failed): (String, u64)| {
            let label = queue_label(&name);
            if busy.with_untracked(Option::is_some)
                || !window()
                    .confirm_with_message(&retry_all_question(&label, failed))
                    .unwrap_or(false)
            {
                return;
            }
            busy.set(Some(name.clone()));
            let (api, fetch) = (api.clone(), fetch.clone());
            spawn_local(async move {
                let answer = api.retry_failed(&name).await;
                if load.is_disposed() {
                    return;
                }
                busy.set(None);
                match answer {
                    Ok(result) => {
                        outcome.set(Some(Outcome::Done(retried_message(&label, result.affected))));
                        fetch();
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => outcome.set(Some(Outcome::Failed(
                        "The failed jobs could not be retried.",
                        failure.said(),
                    ))),
                }
            });
        })
    };
    let may_act = move || can_act(auth.role());

    view! {
        <Panel heading_id="queues-heading" heading="Queues">
            <div class="panel-notice">
                <OutcomeBanner outcome />
            </div>
            {move || match load.get() {
                Load::Loading | Load::Missing => view! { <LoadingState label="Loading the queues…" /> }.into_any(),
                Load::Failed(message) => {
                    let fetch = fetch.clone();
                    view! {
                        <ErrorState
                            title="The queues could not be loaded."
                            message
                            on_retry=move || {
                                load.set(Load::Loading);
                                fetch()
                            }
                        />
                    }
                    .into_any()
                }
                Load::Ready(()) if queues.with(Vec::is_empty) => view! {
                    <EmptyState title="No queues" detail="There are no queues to show." />
                }
                .into_any(),
                Load::Ready(()) => {
                    let may = may_act();
                    let rows = view! {
                        <For
                            each=move || queues.get()
                            key=|q| (q.name.clone(), q.paused, q.waiting, q.delayed, q.active, q.completed, q.failed)
                            children=move |queue| view! { <QueueRow queue busy may_act=may set_paused retry_all /> }
                        />
                    };
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="queue-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Queue"</th>
                                        <th scope="col">"State"</th>
                                        <th scope="col" class="num">"Waiting"</th>
                                        <th scope="col" class="num">"Delayed"</th>
                                        <th scope="col" class="num">"Running"</th>
                                        <th scope="col" class="num">"Done"</th>
                                        <th scope="col" class="num">"Failed"</th>
                                        {may.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
            }}
            <p class="list-note muted" aria-live="polite" data-testid="queues-updated">
                {move || match (stale.get(), updated_at.get()) {
                    (Some(message), _) => format!("Could not refresh: {message} Trying again every 5 seconds."),
                    (None, Some(ms)) => format!("Refreshed every 5 seconds. Last: {}", clock(ms)),
                    (None, None) => "Refreshed every 5 seconds.".to_owned(),
                }}
            </p>
        </Panel>
    }
}

/// The time of day of `ms` in the browser's zone, e.g. `14:03:07`.
fn clock(ms: i64) -> String {
    let text = local_time(ms);
    let seconds = ms.rem_euclid(60_000) / 1000;
    let time = text.rsplit(", ").next().unwrap_or_default();
    format!("{time}:{seconds:02}")
}

/// One queue's row.
#[component]
fn QueueRow(
    queue: QueueOverview,
    busy: RwSignal<Option<String>>,
    may_act: bool,
    set_paused: Callback<(String, bool)>,
    retry_all: Callback<(String, u64)>,
) -> impl IntoView {
    let href = Route::Queue(queue.name.clone()).href();
    let name = queue.name.clone();
    let this_busy = {
        let name = name.clone();
        move || busy.with(|b| b.as_deref() == Some(name.as_str()))
    };
    let any_busy = move || busy.with(Option::is_some);
    let paused = queue.paused;
    let failed = queue.failed;
    let actions = may_act.then(|| {
        let (pause_name, retry_name) = (name.clone(), name.clone());
        let this_busy = this_busy.clone();
        view! {
            <td class="cell-actions">
                <div class="row-actions">
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid=if paused { "resume-queue" } else { "pause-queue" }
                        disabled=any_busy
                        aria-busy=move || this_busy().then_some("true")
                        on:click=move |_| set_paused.run((pause_name.clone(), !paused))
                    >
                        {if paused { "Resume" } else { "Pause" }}
                    </button>
                    {(failed > 0).then(|| view! {
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            data-testid="retry-failed"
                            disabled=any_busy
                            on:click=move |_| retry_all.run((retry_name.clone(), failed))
                        >
                            "Retry failed"
                        </button>
                    })}
                </div>
            </td>
        }
    });
    view! {
        <tr data-testid="queue-row" data-queue=name.clone() data-paused=paused.to_string()>
            <td class="cell-title">
                <a class="row-link" href=href.clone()>{queue_label(&name)}</a>
                <br />
                <code class="handle">{name.clone()}</code>
            </td>
            <td>
                {if paused {
                    view! { <span class="badge badge-paused" data-testid="queue-paused">"Paused"</span> }.into_any()
                } else {
                    view! { <span class="badge badge-running">"Running"</span> }.into_any()
                }}
            </td>
            <td class="num">{number(queue.waiting as i64)}</td>
            <td class="num">{number(queue.delayed as i64)}</td>
            <td class="num">{number(queue.active as i64)}</td>
            <td class="num">{number(queue.completed as i64)}</td>
            <td class="num">
                {if failed > 0 {
                    view! {
                        <a class="failed-count" href=href data-testid="queue-failed">{number(failed as i64)}</a>
                    }
                    .into_any()
                } else {
                    view! { <span class="muted" data-testid="queue-failed">"0"</span> }.into_any()
                }}
            </td>
            {actions}
        </tr>
    }
}

/// A queue's failed jobs, a page at a time.
#[component]
pub fn FailedJobsPage(
    /// The queue's name.
    name: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let auth = expect_context::<Auth>();
    let label = queue_label(&name);
    let offset = RwSignal::new(0_u32);
    let load = RwSignal::new(Load::<Vec<FailedJobView>>::Loading);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(None::<String>);
    let ticket = StoredValue::new(0_u64);

    let fetch = {
        let (api, name) = (api.clone(), name.clone());
        Callback::new(move |quiet: bool| {
            let mine = ticket.get_value() + 1;
            ticket.set_value(mine);
            if !quiet {
                load.set(Load::Loading);
            }
            let (api, name) = (api.clone(), name.clone());
            let at = offset.get_untracked();
            spawn_local(async move {
                let answer = api.failed_jobs(&name, at).await;
                if ticket.try_get_value() != Some(mine) || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                    return;
                }
                load.set(Load::of(answer));
            });
        })
    };
    Effect::new(move |_| {
        offset.track();
        fetch.run(false);
    });

    let act = {
        let (api, name) = (api.clone(), name.clone());
        Callback::new(move |(id, remove): (String, bool)| {
            if busy.with_untracked(Option::is_some) {
                return;
            }
            if remove && !window().confirm_with_message(&remove_question(&id)).unwrap_or(false) {
                return;
            }
            busy.set(Some(id.clone()));
            let (api, name) = (api.clone(), name.clone());
            spawn_local(async move {
                let answer = if remove {
                    api.remove_job(&name, &id).await
                } else {
                    api.retry_job(&name, &id).await
                };
                if load.is_disposed() {
                    return;
                }
                busy.set(None);
                match answer {
                    Ok(()) => {
                        outcome.set(Some(Outcome::Done(if remove {
                            format!("Job {id} was removed.")
                        } else {
                            format!("Job {id} will run again.")
                        })));
                        fetch.run(true);
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => outcome.set(Some(Outcome::Failed(
                        if remove { "The job could not be removed." } else { "The job could not be retried." },
                        failure.said(),
                    ))),
                }
            });
        })
    };
    let retry_all = {
        let (api, name, label) = (api.clone(), name.clone(), label.clone());
        move |_| {
            if busy.with_untracked(Option::is_some)
                || !window()
                    .confirm_with_message(&format!("Run all failed jobs of {label} again?"))
                    .unwrap_or(false)
            {
                return;
            }
            busy.set(Some(String::new()));
            let (api, name, label) = (api.clone(), name.clone(), label.clone());
            spawn_local(async move {
                let answer = api.retry_failed(&name).await;
                if load.is_disposed() {
                    return;
                }
                busy.set(None);
                match answer {
                    Ok(result) => {
                        outcome.set(Some(Outcome::Done(retried_message(&label, result.affected))));
                        offset.set(0);
                        fetch.run(true);
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => outcome.set(Some(Outcome::Failed(
                        "The failed jobs could not be retried.",
                        failure.said(),
                    ))),
                }
            });
        }
    };
    let may_act = move || can_act(auth.role());
    let has_jobs = move || load.with(|l| matches!(l, Load::Ready(jobs) if !jobs.is_empty()));
    let header_actions = move || {
        (may_act() && has_jobs())
            .then(|| {
                let retry_all = retry_all.clone();
                view! {
                    <button
                        type="button"
                        class="button button-secondary button-inline"
                        data-testid="retry-all-failed"
                        disabled=move || busy.with(Option::is_some)
                        on:click=retry_all
                    >
                        "Retry all failed"
                    </button>
                }
            })
            .into_any()
    };

    view! {
        <p class="breadcrumb">
            <a href=Route::Queues.href() data-testid="back-to-queues">"← Queues"</a>
        </p>
        <Panel
            heading_id="failed-heading"
            heading=format!("Failed jobs: {label}")
            actions=Box::new(move || header_actions.into_any())
        >
            <div class="panel-notice">
                <OutcomeBanner outcome />
            </div>
            {move || match load.get() {
                Load::Loading => view! { <LoadingState label="Loading failed jobs…" /> }.into_any(),
                Load::Missing => view! {
                    <EmptyState title="There is no such queue" detail="The link may be wrong.">
                        <a class="button button-secondary" href=Route::Queues.href()>"Back to the queues"</a>
                    </EmptyState>
                }
                .into_any(),
                Load::Failed(message) => view! {
                    <ErrorState title="The failed jobs could not be loaded." message on_retry=move || fetch.run(false) />
                }
                .into_any(),
                Load::Ready(jobs) if jobs.is_empty() && offset.get_untracked() > 0 => view! {
                    <EmptyState title="No more failed jobs" detail="This page is past the last one.">
                        <button type="button" class="button button-secondary" on:click=move |_| offset.set(0)>
                            "Back to the first page"
                        </button>
                    </EmptyState>
                }
                .into_any(),
                Load::Ready(jobs) if jobs.is_empty() => view! {
                    <EmptyState
                        title="No failed jobs"
                        detail="Jobs that still fail after all their attempts show up here."
                    />
                }
                .into_any(),
                Load::Ready(jobs) => {
                    let at = offset.get_untracked();
                    let shown = jobs.len();
                    let full = shown as u32 >= FAILED_PAGE_SIZE;
                    let rows = jobs
                        .into_iter()
                        .map(|job| view! { <FailedJobRow job busy may_act=may_act() act /> })
                        .collect_view();
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="failed-job-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Job"</th>
                                        <th scope="col">"Why it failed"</th>
                                        <th scope="col" class="num">"Attempts"</th>
                                        <th scope="col">"Failed"</th>
                                        {may_act().then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <div class="list-footer">
                            <p class="muted">{format!("Jobs {}–{}", at + 1, at as usize + shown)}</p>
                            <div class="pager">
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="failed-previous"
                                    disabled=at == 0
                                    on:click=move |_| offset.set(at.saturating_sub(FAILED_PAGE_SIZE))
                                >
                                    "Previous"
                                </button>
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="failed-next"
                                    disabled=!full
                                    on:click=move |_| offset.set(at + FAILED_PAGE_SIZE)
                                >
                                    "Next"
                                </button>
                            </div>
                        </div>
                    }
                    .into_any()
                }
            }}
        </Panel>
    }
}

/// One failed job, its payload folded away.
#[component]
fn FailedJobRow(
    job: FailedJobView,
    busy: RwSignal<Option<String>>,
    may_act: bool,
    act: Callback<(String, bool)>,
) -> impl IntoView {
    let id = job.id.clone();
    let any_busy = move || busy.with(Option::is_some);
    let actions = may_act.then(|| {
        let (retry_id, remove_id) = (id.clone(), id.clone());
        view! {
            <td class="cell-actions">
                <div class="row-actions">
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid="retry-job"
                        disabled=any_busy
                        on:click=move |_| act.run((retry_id.clone(), false))
                    >
                        "Retry"
                    </button>
                    <button
                        type="button"
                        class="button button-danger button-small"
                        data-testid="remove-job"
                        disabled=any_busy
                        on:click=move |_| act.run((remove_id.clone(), true))
                    >
                        "Remove"
                    </button>
                </div>
            </td>
        }
    });
    let failed_at = job.failed_at_ms as i64;
    view! {
        <tr data-testid="failed-job-row" data-job=id.clone()>
            <td class="cell-job">
                <span class="cell-title">{job.name.clone()}</span>
                <br />
                <code class="handle">{format!("#{}", job.id)}</code>
                <details class="job-data">
                    <summary>"Data"</summary>
                    <pre data-testid="job-data">{pretty_json(&job.data)}</pre>
                </details>
            </td>
            <td class="cell-reason">{job.failed_reason.clone()}</td>
            <td class="num">{job.attempts_made}</td>
            <td class="cell-date">
                <time datetime=iso_time(failed_at)>{local_time(failed_at)}</time>
            </td>
            {actions}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, paused: bool) -> QueueOverview {
        QueueOverview {
            name: name.into(),
            paused,
            waiting: 1,
            delayed: 0,
            active: 0,
            completed: 5,
            failed: 2,
        }
    }

    #[test]
    fn a_paused_queue_replaces_its_old_row() {
        let queues = [queue("emails", false), queue("alerts", false)];
        let updated = replace_queue(&queues, queue("alerts", true));
        assert!(!updated[0].paused);
        assert!(updated[1].paused);
        assert_eq!(replace_queue(&queues, queue("other", true)), queues.to_vec());
    }

    #[test]
    fn bulk_retries_are_asked_and_announced() {
        assert_eq!(retried_message("Emails", 0), "Emails had no failed jobs to retry.");
        assert_eq!(retried_message("Emails", 1), "1 failed job of Emails will run again.");
        assert_eq!(retried_message("Emails", 12), "12 failed jobs of Emails will run again.");
        assert_eq!(retry_all_question("Emails", 1), "Run 1 failed job of Emails again?");
        assert_eq!(retry_all_question("Emails", 3), "Run all 3 failed jobs of Emails again?");
        assert!(remove_question("42").starts_with("Remove job 42 for good?"));
    }

    #[test]
    fn the_clock_shows_seconds() {
        assert_eq!(clock(1_747_038_787_000), "08:33:07");
    }
}
