//! An answer written while it is produced: a bounded channel of chunks as the body. The
//! producer waits while the client reads slowly (at most [`CHUNKS_IN_FLIGHT`] chunks wait in
//! memory), and stops when the client goes away (the body, and with it the receiver, is
//! dropped). Used by the CSV export.

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
