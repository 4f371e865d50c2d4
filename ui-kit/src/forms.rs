//! Form errors: a 422 answer's `fields` (`{"title": "must be 1-200 characters",
//! "variants[1].sku": "…"}`) shown next to the inputs they are about.
//!
//! Every inline error is a `<p class="field-error" data-testid="field-error" data-field="{path}">`,
//! so a test (or a person with devtools) can tell which field it belongs to. What a form does not
//! show inline it lists in its general error banner ([`describe_path`] names the field there).

use leptos::prelude::*;
use std::collections::BTreeMap;

/// Field path → what is wrong with it (the shape of a 422 body's `error.fields`).
pub type FieldErrors = BTreeMap<String, String>;

/// The error under one input: shown while `errors` has an entry for `path`.
#[component]
pub fn FieldError(
    /// All of the form's errors.
    #[prop(into)]
    errors: Signal<FieldErrors>,
    /// The field's path, e.g. `title` or `variants[1].sku` (reactive: rows move).
    #[prop(into)]
    path: Signal<String>,
) -> impl IntoView {
    move || {
        let path = path.get();
        errors
            .with(|errors| errors.get(&path).cloned())
            .map(|message| {
                view! {
                    <p class="field-error" data-testid="field-error" data-field=path>
                        {message}
                    </p>
                }
            })
    }
}

/// Every error of a list field: `list` itself and its entries `list[0]`, `list[1]`, … (for an
/// input that edits a whole list at once, such as comma-separated tags).
#[component]
pub fn ListFieldErrors(
    /// All of the form's errors.
    #[prop(into)]
    errors: Signal<FieldErrors>,
    /// The list's path, e.g. `tags`.
    list: &'static str,
    /// How an entry is named in its message, e.g. `Tag` gives "Tag 4: must be 1-40 characters".
    entry_label: &'static str,
) -> impl IntoView {
    move || {
        errors.with(|errors| {
            list_errors(errors, list)
                .into_iter()
                .map(|(path, index, message)| {
                    let text = match index {
                        Some(i) => format!("{entry_label} {}: {message}", i + 1),
                        None => message,
                    };
                    view! {
                        <p class="field-error" data-testid="field-error" data-field=path>
                            {text}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

/// The errors of `list` and of its direct entries `list[i]`, in order: (path, entry index, message).
pub fn list_errors(errors: &FieldErrors, list: &str) -> Vec<(String, Option<usize>, String)> {
    let mut out: Vec<(String, Option<usize>, String)> = errors
        .iter()
        .filter_map(|(path, message)| {
            if path == list {
                return Some((path.clone(), None, message.clone()));
            }
            let index = path
                .strip_prefix(list)?
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<usize>()
                .ok()?;
            Some((path.clone(), Some(index), message.clone()))
        })
        .collect();
    out.sort_by_key(|(_, index, _)| index.map_or(0, |i| i + 1));
    out
}

/// A field path as a person reads it: `variants[1].compare_at_price_minor` → "Variant 2 › compare
/// at price minor", `tags[0]` → "Tag 1".
pub fn describe_path(path: &str) -> String {
    path.split('.')
        .flat_map(|segment| {
            let (name, rest) = segment.split_once('[').unwrap_or((segment, ""));
            let mut parts = vec![];
            let mut name = name.replace('_', " ");
            let indices: Vec<usize> = rest
                .split('[')
                .filter_map(|index| index.trim_end_matches(']').parse().ok())
                .collect();
            if !indices.is_empty() && name.ends_with('s') {
                name.pop();
            }
            let mut label = capitalise(&name);
            for index in indices {
                label.push_str(&format!(" {}", index + 1));
            }
            parts.push(label);
            parts
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(pairs: &[(&str, &str)]) -> FieldErrors {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_lists_own_and_entry_errors_are_found_in_order() {
        let all = errors(&[
            ("tags[10]", "too long"),
            ("tags[3]", "empty"),
            ("tags", "at most 50 tags"),
            ("tagsx", "no"),
            ("tags[1].x", "no"),
            ("title", "no"),
        ]);
        assert_eq!(
            list_errors(&all, "tags"),
            vec![
                ("tags".to_owned(), None, "at most 50 tags".to_owned()),
                ("tags[3]".to_owned(), Some(3), "empty".to_owned()),
                ("tags[10]".to_owned(), Some(10), "too long".to_owned()),
            ]
        );
    }

    #[test]
    fn paths_read_as_words() {
        assert_eq!(describe_path("title"), "Title");
        assert_eq!(describe_path("tags[0]"), "Tag 1");
        assert_eq!(
            describe_path("variants[1].compare_at_price_minor"),
            "Variant 2 › Compare at price minor"
        );
        assert_eq!(
            describe_path("variants[0].options[2]"),
            "Variant 1 › Option 3"
        );
    }
}
