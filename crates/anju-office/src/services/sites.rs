//! 工地进度: each concentrated site's 包保责任人, its monthly progress plan, and its progress
//! as the 开工放线 and 建设进度 visits report it (each household's latest stage; one not yet
//! visited counts as not started), plan against actual. The rules are
//! `anju_core::construction`.

use std::collections::HashMap;

use anju_core::construction::{
    ConstructionStage, Guarantor, PlanMonth, SiteProgress, check_guarantor, check_plan, planned_by,
};
use anju_core::form::Text;
use anju_sql::{OptionalExtension, params};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::cells::Cells;
use super::{PageError, Result, Viewer, today};
use crate::db::OfficeDb;

/// How many of a site's households are at a stage.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct StageCount {
    pub stage: ConstructionStage,
    pub label: Text,
    pub households: u32,
}

/// One site, plan against actual.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub township: String,
    pub village: Option<String>,
    /// 包保责任人, when recorded.
    pub guarantor: Option<Guarantor>,
    pub plan: Vec<PlanMonth>,
    /// What the plan asks for by today (the latest planned month begun).
    pub planned_percent: Option<u32>,
    pub progress: SiteProgress,
    /// Actual minus planned, in percentage points, when there is a plan.
    pub gap: Option<i32>,
    /// Behind its plan by more than 5 points.
    pub behind: bool,
    /// Households without a construction visit yet counted as not started.
    pub stages: Vec<StageCount>,
    pub last_visit_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SitesPage {
    pub rows: Vec<SiteRow>,
    /// Sites behind their plan.
    pub behind: u32,
    pub today: NaiveDate,
}

/// A change to a site's record: its 包保责任人 (none: cleared) and its whole plan.
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRecordUpdate {
    pub guarantor: Option<Guarantor>,
    pub plan: Vec<PlanMonth>,
}

/// A site this far behind its plan, in percentage points, is shown as behind.
const BEHIND_POINTS: i32 = 5;

/// Every site of the user's townships, by township and name.
pub fn sites_page(db: &OfficeDb, viewer: &Viewer) -> Result<SitesPage> {
    let conn = db.connection();
    let scope = viewer.scope();
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name, t.name, v.name, s.guarantor_name, s.guarantor_unit,
                s.guarantor_phone
         FROM sites s JOIN townships t ON t.id = s.township_id
         LEFT JOIN villages v ON v.id = s.village_id
         WHERE ?1 IS NULL OR s.township_id = ?1
         ORDER BY t.name, s.name",
    )?;
    let sites: Vec<Cells> = stmt
        .query_map([scope], |r| Ok(Cells::read(r, 0..7)))?
        .collect::<anju_sql::Result<_>>()?;
    // Each household's latest stage, one pass. A house someone came to accept was built:
    // it counts as completed whatever the last construction visit said.
    let mut stmt = conn.prepare_cached(
        "SELECT h.site_id,
                (SELECT cv.stage FROM construction_visits cv WHERE cv.household_id = h.id
                 ORDER BY cv.visited_on DESC, cv.recorded_at DESC LIMIT 1),
                (SELECT max(cv.visited_on) FROM construction_visits cv
                 WHERE cv.household_id = h.id),
                CASE WHEN EXISTS (SELECT 1 FROM submissions s
                        WHERE s.household_id = h.id AND s.kind = 'acceptance') THEN 1 ELSE 0 END
         FROM households h
         WHERE h.site_id IS NOT NULL AND (?1 IS NULL OR h.township_id = ?1)",
    )?;
    let households: Vec<Cells> = stmt
        .query_map([scope], |r| Ok(Cells::read(r, 0..4)))?
        .collect::<anju_sql::Result<_>>()?;
    let mut stages: HashMap<String, Vec<Option<ConstructionStage>>> = HashMap::new();
    let mut last_visit: HashMap<String, NaiveDate> = HashMap::new();
    for cells in &households {
        let Some(site) = cells.get(0) else { continue };
        let accepted = cells.flag(3);
        let stage = if accepted {
            Some(ConstructionStage::Completed)
        } else {
            cells
                .get(1)
                .and_then(|code| ConstructionStage::from_code(&code))
        };
        if let Some(day) = cells.get(2).and_then(|d| d.parse::<NaiveDate>().ok()) {
            let last = last_visit.entry(site.clone()).or_insert(day);
            *last = (*last).max(day);
        }
        stages.entry(site).or_default().push(stage);
    }
    let plans = all_plans(db)?;
    let today = today();
    let rows: Vec<SiteRow> = sites
        .iter()
        .filter_map(|cells| {
            let id = cells.get(0)?;
            let guarantor = cells.get(4).map(|name| Guarantor {
                name,
                unit: cells.get(5),
                phone: cells.get(6),
            });
            let plan = plans.get(&id).cloned().unwrap_or_default();
            let site_stages = stages.remove(&id).unwrap_or_default();
            Some(site_row(
                id.clone(),
                cells.get(1)?,
                cells.get(2)?,
                cells.get(3),
                guarantor,
                plan,
                &site_stages,
                last_visit.get(&id).copied(),
                today,
            ))
        })
        .collect();
    Ok(SitesPage {
        behind: u32::try_from(rows.iter().filter(|r| r.behind).count()).unwrap_or(u32::MAX),
        rows,
        today,
    })
}

