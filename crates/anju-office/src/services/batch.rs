//! Approving many submissions at once: only those that raise nothing (no findings, nothing
//! in the office's judgement, not 不合格), each by the same rules and in its own
//! transaction as a single approval, with an answer per record.

use std::collections::{BTreeMap, BTreeSet};

use anju_core::verdict::AcceptanceVerdict;

use super::views::*;
use super::{PageError, Result, Viewer, review_queue, review_submission};
use crate::db::OfficeDb;

/// The most submissions one batch approves: a page of the queue, and a bounded request.
pub const MAX_BATCH: usize = 200;

pub fn approve_batch(
    db: &mut OfficeDb,
    viewer: &Viewer,
    request: &BatchApprove,
) -> Result<BatchApproval> {
    viewer.require_admin()?;
    let ids = &request.submission_ids;
    if ids.is_empty() {
        return Err(PageError::Invalid(
            "请选择要通过的记录 / choose the records to approve".into(),
        ));
    }
    if ids.len() > MAX_BATCH {
        return Err(PageError::Invalid(format!(
            "一次最多批量通过{MAX_BATCH}条，本次{}条 / at most {MAX_BATCH} records are approved at once, not {}",
            ids.len(),
            ids.len()
        )));
    }
    // The queue as the reviewer sees it decides what raises something.
    let queue = review_queue(db, viewer)?;
    let waiting: BTreeMap<&str, &ReviewItem> = queue
        .submissions
        .iter()
        .map(|item| (item.submission_id.as_str(), item))
        .collect();
    let mut seen = BTreeSet::new();
    let mut approval = BatchApproval {
        approved: Vec::new(),
        refused: Vec::new(),
    };
    let approve = ReviewDecision {
        decision: ReviewVerdict::Approved,
        note: None,
    };
    for id in ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let refuse = |code: &str, message: String| BatchRefusal {
            submission_id: id.clone(),
            code: code.to_string(),
            message,
        };
        match waiting.get(id.as_str()) {
            Some(item) if item.raises_nothing => {
                match review_submission(db, viewer, id, &approve) {
                    Ok(()) => approval.approved.push(id.clone()),
                    Err(e @ (PageError::Db(_) | PageError::Storage(_))) => return Err(e),
                    Err(e) => approval.refused.push(refuse(e.code(), e.to_string())),
                }
            }
            Some(_) => approval.refused.push(refuse(
                "raises_something",
                "此记录有问题或提示，须逐条审核 / this record raises something: review it on its own".into(),
            )),
            None => approval.refused.push(refuse(
                "not_waiting",
                format!(
                    "记录{id}不在待审核列表中（已审核、不存在或不属于本辖区） / record {id} is not waiting for review (already reviewed, unknown, or not yours)"
                ),
            )),
        }
    }
    Ok(approval)
}

/// Whether a submission leaves nothing for a person to weigh (the rule of batch approval).
pub(super) fn raises_nothing(
    findings: u32,
    verdict: Option<AcceptanceVerdict>,
    j: Option<&JudgementView>,
) -> bool {
    findings == 0
        && verdict != Some(AcceptanceVerdict::Fail)
        && j.is_none_or(|j| {
            j.policy_mismatch.is_none()
                && !j.over_cap
                && j.critical_failures.is_empty()
                && !j.people_differ
        })
}
