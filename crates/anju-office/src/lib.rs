//! The township office: its database, the demo data of the source document, roster
//! import and reports. The command line (and, next, the HTTP server) are thin layers
//! over this library.

pub mod assign;
pub mod damaged;
pub mod db;
pub mod decide;
pub mod demo;
pub mod import;
pub mod pages;
pub mod report;
pub mod roster_file;
pub mod server;
pub mod storage;
pub mod sync_db;
pub mod users;
pub mod web;
