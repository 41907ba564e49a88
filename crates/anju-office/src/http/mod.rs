//! The HTTP layer that the sync API (`server`) and the office pages' API (`web`) both
//! stand on: the error answered as JSON and how other errors map to it (`errors`), the
//! JSON body extractor (`json`), the application's state (`state`), who is asking — a
//! device's Bearer token, a page's cookie and header (`auth`) —, running a service for
//! the user (`services`), and the counters (`metrics`).

mod auth;
mod errors;
mod json;
mod metrics;
mod services;
mod state;

pub use auth::{Authenticated, ClientAddr, OfficeUser, PAGE_HEADER, SESSION_COOKIE};
pub(crate) use auth::{
    bearer_token, login_refused, require_page_header, require_role, session_cookie,
};
pub use errors::AppError;
pub(crate) use errors::{method_not_allowed, not_found, page_error};
pub use json::ApiJson;
pub(crate) use metrics::count_responses;
pub use metrics::{Metrics, MetricsSnapshot};
pub(crate) use services::{read, run};
pub use state::{
    AppState, PDF_JOBS_RUNNING, PDF_JOBS_WAITING, ServeOptions, ServerError, default_pages_dir,
};
