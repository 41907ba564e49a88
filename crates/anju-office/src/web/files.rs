//! The office pages' files: roster imports, photos, exports, printed forms (one now, or a
//! township's in volumes as a job).

use super::*;

pub(super) fn too_large(what: &str) -> AppError {
    let (zh, en) = what.split_once(" / ").unwrap_or((what, what));
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "{zh}超过 {} MB / {en} is over {} MB",
            MAX_UPLOAD / 1024 / 1024,
            MAX_UPLOAD / 1024 / 1024
        ),
    )
}

pub(super) fn file_name(headers: &HeaderMap) -> String {
    headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".into())
}

/// `?create_places=true`: the places the roster names that the office does not know are
/// new, as a person confirmed.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub(super) struct ImportQuery {
    create_places: bool,
}

pub(super) async fn import(
    state: AppState,
    user: AuthUser,
    headers: HeaderMap,
    raw: Option<String>,
    body: Bytes,
    commit: bool,
) -> Result<Json<ImportPreview>, AppError> {
    if body.len() > MAX_UPLOAD {
        return Err(too_large("名册文件 / the roster file"));
    }
    let q: ImportQuery = query(raw.as_deref())?;
    let name = file_name(&headers);
    // Only the district imports: say so before reading the file.
    read(&state, user.clone(), |_, v| v.require_admin()).await?;
    // Reading and checking the file is the heavy part: on the CPU pool, without the
    // database, so that nobody waits for it.
    let Some(_turn) = state.roster_reader.enter().await else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "roster_reader_busy",
            "正在读取其他名册文件，请稍后再试 / other roster files are being read: try again shortly",
        )
        .header(header::RETRY_AFTER, 10));
    };
    let file = name.clone();
    let upload = state
        .cpu
        .run(move || services::read_roster_upload(&body, &file))
        .await
        .map_err(AppError::internal)?
        .map_err(page_error)?;
    let actor = user.clone();
    let preview = run(&state, user, move |db, v| {
        let preview = services::import_roster(db, v, upload, commit, q.create_places)?;
        if preview.imported {
            let entry = AuditEntry::by(&actor, AuditAction::Import)
                .target(name.clone())
                .detail(format!("{} 户 / households", preview.valid_rows));
            crate::audit::record(db.connection(), &entry, Utc::now())?;
        }
        Ok(preview)
    })
    .await?;
    Ok(Json(preview))
}

#[utoipa::path(post, path = "/api/office/import/preview", tag = "pages", params(ImportQuery, ("x-file-name" = Option<String>, Header, description = "文件名（百分号编码）/ the file name, percent-encoded")), request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "花名册：CSV（UTF-8、GBK、UTF-16）或 XLSX，至多 20 MB / the roster, CSV or XLSX, at most 20 MB"), responses((status = 200, body = ImportPreview), (status = 413, body = ApiError), (status = 503, body = ApiError, description = "other rosters are being read: retry after the Retry-After seconds")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn import_preview(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    body: Bytes,
) -> Result<Json<ImportPreview>, AppError> {
    import(state, user, headers, raw, body, false).await
}

#[utoipa::path(post, path = "/api/office/import", tag = "pages", params(ImportQuery, ("x-file-name" = Option<String>, Header, description = "文件名（百分号编码）/ the file name, percent-encoded")), request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "花名册：CSV（UTF-8、GBK、UTF-16）或 XLSX，至多 20 MB / the roster, CSV or XLSX, at most 20 MB"), responses((status = 200, body = ImportPreview), (status = 413, body = ApiError), (status = 503, body = ApiError, description = "other rosters are being read: retry after the Retry-After seconds")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn import_commit(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    body: Bytes,
) -> Result<Json<ImportPreview>, AppError> {
    import(state, user, headers, raw, body, true).await
}

/// The roster template: the importer's columns and one example row. Any signed-in user.
#[utoipa::path(get, path = "/api/office/roster/template.xlsx", tag = "pages", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "花名册导入模板 / the roster template")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn roster_template(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Response, AppError> {
    let bytes = read(&state, user, |_, _| services::roster_template_xlsx()).await?;
    Ok(attachment(
        bytes,
        XLSX,
        "roster-template.xlsx",
        "花名册导入模板.xlsx",
    ))
}

