//! The Anju domain, with no I/O: places and households, resident ID numbers, the
//! GB/T 50353 area engine and the per-person area policy, and the versioned acceptance
//! form with its validation. Everything here is tested without a database, a server or
//! a webview.

pub mod area;
pub mod clock;
pub mod construction;
pub mod district_policy;
pub mod form;
pub mod hash;
pub mod id_number;
pub mod judgement;
pub mod location;
// Area and its parsing; public through `area`, used by `area` and `policy` alike.
mod measure;
pub mod model;
pub mod office;
pub mod places;
pub mod policy;
pub mod records;
pub mod roster;
pub mod support;
pub mod tasks;
pub mod team;
#[cfg(test)]
mod testing;
pub mod verdict;
pub mod visits;
pub mod wire;

pub use id_number::{IdNumber, IdNumberError};
