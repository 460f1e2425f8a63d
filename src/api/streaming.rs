//! An answer written while it is produced: a bounded channel of chunks as the body. The
//! producer waits while the client reads slowly (at most [`CHUNKS_IN_FLIGHT`] chunks wait in
//! memory), and stops when the client goes away (the body, and with it the receiver, is
//! dropped). Used by the CSV exports.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use tokio::sync::mpsc;

/// Chunks produced but not yet sent.
pub const CHUNKS_IN_FLIGHT: usize = 2;

/// The receiving end, as a response body.
pub struct ChannelBody {
    chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
}

/// The sending end: `send` waits while the client is behind, and fails once it has gone.
pub type ChunkSender = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// A body and the sender that feeds it.
pub fn channel() -> (ChunkSender, ChannelBody) {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    (tx, ChannelBody { chunks: rx })
}

impl MessageBody for ChannelBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.chunks.poll_recv(cx)
    }
}

/// A CSV file streamed a page at a time, each page read with a connection of its own:
/// memory stays flat however large the file, and a slow reader holds no database
/// connection. `page(key)` answers the page after `key` (the first for `None`) and the key to
/// continue after, if there is more.
pub fn csv_file<K, F>(
    state: actix_web::web::Data<super::AppState>,
    filename: &str,
    header: Vec<u8>,
    page: F,
) -> actix_web::HttpResponse
where
    K: Send + 'static,
    F: Fn(&mut crate::db::DbConn, Option<K>) -> crate::error::AppResult<(Vec<u8>, Option<K>)>
        + Send
        + Sync
        + Clone
        + 'static,
{
    let (tx, body) = channel();
    let state = state.into_inner();
    // Produced after the handler returned: in the request's language all the same.
    let language = crate::i18n::current().unwrap_or_default();
    actix_web::rt::spawn(crate::i18n::scope(language, async move {
        if tx.send(Ok(header.into())).await.is_err() {
            return;
        }
        let mut after: Option<K> = None;
        loop {
            let (page, key) = (page.clone(), after.take());
            let answer = super::with_db(&state, move |conn| page(conn, key)).await;
            match answer {
                Ok((bytes, next)) => {
                    if tx.send(Ok(bytes.into())).await.is_err() {
                        return; // the client went away
                    }
                    match next {
                        Some(key) => after = Some(key),
                        None => return,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export cut short");
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            }
        }
    }));
    actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

/// Refuses a body that is not declared `text/csv`.
pub fn require_csv(req: &actix_web::HttpRequest) -> crate::error::AppResult<()> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
    {
        Ok(())
    } else {
        Err(crate::error::AppError::UnsupportedMediaType(
            "the body must be a CSV file (Content-Type: text/csv)".into(),
        ))
    }
}
