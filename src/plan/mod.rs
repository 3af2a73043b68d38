//! Plan building.
