//! The township office: its database, the demo data of the source document, roster
//! import and reports. The command line and the HTTP server are thin layers over this
//! library.

pub mod app;
pub mod assign;
pub mod audit;
pub mod blob_check;
pub mod blob_files;
pub mod blob_target;
pub mod damaged;
pub mod db;
pub mod decide;
pub mod demo;
pub mod forms;
pub mod http;
pub mod import;
pub mod listen;
pub mod login_failures;
pub mod move_up;
pub mod names;
pub mod print_jobs;
pub mod read_api;
pub mod report;
pub mod roster_file;
pub mod s3_blobs;
pub mod server;
pub mod services;
pub mod signin;
pub mod storage;
pub mod sync_db;
pub mod team_pin;
pub mod teams;
pub mod testing;
pub mod throttle;
pub mod tls;
pub mod users;
pub mod web;
pub mod work;
