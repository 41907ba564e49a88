//! Spot-check samples (抽查): drawn by the policy's rule from a seed that reproduces them,
//! stored, shown with each drawn house's recorded and re-measured area, and assigned.

use anju_core::form::Text;
use anju_core::model::PlacementKind;
use anju_core::office::{SampleRule, ScatteredGroup, SiteCandidate, compare_areas, parse_seed};
use anju_sql::{OptionalExtension, params};
use chrono::Utc;
use uuid::Uuid;

use super::actions::{now, trimmed};
use super::submission::parse_time;
use super::views::*;
use super::{PageError, Result, Viewer, today};
use crate::assign::{self, Target};
use crate::db::OfficeDb;
use crate::decide;

/// The sampling rule of the district's policy in force today.
pub fn configured_rule(db: &OfficeDb) -> Result<SampleRule> {
    let policies = decide::policy_history(db.connection())?;
    Ok(policies
        .in_force(today())
        .map_or_else(SampleRule::default, |v| v.policy.sampling))
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    // The seed is shown and stored, so any source will do; time is the fallback.
    if getrandom::fill(&mut bytes).is_err() {
        return Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    }
    u64::from_le_bytes(bytes)
}

/// The candidates of a draw in `township` (or everywhere): concentrated sites with their
/// households, and scattered households by township and kind, each in a stable order.
fn candidates(
    db: &OfficeDb,
    township: Option<&str>,
) -> Result<(Vec<SiteCandidate>, Vec<ScatteredGroup>)> {
    let conn = db.connection();
    let rows = conn
        .prepare_cached(
            "SELECT s.id, h.id FROM sites s JOIN households h ON h.site_id = s.id
             WHERE ?1 IS NULL OR s.township_id = ?1
             ORDER BY s.id, h.number",
        )?
        .query_map([township], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut sites: Vec<SiteCandidate> = Vec::new();
    for (site, household) in rows {
        match sites.last_mut() {
            Some(last) if last.site_id == site => last.households.push(household),
            _ => sites.push(SiteCandidate {
                site_id: site,
                households: vec![household],
            }),
        }
    }
    let rows = conn
        .prepare_cached(
            "SELECT h.township_id || '/' || h.kind, h.id FROM households h
             WHERE h.mode = 'scattered' AND (?1 IS NULL OR h.township_id = ?1)
             ORDER BY h.township_id, h.kind, h.number",
        )?
        .query_map([township], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut scattered: Vec<ScatteredGroup> = Vec::new();
    for (group, household) in rows {
        match scattered.last_mut() {
            Some(last) if last.group == group => last.households.push(household),
            _ => scattered.push(ScatteredGroup {
                group,
                households: vec![household],
            }),
        }
    }
    Ok((sites, scattered))
}

/// Draw a sample by the rule, store it with its seed, and return it.
pub fn draw_sample(
    db: &mut OfficeDb,
    viewer: &Viewer,
    request: &SampleRequest,
) -> Result<SampleView> {
    // Spot checks (督查) are the district office's check on the townships.
    viewer.require_admin()?;
    let township = viewer.township_filter(db, request.township.as_deref())?;
    let seed = match request
        .seed
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(text) => parse_seed(text)?,
        None => random_seed(),
    };
    let rule = match request.rule {
        Some(rule) => rule,
        None => configured_rule(db)?,
    };
    let (sites, scattered) = candidates(db, township.as_deref())?;
    let drawn = anju_core::office::draw_sample(seed, &rule, &sites, &scattered)?;
    let id = Uuid::now_v7().to_string();
    let tx = db.connection_mut().transaction()?;
    tx.execute(
        "INSERT INTO samples (id, seed, township_id, site_share_pct, min_site_households,
             household_share_pct, scattered_share_pct, eligible_sites, note, created_by,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            seed.to_string(),
            township,
            rule.site_share_pct,
            rule.min_site_households,
            rule.household_share_pct,
            rule.scattered_share_pct,
            drawn.eligible_sites as i64,
            trimmed(request.note.as_deref()),
            viewer.user_id,
            now()
        ],
    )?;
    let drawn_households = drawn
        .sites
        .iter()
        .flat_map(|site| site.households.iter().map(|h| (h, Some(&site.site_id))))
        .chain(
            drawn
                .scattered
                .iter()
                .flat_map(|group| group.households.iter().map(|h| (h, None))),
        );
    for (position, (household, site)) in drawn_households.enumerate() {
        tx.execute(
            "INSERT INTO sample_households (sample_id, household_id, site_id, position)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, household, site, position as i64],
        )?;
    }
    tx.commit()?;
    sample(db, viewer, &id)
}

