//! The three working languages of the ILO: English, French and Spanish.
//!
//! - [`negotiate`] chooses a request's language from its `lang` parameter or its
//!   `Accept-Language` header.
//! - [`catalogue`] holds every user-facing message (problem titles, feed labels, the page's
//!   labels): one file per language in `static/i18n/`, the page reading the same files.
//! - [`names`] gives country names and instrument titles in the chosen language, from the
//!   seed data; a missing translation falls back to English and is noted, so the answer can
//!   say so (`Content-Language: fr, en`).
//!
//! The language of the request being served is a task-local [`Context`], set by the API's
//! language middleware and carried into database work by `api::with_db`; outside a request
//! (the CLI, the seed) it is English.

pub mod catalogue;
pub mod names;
pub mod negotiate;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language answers can be given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Es];

    /// The BCP 47 tag.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// A language tag's primary subtag, any case: `fr`, `FR`, `fr-CH` are French.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }
}

/// The language of the request being served, and whether some name or title in its answer
/// had to fall back to English.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub lang: Lang,
    fell_back: Arc<AtomicBool>,
}

impl Context {
    pub fn new(lang: Lang) -> Context {
        Context {
            lang,
            fell_back: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether an English text stood in for a missing translation.
    pub fn fell_back(&self) -> bool {
        self.fell_back.load(Ordering::Relaxed)
    }

    /// `fr`, or `fr, en` when English stood in for a missing translation.
    pub fn content_language(&self) -> String {
        if self.lang != Lang::En && self.fell_back() {
            format!("{}, en", self.lang.code())
        } else {
            self.lang.code().to_string()
        }
    }
}

tokio::task_local! {
    static CURRENT: Context;
}

/// The current request's context, if there is one.
pub fn current() -> Option<Context> {
    CURRENT.try_with(Context::clone).ok()
}

/// The current request's language; English outside a request.
pub fn lang() -> Lang {
    CURRENT.try_with(|c| c.lang).unwrap_or_default()
}

/// Notes that English stood in for a missing translation.
pub(crate) fn note_fallback() {
    let _ = CURRENT.try_with(|c| c.fell_back.store(true, Ordering::Relaxed));
}

/// Runs `work` in the language of `context`.
pub async fn scope<F: Future>(context: Context, work: F) -> F::Output {
    CURRENT.scope(context, work).await
}

/// Runs `work` (on a blocking thread, say) in the language of `context`, or as it is when
/// there is none.
pub fn sync_scope<R>(context: Option<Context>, work: impl FnOnce() -> R) -> R {
    match context {
        Some(context) => CURRENT.sync_scope(context, work),
        None => work(),
    }
}

/// Runs `work` in English, whatever the request's language: what is stored (audit
/// snapshots) is never in the language of the person who happened to ask.
pub fn in_english<R>(work: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(Context::new(Lang::En), work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_read_by_its_primary_subtag_in_any_case() {
        assert_eq!(Lang::from_tag("fr-CH"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("ES"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag("french"), None);
    }

    #[test]
    fn content_language_names_english_when_it_stood_in() {
        let context = Context::new(Lang::Fr);
        assert_eq!(context.content_language(), "fr");
        sync_scope(Some(context.clone()), note_fallback);
        assert_eq!(context.content_language(), "fr, en");
        let english = Context::new(Lang::En);
        sync_scope(Some(english.clone()), note_fallback);
        assert_eq!(english.content_language(), "en");
    }
}
