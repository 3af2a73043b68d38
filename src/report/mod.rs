//! What people read: tables and summaries rendered from artifacts.
//!
//! Rendering is kept apart from the commands so every step's output looks
//! alike and can be tested without running the step.

pub mod inventory_summary;
