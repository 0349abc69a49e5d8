//! Separating reasoning from answers.