#[utoipa::path(get, path = "/api/office/blobs/{sha256}", tag = "pages", params(("sha256" = String, Path, description = "SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$")), responses((status = 200, body = Vec<u8>, content_type = "image/jpeg", description = "the photo, signature or file (JPEG, PNG or bytes)")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn blob(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(sha): Path<String>,
) -> Result<Response, AppError> {
    let key = sha.clone();
    read(&state, user, move |db, v| services::check_blob(db, v, &key)).await?;
    let bytes = state.blobs.read(&sha).await.map_err(|_| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("没有这个文件：{sha} / no such file: {sha}"),
        )
    })?;
    let content_type = image_type(&bytes).unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub(super) fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    ascii_name: &str,
    name: &str,
) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}");
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(get, path = "/api/office/exports/{name}", tag = "pages", params(("name" = String, Path, description = "townships.xlsx, households.xlsx (the households filter), findings.xlsx (the findings filter) or audit.xlsx"), HouseholdFilter, ("state" = Option<String>, Query, description = "findings.xlsx: a FindingState code"), ("overdue" = Option<bool>, Query, description = "findings.xlsx: only the overdue"), ("origin" = Option<String>, Query, description = "findings.xlsx: a FindingOrigin code")), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn export(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(name): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let today = services::today();
    let (bytes, ascii, zh) = match name.as_str() {
        "townships.xlsx" => (
            read(&state, user, |db, v| services::townships_xlsx(db, v)).await?,
            format!("townships-{today}.xlsx"),
            format!("乡镇验收进度-{today}.xlsx"),
        ),
        "households.xlsx" => {
            let filter: HouseholdFilter = query(raw.as_deref())?;
            (
                read(&state, user, move |db, v| {
                    services::households_xlsx(db, v, &filter)
                })
                .await?,
                format!("households-{today}.xlsx"),
                format!("住户验收情况-{today}.xlsx"),
            )
        }
        "findings.xlsx" => {
            let filter: FindingFilter = query(raw.as_deref())?;
            (
                read(&state, user, move |db, v| {
                    services::findings_xlsx(db, v, &filter)
                })
                .await?,
                format!("findings-{today}.xlsx"),
                format!("问题整改台账-{today}.xlsx"),
            )
        }
        "audit.xlsx" => (
            read(&state, user, |db, v| services::audit_xlsx(db, v)).await?,
            format!("audit-{today}.xlsx"),
            format!("审计日志-{today}.xlsx"),
        ),
        other => {
            return Err(AppError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "没有报表“{other}”：有 townships.xlsx、households.xlsx、findings.xlsx、audit.xlsx / no export '{other}': there are townships.xlsx, households.xlsx, findings.xlsx, audit.xlsx"
                ),
            ));
        }
    };
    Ok(attachment(bytes, XLSX, &ascii, &zh))
}

pub(super) fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Which forms a request prints.
#[derive(Clone, Copy)]
pub(super) enum Forms {
    Household,
    Township,
}

/// A form page as HTML (pictures from the API), or with `.pdf` at the end of the id, printed.
/// `?full=true`: ID and phone numbers in full (recorded in the audit log); `?lang=en`: the
/// English form (the office pages' language), Chinese otherwise.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub(super) struct FormQuery {
    full: bool,
    lang: services::FormLang,
}

pub(super) async fn forms(
    state: &AppState,
    user: AuthUser,
    id: String,
    which: Forms,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let q: FormQuery = query(raw.as_deref())?;
    let (id, pdf) = match id.strip_suffix(".pdf") {
        Some(id) => (id.to_string(), true),
        None => (id, false),
    };
    let personal = if q.full {
        services::PersonalData::Full
    } else {
        services::PersonalData::Masked
    };
    if q.full {
        // Recorded before the form is made: asking is what is recorded.
        let what = match which {
            Forms::Household => "household",
            Forms::Township => "township",
        };
        let entry = AuditEntry::by(&user, AuditAction::ExportFull)
            .target(id.clone())
            .detail(format!("printed form ({what})"));
        state.store.audit(entry).await?;
    }
    let lang = q.lang;
    let form = read(state, user, move |db, v| {
        let src: &dyn Fn(&str) -> String = if pdf {
            &services::pdf_image_src
        } else {
            &services::blob_url
        };
        match which {
            Forms::Household => services::household_form_html(db, v, &id, src, personal, lang),
            Forms::Township => services::township_forms_html(db, v, &id, src, personal, lang),
        }
    })
    .await?;
    if !pdf {
        return Ok(html(form.html));
    }
    let name = format!("{}.pdf", form.title);
    let ascii = match which {
        Forms::Household => "acceptance-form.pdf",
        Forms::Township => "township-forms.pdf",
    };
    let bytes = crate::print_jobs::print(state, form, false).await?;
    Ok(attachment(bytes, "application/pdf", ascii, &name))
}

