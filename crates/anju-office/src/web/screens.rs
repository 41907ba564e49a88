//! The office pages' screens: the dashboard, households, review, findings, assignments,
//! samples, the policy, old houses, the audit log and the certificate.

use super::*;

#[utoipa::path(get, path = "/api/office/dashboard", tag = "pages", responses((status = 200, body = Dashboard)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn dashboard(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Dashboard>, AppError> {
    read(&state, user, |db, v| services::dashboard(db, v))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/office/places", tag = "pages", responses((status = 200, body = Places)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn places(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Places>, AppError> {
    read(&state, user, |db, v| services::places(db, v))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/office/households", tag = "pages", params(HouseholdFilter), responses((status = 200, body = HouseholdPage)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn households(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<HouseholdPage>, AppError> {
    let filter: HouseholdFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| {
        services::households(db, v, &filter)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/households/{id}", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id")), responses((status = 200, body = HouseholdDetail)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn household(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<HouseholdDetail>, AppError> {
    read(&state, user, move |db, v| services::household(db, v, &id))
        .await
        .map(Json)
}

/// A household's ID and phone numbers in full; who asked is recorded.
#[utoipa::path(post, path = "/api/office/households/{id}/reveal", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id")), responses((status = 200, body = RevealedPersonalData, description = "recorded in the audit log")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn reveal(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<RevealedPersonalData>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let full = services::personal_data(db, v, &id)?;
        let entry = AuditEntry::by(&actor, AuditAction::Reveal).target(id.clone());
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(full)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/households/{id}/milestones", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id")), request_body = MilestoneUpdate, responses((status = 200, body = HouseholdDetail)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn milestones(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<MilestoneUpdate>,
) -> Result<Json<HouseholdDetail>, AppError> {
    run(&state, user, move |db, v| {
        services::update_milestones(db, v, &id, &update)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/review", tag = "pages", responses((status = 200, body = ReviewQueue)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn review(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<ReviewQueue>, AppError> {
    read(&state, user, |db, v| services::review_queue(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/review/{id}", tag = "pages", params(("id" = String, Path, description = "提交编号 / the submission id")), request_body = ReviewDecision, responses((status = 409, body = ApiError, description = "已审核过 / already reviewed"), (status = 204, description = "decided, and recorded in the audit log")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn review_decision(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<ReviewDecision>,
) -> Result<StatusCode, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        services::review_submission(db, v, &id, &decision)?;
        let entry = AuditEntry::by(&actor, AuditAction::Review)
            .target(id.clone())
            .detail(format!(
                "{}{}",
                decision.decision.code(),
                decision
                    .note
                    .as_deref()
                    .map(|n| format!("：{n}"))
                    .unwrap_or_default()
            ));
        Ok(crate::audit::record(db.connection(), &entry, Utc::now())?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approve many submissions that raise nothing; each approved one goes in the audit log.
#[utoipa::path(post, path = "/api/office/reviews/approve-batch", tag = "pages", request_body = BatchApprove, responses((status = 409, body = ApiError, description = "已审核过 / already reviewed"), (status = 200, body = BatchApproval)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn approve_batch(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<BatchApprove>,
) -> Result<Json<BatchApproval>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let approval = services::approve_batch(db, v, &request)?;
        for id in &approval.approved {
            let entry = AuditEntry::by(&actor, AuditAction::Review)
                .target(id.clone())
                .detail(format!("{}（批量）", ReviewVerdict::Approved.code()));
            crate::audit::record(db.connection(), &entry, Utc::now())?;
        }
        Ok(approval)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/conflicts/{id}", tag = "pages", params(("id" = i64, Path, description = "冲突编号 / the conflict id")), request_body = ConflictDecision, responses((status = 409, body = ApiError, description = "已处理过 / already decided"), (status = 204, description = "decided")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn conflict_decision(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<ConflictDecision>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("冲突编号须为整数：{id} / a conflict id is a whole number: {id}"),
        )
    })?;
    let actor = user.clone();
    run(&state, user, move |db, v| {
        services::decide_conflict(db, v, id, &decision)?;
        let keep = match decision.keep {
            ConflictKeep::Stored => "stored",
            ConflictKeep::Incoming => "incoming",
        };
        let entry = AuditEntry::by(&actor, AuditAction::ConflictDecision)
            .target(id.to_string())
            .detail(format!("{keep}：{}", decision.note));
        Ok(crate::audit::record(db.connection(), &entry, Utc::now())?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/office/findings", tag = "pages", params(FindingFilter), responses((status = 200, body = FindingList)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn findings(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<FindingList>, AppError> {
    let filter: FindingFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| {
        services::findings(db, v, &filter)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/findings/{id}/transition", tag = "pages", params(("id" = String, Path, description = "问题编号 / the finding id")), request_body = FindingTransition, responses((status = 409, body = ApiError, description = "问题的状态已被他人改变 / the finding moved on meanwhile"), (status = 200, body = FindingRow)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn finding_transition(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(transition): ApiJson<FindingTransition>,
) -> Result<Json<FindingRow>, AppError> {
    if let Some(sha) = &transition.evidence_sha256
        && !matches!(state.blobs.state(sha).await, Ok(b) if b.complete)
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "evidence_missing",
            "整改照片尚未上传完成，请重新上传 / the evidence photo has not been uploaded: upload it again",
        )
        .field("evidence_sha256"));
    }
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let row = services::transition_finding(db, v, &id, &transition)?;
        let entry = AuditEntry::by(&actor, AuditAction::FindingTransition)
            .target(id.clone())
            .detail(format!(
                "{}{}",
                transition.to.code(),
                transition
                    .note
                    .as_deref()
                    .map(|n| format!("：{n}"))
                    .unwrap_or_default()
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(row)
    })
    .await
    .map(Json)
}

/// What kind of image the bytes are, by their first bytes.
pub(super) fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

#[utoipa::path(post, path = "/api/office/findings/{id}/evidence", tag = "pages", params(("id" = String, Path, description = "问题编号 / the finding id")), request_body(content = Vec<u8>, content_type = "image/jpeg", description = "整改照片，JPEG 或 PNG，至多 20 MB / the evidence photo, JPEG or PNG, at most 20 MB"), responses((status = 200, body = EvidenceStored), (status = 413, body = ApiError), (status = 415, body = ApiError, description = "not a JPEG or PNG image")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn finding_evidence(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EvidenceStored>, AppError> {
    let uploader = user.id.clone();
    // The finding must be one this user may act on.
    read(&state, user, move |db, v| {
        let household: Option<String> =
            anju_sql::OptionalExtension::optional(db.connection().query_row(
                "SELECT household_id FROM findings WHERE id = ?1",
                [&id],
                |r| r.get(0),
            ))?;
        match household {
            Some(h) => v.check_household(db, &h),
            None => Err(PageError::NotFound {
                what_zh: "问题",
                what_en: "finding",
                id,
            }),
        }
    })
    .await?;
    if body.len() > MAX_UPLOAD {
        return Err(too_large("整改照片 / the evidence photo"));
    }
    if body.is_empty() || image_type(&body).is_none() {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_an_image",
            "整改照片须为 JPEG 或 PNG 图片 / the evidence must be a JPEG or PNG image",
        ));
    }
    let sha = anju_core::hash::sha256_hex(&body);
    let length = body.len() as u64;
    let stream = futures_util::stream::once(async move { Ok::<_, String>(body) });
    let done = state
        .blobs
        .append(&sha, 0, length, &uploader, Box::pin(stream), &|_| {})
        .await;
    match done {
        Ok(_) => Ok(Json(EvidenceStored { sha256: sha })),
        // Already there from an earlier upload of the same picture.
        Err(_) if matches!(state.blobs.state(&sha).await, Ok(b) if b.complete) => {
            Ok(Json(EvidenceStored { sha256: sha }))
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub(super) struct TownshipQuery {
    township: Option<String>,
}

#[utoipa::path(get, path = "/api/office/assignments", tag = "pages", params(TownshipQuery), responses((status = 200, body = AssignmentOverview)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn assignments(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<AssignmentOverview>, AppError> {
    let q: TownshipQuery = query(raw.as_deref())?;
    read(&state, user, move |db, v| {
        services::assignments(db, v, q.township.as_deref())
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/assignments", tag = "pages", request_body = BulkAssignment, responses((status = 409, body = ApiError, description = "安置点名称不唯一，请注明乡镇 / a site name more than one township has"), (status = 200, body = Changed)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn assign(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<BulkAssignment>,
) -> Result<Json<Changed>, AppError> {
    run(&state, user, move |db, v| {
        services::assign_bulk(db, v, &request)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/samples", tag = "pages", responses((status = 200, body = Vec<SampleSummary>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn samples(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<SampleSummary>>, AppError> {
    read(&state, user, |db, v| services::samples(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/samples", tag = "pages", request_body = SampleRequest, responses((status = 200, body = SampleView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn draw_sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<SampleRequest>,
) -> Result<Json<SampleView>, AppError> {
    run(&state, user, move |db, v| {
        services::draw_sample(db, v, &request)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/samples/{id}", tag = "pages", params(("id" = String, Path, description = "抽查编号 / the sample id")), responses((status = 200, body = SampleView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<SampleView>, AppError> {
    read(&state, user, move |db, v| services::sample(db, v, &id))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/samples/{id}/assign", tag = "pages", params(("id" = String, Path, description = "抽查编号 / the sample id")), request_body = SampleAssign, responses((status = 200, body = Changed)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn assign_sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SampleAssign>,
) -> Result<Json<Changed>, AppError> {
    run(&state, user, move |db, v| {
        services::assign_sample(db, v, &id, &request.inspector)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/policy", tag = "pages", responses((status = 200, body = PolicyPage)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn policy(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<PolicyPage>, AppError> {
    read(&state, user, |db, v| services::policy_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/policy", tag = "pages", request_body = PolicyUpdate, responses((status = 200, body = PolicyView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn set_policy(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(update): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyView>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let view = services::set_policy(db, v, &update)?;
        let entry = AuditEntry::by(&actor, AuditAction::PolicyChange)
            .target(format!("v{}", view.version))
            .detail(format!(
                "自 {} 起施行 / in force from {}",
                view.effective_from, view.effective_from
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(view)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/form-versions", tag = "pages", responses((status = 200, body = FormsPage)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn form_versions(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<FormsPage>, AppError> {
    read(&state, user, |db, v| services::forms_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/office/form-versions/{form}/{version}", tag = "pages", params(("form" = String, Path, description = "表单编号，如 anju.acceptance / the form id"), ("version" = u32, Path, description = "版本 / the version", minimum = 1)), responses((status = 200, body = FormPreview)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn form_preview(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path((form, version)): Path<(String, u32)>,
) -> Result<Json<FormPreview>, AppError> {
    read(&state, user, move |db, v| {
        services::form_preview(db, v, &form, version)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/form-versions/{form}/diff/{from}/{to}", tag = "pages", params(("form" = String, Path, description = "表单编号 / the form id"), ("from" = u32, Path, minimum = 1), ("to" = u32, Path, minimum = 1)), responses((status = 200, body = Vec<anju_core::form::FormChange>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn form_changes(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path((form, from, to)): Path<(String, u32, u32)>,
) -> Result<Json<Vec<anju_core::form::FormChange>>, AppError> {
    read(&state, user, move |db, v| {
        services::form_changes(db, v, &form, from, to)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/form-versions", tag = "pages", request_body = FormPublish, responses((status = 200, body = FormPublished)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn publish_form(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(update): ApiJson<FormPublish>,
) -> Result<Json<FormPublished>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let outcome = services::publish_form(db, v, &update)?;
        if let Some(published) = &outcome.published {
            let entry = AuditEntry::by(&actor, AuditAction::FormPublish)
                .target(format!("{} v{}", published.form_id, published.version))
                .detail(format!(
                    "{}第{}版 / version {}",
                    published.title.zh, published.version, published.version
                ));
            crate::audit::record(db.connection(), &entry, Utc::now())?;
        }
        Ok(outcome)
    })
    .await
    .map(Json)
}

/// 任务: the planned visits and re-checks of the user's townships.
#[utoipa::path(get, path = "/api/office/tasks", tag = "pages", responses((status = 200, body = services::tasks::TaskList)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn tasks(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<services::tasks::TaskList>, AppError> {
    read(&state, user, |db, v| services::tasks::tasks_page(db, v))
        .await
        .map(Json)
}

/// 布置走访: plan one kind of visit to households by an inspector.
#[utoipa::path(post, path = "/api/office/tasks", tag = "pages", request_body = services::tasks::VisitPlan, responses((status = 200, body = services::tasks::VisitsPlanned)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn plan_visits(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(plan): ApiJson<services::tasks::VisitPlan>,
) -> Result<Json<services::tasks::VisitsPlanned>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let planned = services::tasks::plan_visits(db, v, &plan)?;
        let entry = AuditEntry::by(&actor, AuditAction::TaskPlan)
            .target(plan.inspector.clone())
            .detail(format!(
                "{}，{}户，期限{} / {}, {} households, by {}",
                plan.visit.label_zh(),
                planned.planned,
                plan.due_on,
                plan.visit.label_en(),
                planned.planned,
                plan.due_on
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(planned)
    })
    .await
    .map(Json)
}

/// 帮扶措施 per township against the requirement.
#[utoipa::path(get, path = "/api/office/support", tag = "pages", responses((status = 200, body = services::support::SupportReport)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn support_report(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<services::support::SupportReport>, AppError> {
    read(&state, user, |db, v| {
        services::support::support_report(db, v)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/households/{id}/support", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id")), request_body = anju_core::support::NewSupportMeasure, responses((status = 200, body = services::support::HouseholdSupport)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn add_support(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(measure): ApiJson<anju_core::support::NewSupportMeasure>,
) -> Result<Json<services::support::HouseholdSupport>, AppError> {
    run(&state, user, move |db, v| {
        services::support::add_measure(db, v, &id, &measure)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/households/{id}/support/{measure}/remove", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id"), ("measure" = String, Path, description = "措施编号 / the measure id")), responses((status = 200, body = services::support::HouseholdSupport)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn remove_support(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path((id, measure)): Path<(String, String)>,
) -> Result<Json<services::support::HouseholdSupport>, AppError> {
    run(&state, user, move |db, v| {
        services::support::remove_measure(db, v, &id, &measure)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/households/{id}/able-to-develop", tag = "pages", params(("id" = String, Path, description = "住户编号 / the household's id")), request_body = services::support::AbleToDevelop, responses((status = 200, body = services::support::HouseholdSupport)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn able_to_develop(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(able): ApiJson<services::support::AbleToDevelop>,
) -> Result<Json<services::support::HouseholdSupport>, AppError> {
    run(&state, user, move |db, v| {
        services::support::set_able_to_develop(db, v, &id, &able)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/old-houses", tag = "pages", params(OldHouseFilter), responses((status = 200, body = OldHouseReport)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn old_houses(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<OldHouseReport>, AppError> {
    let filter: OldHouseFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| {
        services::old_houses(db, v, &filter)
    })
    .await
    .map(Json)
}

/// `?action=&before=`: one kind of entry, older than a cursor.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub(super) struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
}

/// The audit log, newest first, a page at a time (the district admin only).
#[utoipa::path(get, path = "/api/office/audit", tag = "pages", params(AuditQuery), responses((status = 200, body = AuditPage)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn audit_log(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<AuditPage>, AppError> {
    let q: AuditQuery = query(raw.as_deref())?;
    let action = match q.action.as_deref() {
        None | Some("") => None,
        Some(code) => Some(crate::audit::AuditAction::from_code(code).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("没有操作类型“{code}” / no action '{code}'"),
            )
            .field("action")
        })?),
    };
    read(&state, user, move |db, v| {
        services::audit_page(db, v, action, q.before)
    })
    .await
    .map(Json)
}

/// The certificate people compare with what a device pinned.
#[utoipa::path(get, path = "/api/office/tls", tag = "pages", responses((status = 200, body = TlsIdentity)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn tls_identity(
    State(state): State<AppState>,
    OfficeUser(..): OfficeUser,
) -> Json<TlsIdentity> {
    Json(TlsIdentity {
        code: state.tls_fingerprint.as_deref().map(crate::tls::short_code),
        fingerprint: state.tls_fingerprint.clone(),
    })
}

#[utoipa::path(get, path = "/api/office/sites", tag = "pages", responses((status = 200, body = services::sites::SitesPage)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn sites(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<services::sites::SitesPage>, AppError> {
    read(&state, user, |db, v| services::sites::sites_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/office/sites/{id}/visits", tag = "pages", params(("id" = String, Path, description = "安置点编号 / the site id")), responses((status = 200, body = services::site_visits::SiteVisits)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn site_visits(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<services::site_visits::SiteVisits>, AppError> {
    read(&state, user, move |db, v| {
        services::site_visits::site_visits(db, v, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/sites/{id}", tag = "pages", params(("id" = String, Path, description = "安置点编号 / the site id")), request_body = services::sites::SiteRecordUpdate, responses((status = 200, body = services::sites::SiteRow)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn site_record(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<services::sites::SiteRecordUpdate>,
) -> Result<Json<services::sites::SiteRow>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let row = services::sites::set_site_record(db, v, &id, &update)?;
        let entry = AuditEntry::by(&actor, AuditAction::SiteRecord)
            .target(row.name.clone())
            .client(client.to_string())
            .detail(format!(
                "包保责任人 {}，计划 {} 个月 / guarantor {}, plan of {} months",
                row.guarantor.as_ref().map_or("—", |g| g.name.as_str()),
                row.plan.len(),
                row.guarantor.as_ref().map_or("—", |g| g.name.as_str()),
                row.plan.len()
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(row)
    })
    .await
    .map(Json)
}