type SampleHead = (
    String,
    Option<String>,
    Option<String>,
    SampleRule,
    u32,
    Option<String>,
    String,
    String,
);

fn sample_head(db: &OfficeDb, id: &str) -> Result<SampleHead> {
    db.connection()
        .query_row(
            "SELECT s.seed, s.township_id, t.name, s.site_share_pct, s.min_site_households,
                    s.household_share_pct, s.scattered_share_pct, s.eligible_sites, s.note,
                    u.name, s.created_at
             FROM samples s JOIN users u ON u.id = s.created_by
             LEFT JOIN townships t ON t.id = s.township_id WHERE s.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    SampleRule {
                        site_share_pct: r.get(3)?,
                        min_site_households: r.get(4)?,
                        household_share_pct: r.get(5)?,
                        scattered_share_pct: r.get(6)?,
                    },
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| PageError::NotFound {
            what_zh: "抽查样本",
            what_en: "sample",
            id: id.to_string(),
        })
}

/// A sample not drawn over the viewer's whole scope is refused to a township user.
fn check_sample_scope(viewer: &Viewer, township_id: &Option<String>) -> Result<()> {
    match (viewer.scope(), township_id) {
        (None, _) => Ok(()),
        (Some(own), Some(t)) if own == t => Ok(()),
        _ => Err(PageError::OtherTownship {
            user: viewer.name.clone(),
            own: viewer
                .township
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            asked: "其他乡镇的样本 / another scope's sample".into(),
        }),
    }
}

/// A drawn household with the area its acceptance recorded and its latest re-measure,
/// from the office's judgements (no form is read again).
fn drawn_household(
    conn: &anju_sql::Connection,
    household_id: String,
    number: String,
    head_name: String,
    tolerance_permille: u32,
) -> Result<SampleHousehold> {
    let area = |sql: &str| -> Result<Option<anju_core::area::Area>> {
        Ok(conn
            .query_row(sql, [&household_id], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
            .map(|q| anju_core::area::Area::from_quarter_mm2(i128::from(q))))
    };
    let recorded = area(
        "SELECT c.built_area_quarter_mm2 FROM accepted_submissions s
         JOIN submission_checks c ON c.submission_id = s.id
         WHERE s.household_id = ?1 AND c.built_area_quarter_mm2 IS NOT NULL
         ORDER BY coalesce(s.trusted_time, s.device_time) DESC, s.id DESC LIMIT 1",
    )?;
    let remeasured = area(
        "SELECT c.built_area_quarter_mm2 FROM live_submissions s
         JOIN submission_checks c ON c.submission_id = s.id
         WHERE s.household_id = ?1 AND s.kind = 'spot_check'
           AND c.built_area_quarter_mm2 IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM submission_reviews r
                           WHERE r.submission_id = s.id AND r.decision = 'returned')
         ORDER BY coalesce(s.trusted_time, s.device_time) DESC, s.id DESC LIMIT 1",
    )?;
    let comparison = recorded
        .zip(remeasured)
        .map(|(a, b)| compare_areas(a, b, tolerance_permille));
    Ok(SampleHousehold {
        household_id,
        number,
        head_name,
        recorded_m2: recorded.map(|a| a.to_m2_string()),
        remeasured_m2: remeasured.map(|a| a.to_m2_string()),
        difference_pct: comparison.as_ref().map(|c| c.difference_pct.clone()),
        within_tolerance: comparison.map(|c| c.within_tolerance),
    })
}