#[allow(clippy::too_many_arguments)]
fn site_row(
    id: String,
    name: String,
    township: String,
    village: Option<String>,
    guarantor: Option<Guarantor>,
    plan: Vec<PlanMonth>,
    stages: &[Option<ConstructionStage>],
    last_visit_on: Option<NaiveDate>,
    today: NaiveDate,
) -> SiteRow {
    let progress = SiteProgress::of(stages);
    let planned_percent = planned_by(&plan, today);
    let gap = planned_percent
        .map(|p| i32::try_from(progress.percent).unwrap_or(100) - i32::try_from(p).unwrap_or(100));
    let counts = ConstructionStage::ALL
        .into_iter()
        .map(|stage| StageCount {
            stage,
            label: Text::new(stage.label_zh(), stage.label_en()),
            households: u32::try_from(
                stages
                    .iter()
                    .filter(|s| s.unwrap_or(ConstructionStage::NotStarted) == stage)
                    .count(),
            )
            .unwrap_or(u32::MAX),
        })
        .collect();
    SiteRow {
        id,
        name,
        township,
        village,
        guarantor,
        plan,
        planned_percent,
        progress,
        gap,
        behind: gap.is_some_and(|g| g < -BEHIND_POINTS),
        stages: counts,
        last_visit_on,
    }
}

fn all_plans(db: &OfficeDb) -> Result<HashMap<String, Vec<PlanMonth>>> {
    let mut stmt = db.connection().prepare_cached(
        "SELECT site_id, month, planned_percent FROM site_plans ORDER BY site_id, month",
    )?;
    let rows: Vec<Cells> = stmt
        .query_map([], |r| Ok(Cells::read(r, 0..3)))?
        .collect::<anju_sql::Result<_>>()?;
    let mut plans: HashMap<String, Vec<PlanMonth>> = HashMap::new();
    for cells in &rows {
        let (Some(site), Some(month), Some(percent)) = (
            cells.get(0),
            cells.get(1),
            cells.get(2).and_then(|p| p.parse::<u32>().ok()),
        ) else {
            continue;
        };
        plans.entry(site).or_default().push(PlanMonth {
            month,
            planned_percent: percent,
        });
    }
    Ok(plans)
}

/// Set a site's 包保责任人 and replace its plan (the district, or the site's township).
pub fn set_site_record(
    db: &mut OfficeDb,
    viewer: &Viewer,
    site_id: &str,
    update: &SiteRecordUpdate,
) -> Result<SiteRow> {
    let township: Option<String> = db
        .connection()
        .query_row(
            "SELECT township_id FROM sites WHERE id = ?1",
            [site_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(township) = township else {
        return Err(PageError::NotFound {
            what_zh: "安置点",
            what_en: "site",
            id: site_id.to_string(),
        });
    };
    if let Some((own, own_name)) = &viewer.township
        && *own != township
    {
        return Err(PageError::OtherTownship {
            user: viewer.name.clone(),
            own: own_name.clone(),
            asked: site_id.to_string(),
        });
    }
    let invalid = |e: anju_core::construction::PlanError| PageError::Invalid(e.to_string());
    if let Some(guarantor) = &update.guarantor {
        check_guarantor(guarantor).map_err(invalid)?;
    }
    let plan = check_plan(&update.plan).map_err(invalid)?;
    let tx = db.connection_mut().transaction()?;
    let guarantor = update.guarantor.as_ref();
    tx.execute(
        "UPDATE sites SET guarantor_name = ?2, guarantor_unit = ?3, guarantor_phone = ?4
         WHERE id = ?1",
        params![
            site_id,
            guarantor.map(|g| g.name.trim().to_string()),
            guarantor
                .and_then(|g| g.unit.as_deref())
                .map(str::trim)
                .filter(|u| !u.is_empty()),
            guarantor
                .and_then(|g| g.phone.as_deref())
                .map(str::trim)
                .filter(|p| !p.is_empty())
        ],
    )?;
    tx.execute("DELETE FROM site_plans WHERE site_id = ?1", [site_id])?;
    for month in &plan {
        tx.execute(
            "INSERT INTO site_plans (site_id, month, planned_percent) VALUES (?1, ?2, ?3)",
            params![site_id, month.month, month.planned_percent],
        )?;
    }
    tx.commit()?;
    sites_page(db, viewer)?
        .rows
        .into_iter()
        .find(|r| r.id == site_id)
        .ok_or_else(|| PageError::NotFound {
            what_zh: "安置点",
            what_en: "site",
            id: site_id.to_string(),
        })
}
