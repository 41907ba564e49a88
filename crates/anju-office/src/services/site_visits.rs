//! A site's timeline of visits: every visit to its households (开工放线, 建设进度, 面积丈量督查,
//! 乡镇初验, the acceptance and what follows), newest first, each with the household, who made
//! it, the stage a building visit found, and its first photo. One damaged row is listed as
//! such and leaves the rest.

use anju_core::construction::ConstructionStage;
use anju_core::form::{Answer, FormAnswers, Text};
use anju_core::model::SubmissionKind;
use anju_sql::OptionalExtension;
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::cells::Cells;
use super::views::DamagedRow;
use super::{PageError, Result, Viewer, blob_url};
use crate::db::OfficeDb;
use crate::names::Names;

/// The most visits the timeline lists.
pub const MAX_SITE_VISITS: usize = 200;

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SiteVisit {
    pub submission_id: String,
    pub kind: SubmissionKind,
    pub kind_label: Text,
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    /// 姓名（单位）of who made it.
    pub by: Text,
    pub at: DateTime<Utc>,
    /// The stage a 开工放线 or 建设进度 found.
    pub stage: Option<Text>,
    pub photo_url: Option<String>,
    /// The district returned it (退回): it no longer counts.
    pub returned: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SiteVisits {
    pub site_id: String,
    pub name: String,
    pub visits: Vec<SiteVisit>,
    /// More visits than the list shows.
    pub more: bool,
    pub damaged: Vec<DamagedRow>,
}

/// The visits to a site's households, newest first (a township user: their own sites).
pub fn site_visits(db: &OfficeDb, viewer: &Viewer, site_id: &str) -> Result<SiteVisits> {
    let conn = db.connection();
    let name: Option<String> = conn
        .query_row(
            "SELECT name FROM sites WHERE id = ?1 AND (?2 IS NULL OR township_id = ?2)",
            anju_sql::params![site_id, viewer.scope()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Err(PageError::NotFound {
            what_zh: "安置点",
            what_en: "site",
            id: site_id.chars().take(64).collect(),
        });
    };
    let limit = i64::try_from(MAX_SITE_VISITS + 1).unwrap_or(i64::MAX);
    let rows: Vec<Cells> = conn
        .prepare_cached(
            "SELECT s.id, s.kind, s.inspector, coalesce(s.trusted_time, s.device_time), h.id,
                    h.number, h.head_name, s.answers_json, cv.stage,
                    CASE WHEN EXISTS (SELECT 1 FROM submission_reviews r
                            WHERE r.submission_id = s.id AND r.decision = 'returned')
                         THEN 1 ELSE 0 END
             FROM live_submissions s JOIN households h ON h.id = s.household_id
             LEFT JOIN construction_visits cv ON cv.submission_id = s.id
             WHERE h.site_id = ?1
             ORDER BY coalesce(s.trusted_time, s.device_time) DESC, s.id DESC
             LIMIT ?2",
        )?
        .query_map(anju_sql::params![site_id, limit], |r| {
            Ok(Cells::read(r, 0..10))
        })?
        .collect::<anju_sql::Result<_>>()?;
    let more = rows.len() > MAX_SITE_VISITS;
    let names = Names::load(conn)?;
    let mut visits = Vec::new();
    let mut damaged = Vec::new();
    for cells in rows.iter().take(MAX_SITE_VISITS) {
        match visit(cells, &names) {
            Ok(v) => visits.push(v),
            Err(reason) => damaged.push(DamagedRow {
                kind: "submission".into(),
                id: cells.id(),
                reason,
            }),
        }
    }
    Ok(SiteVisits {
        site_id: site_id.to_string(),
        name,
        visits,
        more,
        damaged,
    })
}

fn visit(cells: &Cells, names: &Names) -> std::result::Result<SiteVisit, String> {
    let kind = cells.parse(1, "kind", SubmissionKind::from_code)?;
    let answers: FormAnswers = cells.parse(7, "answers", |t| serde_json::from_str(t).ok())?;
    let photo = answers.0.values().find_map(|a| match a {
        Answer::Photos { sha256 } => sha256.first().cloned(),
        _ => None,
    });
    Ok(SiteVisit {
        submission_id: cells.id(),
        kind,
        kind_label: Text::new(kind.label_zh(), kind.label_en()),
        by: names.of(&cells.get(2).unwrap_or_default()),
        at: cells.parse(3, "time", |t| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })?,
        household_id: cells.get(4).unwrap_or_default(),
        household_number: cells.get(5).unwrap_or_default(),
        head_name: cells.get(6).unwrap_or_default(),
        stage: cells
            .get(8)
            .and_then(|code| ConstructionStage::from_code(&code))
            .map(|s| Text::new(s.label_zh(), s.label_en())),
        photo_url: photo.as_deref().map(blob_url),
        returned: cells.flag(9),
    })
}
