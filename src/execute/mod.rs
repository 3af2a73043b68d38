//! Running work on many hosts at once.
//!
//! Fan-out is the heart of patchpilot: every step that touches hosts goes
//! through [`fanout::run`], which bounds concurrency, streams results back as
//! hosts finish, and keeps blocking network I/O off rayon's global pool
//! (that pool has one thread per core and is kept for CPU work).

pub mod fanout;
pub mod gather;