pub fn sample(db: &OfficeDb, viewer: &Viewer, id: &str) -> Result<SampleView> {
    let (seed, township_id, township, rule, eligible, note, by, at) = sample_head(db, id)?;
    check_sample_scope(viewer, &township_id)?;
    let conn = db.connection();
    let tolerance = decide::policy_history(conn)?.spot_check_tolerance_on(today());
    let mut stmt = conn.prepare_cached(
        "SELECT sh.site_id, si.name, t.name,
                CASE WHEN sh.site_id IS NULL
                     THEN (SELECT count(*) FROM households x WHERE x.township_id = h.township_id
                             AND x.mode = 'scattered' AND x.kind = h.kind)
                     ELSE (SELECT count(*) FROM households x WHERE x.site_id = sh.site_id) END,
                h.id, h.number, h.head_name, h.kind
         FROM sample_households sh
         JOIN households h ON h.id = sh.household_id
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN sites si ON si.id = sh.site_id
         WHERE sh.sample_id = ?1
         ORDER BY sh.site_id IS NULL, t.sort_order, si.name, h.kind, h.number",
    )?;
    type Drawn = (
        Option<String>,
        Option<String>,
        String,
        u32,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<Drawn> = stmt
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut sites: Vec<(String, SampleSite)> = Vec::new();
    let mut scattered: Vec<SampleScattered> = Vec::new();
    for (site_id, site, township, households, household_id, number, head_name, kind) in rows {
        let drawn = drawn_household(conn, household_id, number, head_name, tolerance)?;
        match (site_id, site) {
            (Some(site_id), Some(site)) => match sites.last_mut() {
                Some((last, entry)) if *last == site_id => entry.drawn.push(drawn),
                _ => sites.push((
                    site_id,
                    SampleSite {
                        site,
                        township,
                        households,
                        drawn: vec![drawn],
                    },
                )),
            },
            _ => {
                let kind = PlacementKind::from_code(&kind).unwrap_or(PlacementKind::SelfBuilt);
                match scattered.last_mut() {
                    Some(last) if last.township == township && last.kind == kind => {
                        last.drawn.push(drawn)
                    }
                    _ => scattered.push(SampleScattered {
                        township,
                        kind,
                        kind_label: match kind {
                            PlacementKind::Bought => Text::new("分散购房", "scattered, bought"),
                            _ => Text::new("分散自建", "scattered, self-built"),
                        },
                        households,
                        drawn: vec![drawn],
                    }),
                }
            }
        }
    }
    Ok(SampleView {
        id: id.to_string(),
        seed,
        rule,
        township,
        created_at: parse_time(&at, "sample")?,
        created_by_display: crate::names::Names::load(conn)?.of(&by),
        created_by: by,
        note,
        eligible_sites: eligible,
        drawn_sites: sites.len() as u32,
        sites: sites.into_iter().map(|(_, s)| s).collect(),
        scattered,
    })
}

pub fn samples(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<SampleSummary>> {
    let mut stmt = db.connection().prepare_cached(
        "SELECT s.id, s.seed, t.name, s.created_at, u.name,
                (SELECT count(DISTINCT site_id) FROM sample_households WHERE sample_id = s.id),
                (SELECT count(*) FROM sample_households WHERE sample_id = s.id)
         FROM samples s JOIN users u ON u.id = s.created_by
         LEFT JOIN townships t ON t.id = s.township_id
         WHERE ?1 IS NULL OR s.township_id = ?1
         ORDER BY s.created_at DESC, s.id DESC",
    )?;
    let raw = stmt
        .query_map([viewer.scope()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, u32>(6)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let names = crate::names::Names::load(db.connection())?;
    raw.into_iter()
        .map(|(id, seed, township, at, by, sites, households)| {
            Ok(SampleSummary {
                id,
                seed,
                township,
                created_at: parse_time(&at, "sample")?,
                created_by_display: names.of(&by),
                created_by: by,
                drawn_sites: sites,
                drawn_households: households,
            })
        })
        .collect()
}

pub fn assign_sample(
    db: &mut OfficeDb,
    viewer: &Viewer,
    id: &str,
    inspector: &str,
) -> Result<Changed> {
    viewer.require_admin()?;
    let (_, township_id, ..) = sample_head(db, id)?;
    check_sample_scope(viewer, &township_id)?;
    let numbers: Vec<String> = db
        .connection()
        .prepare_cached(
            "SELECT h.number FROM sample_households sh JOIN households h ON h.id = sh.household_id
             WHERE sh.sample_id = ?1 ORDER BY sh.position",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<anju_sql::Result<_>>()?;
    let changed = assign::assign(db, inspector, &Target::Households(numbers))?;
    Ok(Changed {
        changed: changed as u32,
    })
}
