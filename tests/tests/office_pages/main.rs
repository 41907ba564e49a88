//! The office pages' API against a real office with field results made through the field
//! app's command layer: what each role sees and may do, rectification, review, conflicts,
//! sampling, milestones, exports read back, and the printed form ([`rights`]); what devices
//! learn from the office ([`devices`]); and the office's own decisions on 面积超标 and a new
//! policy ([`decisions`]); batch approval, the roster template and the unassigned counts
//! ([`batch`]).

mod batch;
mod contract;
mod decisions;
mod devices;
mod forms;
mod names;
mod printing;
mod privacy;
mod rights;
mod support;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
