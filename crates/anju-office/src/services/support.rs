//! 帮扶措施 at the office: each household's support measures, recorded and taken back by the
//! district or its township, whether it is able to develop an industry project, and the
//! shortfall against the programme's requirement per township (`anju_core::support`).

use anju_core::form::Text;
use anju_core::support::{NewSupportMeasure, SupportCategory, SupportShortfall};
use anju_sql::{TransactionBehavior, params, params_from_iter};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::cells::Cells;
use super::{PageError, Result, Viewer, today};
use crate::db::OfficeDb;
use crate::names::Names;

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SupportMeasureRow {
    pub id: String,
    pub category: SupportCategory,
    pub category_label: Text,
    pub description: String,
    pub started_on: Option<NaiveDate>,
    /// 姓名（单位）, or none for measures loaded with the demo or an import.
    pub recorded_by: Option<Text>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct HouseholdSupport {
    pub household_id: String,
    /// 有发展能力: needs at least one industry project.
    pub able_to_develop: bool,
    pub measures: Vec<SupportMeasureRow>,
    pub shortfall: SupportShortfall,
    /// 尚缺2项；有发展能力，尚无产业项目 — or 已达要求.
    pub shortfall_text: Text,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbleToDevelop {
    pub able: bool,
}

/// One township's households against the requirement.
#[derive(Debug, Clone, Default, Serialize, TS, utoipa::ToSchema)]
pub struct TownshipSupport {
    pub township: String,
    pub households: u32,
    pub measures: u32,
    /// Households that meet it: 5 measures, and an industry project if able to develop.
    pub meeting: u32,
    /// Households with fewer than 5 measures, and how many measures they lack in all.
    pub short_of_five: u32,
    pub measures_missing: u32,
    pub able_to_develop: u32,
    /// Able to develop, and no industry project.
    pub without_industry: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SupportReport {
    pub rows: Vec<TownshipSupport>,
    pub total: TownshipSupport,
}

impl TownshipSupport {
    fn add(&mut self, shortfall: &SupportShortfall, able: bool) {
        self.households += 1;
        self.measures = self.measures.saturating_add(shortfall.measures);
        self.meeting += u32::from(shortfall.is_met());
        self.short_of_five += u32::from(shortfall.missing > 0);
        self.measures_missing = self.measures_missing.saturating_add(shortfall.missing);
        self.able_to_develop += u32::from(able);
        self.without_industry += u32::from(shortfall.needs_industry);
    }
}

/// The household's measures, oldest first, and its shortfall.
pub fn household_support(db: &OfficeDb, viewer: &Viewer, id: &str) -> Result<HouseholdSupport> {
    viewer.check_household(db, id)?;
    let conn = db.connection();
    let able: bool = conn.query_row(
        "SELECT able_to_develop FROM households WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.category, m.description, m.started_on,
                (SELECT u.name FROM users u WHERE u.id = m.recorded_by), m.recorded_at
         FROM support_measures m
         WHERE m.household_id = ?1 AND m.removed_at IS NULL
         ORDER BY m.recorded_at, m.id",
    )?;
    let raw: Vec<Cells> = stmt
        .query_map([id], |r| Ok(Cells::read(r, 0..6)))?
        .collect::<anju_sql::Result<_>>()?;
    let names = Names::load(conn)?;
    // A row that cannot be read is left out rather than failing the page.
    let measures: Vec<SupportMeasureRow> = raw
        .iter()
        .filter_map(|cells| {
            let category = SupportCategory::from_code(&cells.get(1)?)?;
            Some(SupportMeasureRow {
                id: cells.id(),
                category,
                category_label: category.label(),
                description: cells.get(2)?,
                started_on: cells.get(3).and_then(|d| d.parse().ok()),
                recorded_by: cells.get(4).map(|login| names.of(&login)),
                recorded_at: cells.get(5)?,
            })
        })
        .collect();
    let categories: Vec<SupportCategory> = measures.iter().map(|m| m.category).collect();
    let shortfall = SupportShortfall::of(&categories, able);
    Ok(HouseholdSupport {
        household_id: id.to_string(),
        able_to_develop: able,
        shortfall_text: shortfall.describe(),
        shortfall,
        measures,
    })
}

fn held(db: &OfficeDb, id: &str) -> Result<u32> {
    Ok(db.connection().query_row(
        "SELECT count(*) FROM support_measures WHERE household_id = ?1 AND removed_at IS NULL",
        [id],
        |r| r.get(0),
    )?)
}

/// Record a measure for the household.
pub fn add_measure(
    db: &mut OfficeDb,
    viewer: &Viewer,
    id: &str,
    measure: &NewSupportMeasure,
) -> Result<HouseholdSupport> {
    viewer.check_household(db, id)?;
    let measure = measure
        .checked(today(), held(db, id)?)
        .map_err(|e| PageError::Invalid(e.to_string()))?;
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO support_measures (id, household_id, category, description, started_on,
             recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            Uuid::now_v7().to_string(),
            id,
            measure.category.code(),
            measure.description,
            measure.started_on.map(|d| d.to_string()),
            (!viewer.user_id.is_empty()).then_some(viewer.user_id.as_str()),
            Utc::now().to_rfc3339()
        ],
    )?;
    tx.commit()?;
    household_support(db, viewer, id)
}

/// Take a measure back (kept, marked removed).
pub fn remove_measure(
    db: &mut OfficeDb,
    viewer: &Viewer,
    id: &str,
    measure_id: &str,
) -> Result<HouseholdSupport> {
    viewer.check_household(db, id)?;
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let removed = tx.execute(
        "UPDATE support_measures SET removed_at = ?3, removed_by = ?4
         WHERE id = ?1 AND household_id = ?2 AND removed_at IS NULL",
        params![
            measure_id,
            id,
            Utc::now().to_rfc3339(),
            (!viewer.user_id.is_empty()).then_some(viewer.user_id.as_str())
        ],
    )?;
    if removed == 0 {
        return Err(PageError::NotFound {
            what_zh: "帮扶措施",
            what_en: "support measure",
            id: measure_id.to_string(),
        });
    }
    tx.commit()?;
    household_support(db, viewer, id)
}

/// Record whether the household is able to develop an industry project.
pub fn set_able_to_develop(
    db: &mut OfficeDb,
    viewer: &Viewer,
    id: &str,
    able: &AbleToDevelop,
) -> Result<HouseholdSupport> {
    viewer.check_household(db, id)?;
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE households SET able_to_develop = ?2 WHERE id = ?1",
        params![id, able.able],
    )?;
    tx.commit()?;
    household_support(db, viewer, id)
}

/// Every township of the viewer's scope against the requirement, in the townships' order.
pub fn support_report(db: &OfficeDb, viewer: &Viewer) -> Result<SupportReport> {
    let conn = db.connection();
    let sql = "SELECT t.name, h.able_to_develop,
                (SELECT count(*) FROM support_measures m
                 WHERE m.household_id = h.id AND m.removed_at IS NULL),
                EXISTS (SELECT 1 FROM support_measures m WHERE m.household_id = h.id
                        AND m.removed_at IS NULL AND m.category = 'industry')
         FROM townships t JOIN households h ON h.township_id = t.id
         WHERE (?1 IS NULL OR h.township_id = ?1)
         ORDER BY t.sort_order, t.name";
    let given: &[usize] = if viewer.scope().is_some() { &[1] } else { &[] };
    let mut stmt = conn.prepare_cached(&super::scoped(sql, given))?;
    let scope = viewer.scope().map_or(anju_sql::Value::Null, |s| {
        anju_sql::Value::Text(s.to_string())
    });
    let rows: Vec<(String, bool, u32, bool)> = stmt
        .query_map(params_from_iter([scope].iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<anju_sql::Result<_>>()?;
    let mut townships: Vec<TownshipSupport> = Vec::new();
    let mut total = TownshipSupport {
        township: "合计".into(),
        ..TownshipSupport::default()
    };
    for (township, able, measures, industry) in rows {
        let shortfall = SupportShortfall::counted(measures, industry, able);
        if townships.last().is_none_or(|t| t.township != township) {
            townships.push(TownshipSupport {
                township,
                ..TownshipSupport::default()
            });
        }
        if let Some(row) = townships.last_mut() {
            row.add(&shortfall, able);
        }
        total.add(&shortfall, able);
    }
    Ok(SupportReport {
        rows: townships,
        total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_township_adds_up_its_households_shortfall() {
        let mut row = TownshipSupport::default();
        row.add(&SupportShortfall::counted(6, true, true), true);
        row.add(&SupportShortfall::counted(3, false, false), false);
        row.add(&SupportShortfall::counted(5, false, true), true);
        assert_eq!(
            (
                row.households,
                row.measures,
                row.meeting,
                row.short_of_five,
                row.measures_missing,
                row.able_to_develop,
                row.without_industry
            ),
            (3, 14, 1, 1, 2, 2, 1)
        );
    }
}
