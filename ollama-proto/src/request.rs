//! Turning typed requests into transport-neutral `http::Request<Bytes>`.
