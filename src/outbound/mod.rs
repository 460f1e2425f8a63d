//! What normtrack sends out (issue 17): webhook deliveries over HTTP and digests over SMTP.
//! Transports only; what to send and when is `service::notify`'s.

pub mod http;
pub mod mail;
pub mod oidc;
