//! The households screen and a household's page: the list, its places, and every
//! inspection of a household, this device's and the office's record of the others'.

use std::collections::{BTreeMap, BTreeSet};

use anju_core::form::Text;
use anju_core::model::{Household, SubmissionKind};
use anju_core::records::{china_date, made_at};
use anju_core::verdict::HouseholdStatus as OfficeHouseholdStatus;
use anju_store::{HouseholdQuery, RecordKind, Store};
use uuid::Uuid;

use super::{FieldApp, PolicyInForce, Result};
use crate::error::AppError;
use crate::views::*;

impl FieldApp {
    pub fn list_households(&self, query: &HouseholdQuery) -> Result<HouseholdPage> {
        let store = self.store();
        let items = store.search(query)?;
        let counts = store.count_by_status(query)?;
        Ok(HouseholdPage {
            items,
            counts,
            total_matching: store.count(query)?,
        })
    }

    pub fn places(&self) -> Result<Vec<PlaceFilter>> {
        Ok(self
            .store()
            .places()?
            .into_iter()
            .map(|(township, sites)| PlaceFilter { township, sites })
            .collect())
    }

    pub(super) fn household(&self, store: &Store, id: Uuid) -> Result<Household> {
        store.household(id)?.ok_or(AppError::UnknownHousehold(id))
    }

    /// Every inspection of the household, this device's and the office's record of the
    /// others', and the area the latest acceptance that counts recorded.
    pub(super) fn inspections(
        store: &Store,
        household: &Household,
    ) -> Result<(Vec<InspectionSummary>, Option<RecordedArea>)> {
        let id = household.id;
        let office = store.office_inspections(id)?;
        // The office's word on each returned submission, this device's included.
        let returned: BTreeMap<Uuid, Option<String>> = office
            .iter()
            .filter(|i| i.returned)
            .map(|i| (i.submission_id, i.return_note.clone()))
            .collect();
        let mut inspections = Vec::new();
        // (when, area, submission) of every acceptance that counts, local or not.
        let mut acceptances = Vec::new();
        let policies = store.policies()?;
        for submission in store.submissions_for(id)? {
            let made_at = made_at(&submission.clock);
            // Each assessed by the policy in force on the day it was made.
            let assessment = submission.answers.measurement().and_then(|measurement| {
                PolicyInForce::on(&policies, china_date(made_at))
                    .assess(measurement, household.size)
                    .ok()
            });
            let is_returned = returned.contains_key(&submission.id);
            if submission.kind == SubmissionKind::Acceptance
                && !is_returned
                && let Some(assessment) = &assessment
            {
                acceptances.push((made_at, assessment.built_area, submission.id));
            }
            inspections.push(InspectionSummary {
                submission_id: submission.id,
                kind: submission.kind,
                inspector: submission.inspector.clone(),
                made_at,
                built_area_m2: assessment.as_ref().map(|a| a.built_area.to_m2_string()),
                verdict_over: assessment.as_ref().map(|a| a.is_over()),
                synced: store
                    .is_acknowledged(RecordKind::Submission, &submission.id.to_string())?,
                findings: store.findings_of_submission(submission.id)?,
                on_this_device: true,
                returned: is_returned,
                return_note: returned.get(&submission.id).cloned().flatten(),
            });
        }
        let local: BTreeSet<Uuid> = inspections.iter().map(|i| i.submission_id).collect();
        for other in office
            .into_iter()
            .filter(|i| !local.contains(&i.submission_id))
        {
            if other.kind == SubmissionKind::Acceptance
                && !other.returned
                && let Some(area) = other.built_area
            {
                acceptances.push((other.made_at, area, other.submission_id));
            }
            inspections.push(InspectionSummary {
                submission_id: other.submission_id,
                kind: other.kind,
                inspector: other.inspector,
                made_at: other.made_at,
                built_area_m2: other.built_area.map(|a| a.to_m2_string()),
                verdict_over: other.over_limit,
                synced: true,
                findings: 0,
                on_this_device: false,
                returned: other.returned,
                return_note: other.return_note,
            });
        }
        let recorded_area = acceptances
            .into_iter()
            .max_by_key(|(made_at, _, submission_id)| (*made_at, *submission_id))
            .map(|(made_at, built_area, submission_id)| RecordedArea {
                submission_id,
                built_area,
                made_at,
            });
        Ok((inspections, recorded_area))
    }

    pub fn household_detail(&self, id: Uuid) -> Result<HouseholdDetail> {
        let store = self.store();
        let household = self.household(&store, id)?;
        let status = store.household_status(id)?;
        let standing = store.office_standing(id)?;
        let open_findings = store.open_findings(id)?;
        let (mut inspections, recorded_area) = Self::inspections(&store, &household)?;
        // Newest first.
        inspections.sort_by_key(|i| std::cmp::Reverse((i.made_at, i.submission_id)));
        let accepted = inspections
            .iter()
            .any(|i| i.kind == SubmissionKind::Acceptance && !i.returned)
            || standing.is_some_and(|(status, _)| status != OfficeHouseholdStatus::Pending);
        // The open draft of each kind of visit.
        let open = |kind| store.draft_for(id, kind).map(|d| d.map(|d| d.id));
        Ok(HouseholdDetail {
            household,
            status,
            open_findings,
            inspections,
            acceptance_draft: open(SubmissionKind::Acceptance)?,
            spot_check_draft: open(SubmissionKind::SpotCheck)?,
            demolition_draft: open(SubmissionKind::Demolition)?,
            reclamation_draft: open(SubmissionKind::Reclamation)?,
            move_in_draft: open(SubmissionKind::MoveIn)?,
            groundbreaking_draft: open(SubmissionKind::Groundbreaking)?,
            progress_draft: open(SubmissionKind::Progress)?,
            area_inspection_draft: open(SubmissionKind::AreaInspection)?,
            township_check_draft: open(SubmissionKind::TownshipCheck)?,
            acceptance_part_draft: open(SubmissionKind::AcceptancePart)?,
            own_department: anju_sync::saved_session(&store)?.and_then(|s| s.user.department),
            recorded_area,
            office: standing.map(|(status, verdict)| OfficeStandingView {
                status: status.code().to_string(),
                status_label: Text::new(status.label_zh(), status.label_en()),
                verdict: verdict.map(|v| v.code().to_string()),
                verdict_label: verdict.map(|v| Text::new(v.label_zh(), v.label_en())),
            }),
            accepted,
        })
    }
}
