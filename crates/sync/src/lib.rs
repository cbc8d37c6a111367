//! The till side of the relay (being built).
