//! Helpers of the end-to-end tests in `tests/`: a fault-injecting TCP proxy
//! ([`proxy`]), an office server to run in-process or as a process, and a device with
//! work to sync ([`fixtures`]).

pub mod balancer;
pub mod field;
pub mod fixtures;
pub mod pages;
pub mod proxy;
pub mod real_app;
pub mod records;
pub mod seed;
pub mod webdriver;
pub mod workload;
