//! Handles (URL segments such as `brass-diya`) suggested from a title while a merchant types it.

/// The longest handle the API accepts.
pub const MAX_HANDLE_LEN: usize = 100;

/// A handle for `title`: lower-case ASCII letters and digits, words joined by single hyphens,
/// apostrophes dropped (`Men's Tee` → `mens-tee`), common accented letters without their accents,
/// at most [`MAX_HANDLE_LEN`] characters. Empty when the title has no usable letter or digit.
pub fn suggest_handle(title: &str) -> String {
    let mut handle = String::new();
    let mut pending_hyphen = false;
    for ch in title.chars() {
        if matches!(ch, '\'' | '’' | '‘') {
            continue;
        }
        let ch = fold_accent(ch.to_lowercase().next().unwrap_or(ch));
        if ch.is_ascii_alphanumeric() {
            if pending_hyphen && !handle.is_empty() {
                if handle.len() + 1 >= MAX_HANDLE_LEN {
                    break;
                }
                handle.push('-');
            }
            pending_hyphen = false;
            if handle.len() >= MAX_HANDLE_LEN {
                break;
            }
            handle.push(ch);
        } else {
            pending_hyphen = true;
        }
    }
    handle
}

/// `é` → `e` and the like, for the Latin letters a title most often carries.
fn fold_accent(ch: char) -> char {
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' => 's',
        'ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::Handle;

    #[test]
    fn titles_become_handles() {
        assert_eq!(suggest_handle("Brass Diya"), "brass-diya");
        assert_eq!(
            suggest_handle("  Men's  Kurta — Blue/Indigo! "),
            "mens-kurta-blue-indigo"
        );
        assert_eq!(suggest_handle("Café Crème 2"), "cafe-creme-2");
        assert_eq!(suggest_handle("E2E Lamp"), "e2e-lamp");
        assert_eq!(suggest_handle("---"), "");
        assert_eq!(suggest_handle("चाय"), "");
    }

    #[test]
    fn every_suggestion_is_a_valid_handle() {
        let long = "word ".repeat(60);
        for title in ["Brass Diya", " a--b ", "x", &long, "9 to 5", "A.B.C"] {
            let handle = suggest_handle(title);
            assert!(handle.len() <= MAX_HANDLE_LEN);
            assert!(Handle::parse(&handle).is_ok(), "{title:?} gave {handle:?}");
        }
    }
}
