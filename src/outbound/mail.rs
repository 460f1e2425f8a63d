//! E-mail over SMTP (lettre), configured by `NORMTRACK_SMTP_URL` (`smtp://host:port` in plain
//! for a local relay; `smtps://` or `?tls=required` otherwise, with credentials in the URL)
//! and `NORMTRACK_MAIL_FROM`. A mail server that does not answer within 10 s fails the
//! message, which is recorded; no request ever waits for mail.

use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::{Message, SmtpTransport, Transport};

/// The limit on one SMTP exchange.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A configured sender.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

/// Why the e-mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("NORMTRACK_SMTP_URL is not a usable smtp:// or smtps:// URL: {0}")]
    Url(String),
    #[error("NORMTRACK_MAIL_FROM is not an e-mail address: {0}")]
    From(String),
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, MailConfigError> {
        let transport = SmtpTransport::from_url(smtp_url)
            .map_err(|e| MailConfigError::Url(e.to_string()))?
            .timeout(Some(TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailConfigError::From(e.to_string()))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message. The connection is tried first, so that a server that
    /// cannot be reached is told apart from one that failed during the exchange (when the
    /// message may have been taken: it is then never sent again).
    pub fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| MailError::Failed(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Failed(e.to_string()))?;
        match self.transport.test_connection() {
            Ok(true) => {}
            Ok(false) => return Err(MailError::Unreachable("the mail server did not answer".into())),
            Err(e) => return Err(MailError::Unreachable(e.to_string())),
        }
        self.transport.send(&message).map(|_| ()).map_err(|e| {
            if e.is_transient() {
                MailError::Deferred(e.to_string())
            } else {
                MailError::Failed(e.to_string())
            }
        })
    }
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The server could not be reached: nothing was sent; try again later.
    #[error("mail server unreachable: {0}")]
    Unreachable(String),
    /// The server refused it for now (4xx): nothing was taken; try again later.
    #[error("mail server deferred the message: {0}")]
    Deferred(String),
    /// Refused for good (5xx, a bad address) or cut off during the exchange, when it may have
    /// been taken: never sent again.
    #[error("message not sent: {0}")]
    Failed(String),
}

impl MailError {
    /// Whether a later attempt can send it without risking a second copy.
    pub fn retry(&self) -> bool {
        matches!(self, MailError::Unreachable(_) | MailError::Deferred(_))
    }
}
