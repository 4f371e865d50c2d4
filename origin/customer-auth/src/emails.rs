//! What customer-auth emails shoppers, in the store's name, and how it queues them.

use crate::AppState;
use zelly_mail::Email;

/// What an email is about, with what it needs to say.
pub enum Message<'a> {
    /// A new account (or a new address) to confirm.
    Confirm {
        /// The link that confirms it.
        link: &'a str,
    },
    /// Someone tried to open an account with an address that has one.
    AlreadyRegistered {
        /// Where to reset the password.
        reset_hint: &'a str,
    },
    /// A forgotten password.
    Reset {
        /// The link that sets a new one.
        link: &'a str,
    },
}

impl Message<'_> {
    /// The email to `to` from store `store`.
    pub fn email(&self, store: &str, to: &str) -> Email {
        let (subject, body) = match self {
            Message::Confirm { link } => (
                format!("Confirm your email for {store}"),
                format!(
                    "Hello,\n\nConfirm this address to finish opening your account at {store}:\n{link}\n\n\
                     The link works once, for 24 hours. If you did not ask for an account, ignore this email: \
                     nothing happens unless the link is used.\n"
                ),
            ),
            Message::AlreadyRegistered { reset_hint } => (
                format!("You already have an account at {store}"),
                format!(
                    "Hello,\n\nSomeone (probably you) tried to open an account at {store} with this address, \
                     which already has one. Sign in with your password, or if you forgot it: {reset_hint}\n\n\
                     If it was not you, you can ignore this email: your account is unchanged.\n"
                ),
            ),
            Message::Reset { link } => (
                format!("Reset your password for {store}"),
                format!(
                    "Hello,\n\nChoose a new password for your account at {store}:\n{link}\n\n\
                     The link works once, for one hour, and signs you out everywhere else. \
                     If you did not ask for this, ignore this email: your password is unchanged.\n"
                ),
            ),
        };
        Email { to: to.to_owned(), reply_to: None, subject, text: body }
    }

    fn kind(&self) -> &'static str {
        match self {
            Message::Confirm { .. } => "customer-confirm",
            Message::AlreadyRegistered { .. } => "customer-already-registered",
            Message::Reset { .. } => "customer-reset",
        }
    }
}

/// Queues `message` to `to`; `id` makes queueing it twice send it once.
pub async fn send(state: &AppState, store: &str, to: &str, message: &Message<'_>, id: String) -> Result<(), zelly_queue::QueueError> {
    zelly_mail::enqueue(&state.queues, message.kind(), id, &message.email(store, to)).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_email_names_the_store_and_carries_its_link_on_a_line_of_its_own() {
        let confirm = Message::Confirm { link: "http://localhost:5174/stores/demo.localhost/verify-email?token=abc" }.email("Chai & Co", "a@example.com");
        assert_eq!(confirm.subject, "Confirm your email for Chai & Co");
        assert!(confirm.text.contains("\nhttp://localhost:5174/stores/demo.localhost/verify-email?token=abc\n"));
        let reset = Message::Reset { link: "L" }.email("Chai & Co", "a@example.com");
        assert!(reset.text.contains("one hour"), "{}", reset.text);
        let again = Message::AlreadyRegistered { reset_hint: "H" }.email("Chai & Co", "a@example.com");
        assert!(again.text.contains("already has one"), "{}", again.text);
    }
}
