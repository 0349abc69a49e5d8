//! Placeholder (replaced at merge by the full response classification).

use crate::error::{BodyKind, Error, StatusError};

/// Classifies an HTTP error body.
pub fn status_error(status: u16, body: &[u8]) -> Error {
    let e = StatusError {
        status,
        message: String::from_utf8_lossy(body).trim().to_owned(),
        signin_url: None,
        body: if body.is_empty() {
            BodyKind::Empty
        } else {
            BodyKind::Text
        },
    };
    if status == 401 {
        Error::Unauthorized(e)
    } else {
        Error::Status(e)
    }
}