#[utoipa::path(get, path = "/api/office/forms/{id}", tag = "pages", params(("id" = String, Path, description = "提交编号，末尾加 .pdf 则为 PDF / the submission id; with .pdf at the end, printed"), FormQuery), responses((status = 429, body = ApiError, description = "PDF 打印已满，按 Retry-After 秒后再试 / the PDF printer is full: retry after the Retry-After seconds"), (status = 503, body = ApiError, description = "本机没有 PDF 打印所需的浏览器 / no browser to print PDFs with"), (status = 200, content_type = "text/html", body = String, description = "the A4 form as HTML, or as PDF (application/pdf) for an id ending in .pdf")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn form(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    forms(&state, user, id, Forms::Household, raw).await
}

#[utoipa::path(get, path = "/api/office/forms/township/{id}", tag = "pages", params(("id" = String, Path, description = "乡镇编号，末尾加 .pdf 则为 PDF / the township id; with .pdf at the end, printed"), FormQuery), responses((status = 429, body = ApiError, description = "PDF 打印已满，按 Retry-After 秒后再试 / the PDF printer is full: retry after the Retry-After seconds"), (status = 503, body = ApiError, description = "本机没有 PDF 打印所需的浏览器 / no browser to print PDFs with"), (status = 200, content_type = "text/html", body = String, description = "every form of the township as HTML, or as PDF for an id ending in .pdf")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn township_forms(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    forms(&state, user, id, Forms::Township, raw).await
}

/// Print a township's forms in volumes, as a job of its own.
#[utoipa::path(post, path = "/api/office/print-jobs", tag = "pages", request_body = PrintJobRequest, responses((status = 429, body = ApiError, description = "PDF 打印已满，按 Retry-After 秒后再试 / the PDF printer is full: retry after the Retry-After seconds"), (status = 503, body = ApiError, description = "本机没有 PDF 打印所需的浏览器 / no browser to print PDFs with"), (status = 200, body = crate::print_jobs::PrintJobView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn start_print_job(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<PrintJobRequest>,
) -> Result<Json<crate::print_jobs::PrintJobView>, AppError> {
    let personal = if request.full {
        let entry = AuditEntry::by(&user, AuditAction::ExportFull)
            .target(request.township.clone())
            .detail("printed forms in volumes");
        state.store.audit(entry).await?;
        services::PersonalData::Full
    } else {
        services::PersonalData::Masked
    };
    let lang = request.lang.unwrap_or_default();
    crate::print_jobs::start(&state, user, request.township, personal, lang)
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/office/print-jobs", tag = "pages", responses((status = 200, body = Vec<crate::print_jobs::PrintJobView>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn print_jobs(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<crate::print_jobs::PrintJobView>>, AppError> {
    crate::print_jobs::list(&state, &user).await.map(Json)
}

pub(super) fn no_print_job(id: &str) -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("没有这个打印任务（或尚未完成）：{id} / no such print job (or not finished): {id}"),
    )
}

#[utoipa::path(get, path = "/api/office/print-jobs/{id}", tag = "pages", params(("id" = String, Path, description = "打印任务编号 / the print job id")), responses((status = 200, body = crate::print_jobs::PrintJobView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn print_job(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<crate::print_jobs::PrintJobView>, AppError> {
    crate::print_jobs::view(&state, id.clone(), &user)
        .await?
        .map(Json)
        .ok_or_else(|| no_print_job(&id))
}

/// The job's ZIP, streamed from the blob store (any office process serves it).
#[utoipa::path(get, path = "/api/office/print-jobs/{id}/download", tag = "pages", params(("id" = String, Path, description = "打印任务编号 / the print job id")), responses((status = 200, content_type = "application/zip", body = Vec<u8>, description = "the volumes as PDFs in a ZIP")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn print_job_download(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (name, length, bytes) = crate::print_jobs::zip_of(&state, id.clone(), &user)
        .await?
        .ok_or_else(|| no_print_job(&id))?;
    let body = Body::from_stream(bytes);
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"township-forms.zip\"; filename*=UTF-8''{encoded}"
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
