//! The read API's three feeds: households, acceptances (every visit's submission) and
//! findings, each one page of the records of a token's townships that changed after a
//! cursor, in the order they last changed (`read_changes`, kept by the database's own
//! triggers: a record whose state changes moves past every cursor that had read it).
//!
//! A page is one range of an index, at most `limit + 1` rows, joined by primary keys; a
//! row that cannot be read is named in `damaged` (with its id and why) and the cursor
//! still moves past it, so one damaged row never takes a page down.

use anju_core::area::Area;
use anju_core::model::{FindingState, PlacementKind, PlacementMode, SubmissionKind};
use anju_core::verdict::{AcceptanceVerdict, FindingOrigin, HouseholdStatus};
use anju_sql::params;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::tokens::TokenTownship;
use crate::db::{OfficeDb, OfficeDbError};
use crate::services::{Cells, stored_time};

/// Records per page unless asked otherwise.
pub const DEFAULT_LIMIT: u32 = 500;
/// The most records one page may ask for.
pub const MAX_LIMIT: u32 = 5000;

/// Where to read from and how much, checked (see `parse_query`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: i64,
    pub limit: u32,
}

/// A record that cannot be read: named, with why; the cursor moves past it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadDamaged {
    /// The record's id (or `?` when even that cannot be read).
    pub id: String,
    /// Its place in the feed.
    pub seq: i64,
    /// What is wrong, in English (for the office's administrator).
    pub reason: String,
}

/// A household as other systems read it: where it is, how it is housed and where it stands.
/// ID and phone numbers are not in the feed (personal data is read at the office).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadHousehold {
    /// Its place in the feed: the sequence of its latest change.
    pub seq: i64,
    pub id: uuid::Uuid,
    /// The household's number in the roster.
    pub number: String,
    /// 户主姓名.
    pub head_name: String,
    /// People in the household.
    pub size: u32,
    pub township: TokenTownship,
    pub village: String,
    /// The concentrated site, for a household placed in one.
    pub site: Option<String>,
    pub mode: PlacementMode,
    pub kind: PlacementKind,
    /// Where it stands (待验收 … 已入住).
    pub status: HouseholdStatus,
    /// The verdict of the acceptance that counts for it, if there is one.
    pub verdict: Option<AcceptanceVerdict>,
    /// Whether it counts as 已验收 (approved by the district and not 不合格).
    pub accepted: bool,
    /// When the acceptance that counts was made.
    pub accepted_at: Option<String>,
    /// Findings not yet closed.
    pub unresolved_findings: u32,
    /// Whether its latest measured area is over the cap.
    pub over_cap: bool,
    /// 入住 (date or time as recorded).
    pub moved_in_at: Option<String>,
    /// 协议签订, 旧房拆除, 宅基地复垦 dates (YYYY-MM-DD).
    pub agreement_signed_on: Option<String>,
    pub demolished_on: Option<String>,
    pub reclaimed_on: Option<String>,
}

/// Where a submission stands with the district's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadReviewState {
    /// 待审核: no review yet.
    PendingReview,
    /// 审核通过.
    Approved,
    /// 退回: it no longer counts.
    Returned,
}

/// The office's area figures for a submission, worked out by the policy in force on its
/// date (exact, in quarter mm², with the display in m²).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadAreaFigures {
    pub built_area: Option<Area>,
    pub cap: Option<Area>,
    /// The rule of the policy that set the cap.
    pub cap_rule: Option<String>,
    pub over_cap: bool,
    /// The policy version it was judged by.
    pub policy_version: u32,
}

/// A submission (an acceptance, a spot check or another visit) with its review and
/// figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadAcceptance {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub household_id: uuid::Uuid,
    pub township: TokenTownship,
    pub kind: SubmissionKind,
    /// The inspector's login.
    pub inspector: String,
    /// When it was made (the device's trusted time, or its own).
    pub made_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub state: ReadReviewState,
    /// The login of the latest reviewer, and when, and why when returned.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    /// Whether it is the acceptance that counts for its household now.
    pub counts: bool,
    /// The acceptance verdict, for the acceptance that counts (it moves with its findings).
    pub verdict: Option<AcceptanceVerdict>,
    /// The office's figures (none for a visit that measures nothing).
    pub area: Option<ReadAreaFigures>,
    /// The figures the device recorded, as it sent them.
    pub recorded_area: Option<anju_core::model::RecordedArea>,
}

/// One step of a finding's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadFindingStep {
    pub from_state: Option<FindingState>,
    pub to_state: FindingState,
    pub at: DateTime<Utc>,
    /// The login of who moved it.
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A finding with its state and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadFinding {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub household_id: uuid::Uuid,
    pub township: TokenTownship,
    /// The submission it was found in, if any.
    pub submission_id: Option<uuid::Uuid>,
    /// The form item it is about, if any.
    pub item: Option<String>,
    pub description: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    pub state: FindingState,
    pub origin: FindingOrigin,
    pub critical: bool,
    pub created_at: DateTime<Utc>,
    /// When its state last changed.
    pub updated_at: DateTime<Utc>,
    /// Every transition, oldest first.
    pub history: Vec<ReadFindingStep>,
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        /// One page of a feed: the records changed after the cursor, in order.
        #[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Records of this page that cannot be read, by id.
            pub damaged: Vec<ReadDamaged>,
            /// Give it as `cursor` to read on; the same cursor when nothing changed.
            pub next_cursor: i64,
            /// Whether more records changed after `next_cursor` already.
            pub has_more: bool,
        }
    };
}
page_type!(ReadHouseholdPage, ReadHousehold);
page_type!(ReadAcceptancePage, ReadAcceptance);
page_type!(ReadFindingPage, ReadFinding);

/// Rows of one feed after the cursor: (seq, cells), at most `limit + 1`.
fn rows(
    db: &OfficeDb,
    sql: &str,
    townships: &[String],
    page: PageRequest,
    columns: usize,
) -> Result<Vec<(i64, Cells)>, OfficeDbError> {
    let mut stmt = db.conn.prepare_cached(sql)?;
    let rows = stmt.query_map(
        params![
            page.cursor,
            serde_json::to_string(townships)?,
            i64::from(page.limit) + 1
        ],
        |row| Ok((row.get::<_, i64>(0)?, Cells::read(row, 1..columns + 1))),
    )?;
    Ok(rows.collect::<anju_sql::Result<Vec<_>>>()?)
}

/// Split the rows into the page's and whether there are more, with the next cursor.
fn page_of(mut rows: Vec<(i64, Cells)>, page: PageRequest) -> (Vec<(i64, Cells)>, i64, bool) {
    let limit = page.limit as usize;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let next = rows.last().map_or(page.cursor, |(seq, _)| *seq);
    (rows, next, has_more)
}

fn uuid(cells: &Cells, index: usize, what: &str) -> Result<uuid::Uuid, String> {
    cells.parse(index, what, |t| uuid::Uuid::parse_str(t).ok())
}

fn count(cells: &Cells, index: usize, what: &str) -> Result<u32, String> {
    Ok(cells
        .parse_optional(index, what, |t| t.parse::<u32>().ok())?
        .unwrap_or(0))
}

fn township(cells: &Cells, index: usize) -> Result<TokenTownship, String> {
    Ok(TokenTownship {
        id: cells.text(index, "township id")?,
        name: cells.text(index + 1, "township name")?,
    })
}

/// Split read rows into items and damaged records.
fn sorted<T>(
    rows: Vec<(i64, Cells)>,
    read: impl Fn(i64, &Cells) -> Result<T, String>,
) -> (Vec<T>, Vec<ReadDamaged>) {
    let mut items = Vec::with_capacity(rows.len());
    let mut damaged = Vec::new();
    for (seq, cells) in rows {
        match read(seq, &cells) {
            Ok(item) => items.push(item),
            Err(reason) => {
                tracing::warn!(id = cells.id(), seq, %reason, "a record of the read API cannot be read");
                damaged.push(ReadDamaged {
                    id: cells.id(),
                    seq,
                    reason,
                });
            }
        }
    }
    (items, damaged)
}

const HOUSEHOLDS: &str = "SELECT c.seq, h.id, h.number, h.head_name, h.size, t.id, t.name,
        v.name, s.name, h.mode, h.kind, st.status, st.verdict, st.accepted, st.accepted_at,
        st.unresolved_findings, st.over_cap, h.moved_in_at, h.agreement_signed_on,
        h.demolished_on, h.reclaimed_on
    FROM read_changes c
    JOIN households h ON h.id = c.record_id
    JOIN townships t ON t.id = h.township_id
    LEFT JOIN villages v ON v.id = h.village_id
    LEFT JOIN sites s ON s.id = h.site_id
    LEFT JOIN household_states st ON st.household_id = h.id
    WHERE c.feed = 'household' AND c.seq > ?1
      AND h.township_id IN (SELECT value FROM json_each(?2))
      AND NOT EXISTS (SELECT 1 FROM quarantine q
                      WHERE q.record_kind = 'household' AND q.record_id = h.id)
    ORDER BY c.seq LIMIT ?3";

fn household(seq: i64, c: &Cells) -> Result<ReadHousehold, String> {
    Ok(ReadHousehold {
        seq,
        id: uuid(c, 0, "id")?,
        number: c.text(1, "number")?,
        head_name: c.text(2, "head_name")?,
        size: c.parse(3, "size", |t| t.parse().ok())?,
        township: township(c, 4)?,
        village: c.text(6, "village")?,
        site: c.get(7),
        mode: c.parse(8, "mode", PlacementMode::from_code)?,
        kind: c.parse(9, "kind", PlacementKind::from_code)?,
        status: c
            .parse_optional(10, "status", HouseholdStatus::from_code)?
            .unwrap_or(HouseholdStatus::Pending),
        verdict: c.parse_optional(11, "verdict", AcceptanceVerdict::from_code)?,
        accepted: c.flag(12),
        accepted_at: c.get(13),
        unresolved_findings: count(c, 14, "unresolved_findings")?,
        over_cap: c.flag(15),
        moved_in_at: c.get(16),
        agreement_signed_on: c.get(17),
        demolished_on: c.get(18),
        reclaimed_on: c.get(19),
    })
}

/// The households of `townships` changed after the cursor.
pub fn households(
    db: &OfficeDb,
    townships: &[String],
    page: PageRequest,
) -> Result<ReadHouseholdPage, OfficeDbError> {
    let (rows, next_cursor, has_more) = page_of(rows(db, HOUSEHOLDS, townships, page, 20)?, page);
    let (items, damaged) = sorted(rows, household);
    Ok(ReadHouseholdPage {
        items,
        damaged,
        next_cursor,
        has_more,
    })
}

const ACCEPTANCES: &str = "SELECT c.seq, s.id, s.household_id, t.id, t.name, s.kind,
        s.inspector, coalesce(s.trusted_time, s.device_time), s.received_at,
        r.decision, u.name, r.reviewed_at, r.note,
        CASE WHEN st.acceptance_id = s.id THEN 1 ELSE 0 END, st.verdict,
        k.built_area_quarter_mm2, k.cap_quarter_mm2, k.cap_rule, k.over_cap, k.policy_version,
        s.recorded_area_json
    FROM read_changes c
    JOIN live_submissions s ON s.id = c.record_id
    JOIN households h ON h.id = s.household_id
    JOIN townships t ON t.id = h.township_id
    LEFT JOIN submission_reviews r ON r.id = (
        SELECT r2.id FROM submission_reviews r2 WHERE r2.submission_id = s.id
        ORDER BY r2.reviewed_at DESC, r2.id DESC LIMIT 1)
    LEFT JOIN users u ON u.id = r.reviewed_by
    LEFT JOIN household_states st ON st.household_id = s.household_id
    LEFT JOIN submission_checks k ON k.submission_id = s.id
    WHERE c.feed = 'acceptance' AND c.seq > ?1
      AND h.township_id IN (SELECT value FROM json_each(?2))
    ORDER BY c.seq LIMIT ?3";

fn acceptance(seq: i64, c: &Cells) -> Result<ReadAcceptance, String> {
    let state = match c.get(8).as_deref() {
        None => ReadReviewState::PendingReview,
        Some("approved") => ReadReviewState::Approved,
        Some("returned") => ReadReviewState::Returned,
        Some(other) => return Err(format!("review decision '{other}' cannot be read")),
    };
    let area_of = |i: usize, what: &str| {
        c.parse_optional(i, what, |t| {
            t.parse::<i128>().ok().map(Area::from_quarter_mm2)
        })
    };
    let area = match c.get(18) {
        None => None,
        Some(_) => Some(ReadAreaFigures {
            built_area: area_of(14, "built area")?,
            cap: area_of(15, "cap")?,
            cap_rule: c.get(16),
            over_cap: c.flag(17),
            policy_version: c.parse(18, "policy_version", |t| t.parse().ok())?,
        }),
    };
    let counts = c.flag(12);
    Ok(ReadAcceptance {
        seq,
        id: uuid(c, 0, "id")?,
        household_id: uuid(c, 1, "household_id")?,
        township: township(c, 2)?,
        kind: c.parse(4, "kind", SubmissionKind::from_code)?,
        inspector: c.text(5, "inspector")?,
        made_at: c.parse(6, "made_at", stored_time)?,
        received_at: c.parse(7, "received_at", stored_time)?,
        state,
        reviewed_by: c.get(9),
        reviewed_at: c.parse_optional(10, "reviewed_at", stored_time)?,
        review_note: c.get(11),
        counts,
        verdict: if counts {
            c.parse_optional(13, "verdict", AcceptanceVerdict::from_code)?
        } else {
            None
        },
        area,
        recorded_area: c
            .get(19)
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|e| format!("recorded area: {e}"))?,
    })
}

/// The submissions (acceptances, spot checks, other visits) of `townships` changed after
/// the cursor: made, reviewed, judged, or their verdict moved.
pub fn acceptances(
    db: &OfficeDb,
    townships: &[String],
    page: PageRequest,
) -> Result<ReadAcceptancePage, OfficeDbError> {
    let (rows, next_cursor, has_more) = page_of(rows(db, ACCEPTANCES, townships, page, 20)?, page);
    let (items, damaged) = sorted(rows, acceptance);
    Ok(ReadAcceptancePage {
        items,
        damaged,
        next_cursor,
        has_more,
    })
}

const FINDINGS: &str = "SELECT c.seq, f.id, f.household_id, t.id, t.name, f.submission_id,
        f.item, f.description, f.deadline, f.state, f.origin, f.critical, f.created_at,
        f.updated_at
    FROM read_changes c
    JOIN live_findings f ON f.id = c.record_id
    JOIN households h ON h.id = f.household_id
    JOIN townships t ON t.id = h.township_id
    WHERE c.feed = 'finding' AND c.seq > ?1
      AND h.township_id IN (SELECT value FROM json_each(?2))
    ORDER BY c.seq LIMIT ?3";

fn finding(seq: i64, c: &Cells) -> Result<ReadFinding, String> {
    Ok(ReadFinding {
        seq,
        id: uuid(c, 0, "id")?,
        household_id: uuid(c, 1, "household_id")?,
        township: township(c, 2)?,
        submission_id: c.parse_optional(4, "submission_id", |t| uuid::Uuid::parse_str(t).ok())?,
        item: c.get(5),
        description: c.text(6, "description")?,
        deadline: c.text(7, "deadline")?,
        state: c.parse(8, "state", FindingState::from_code)?,
        origin: c.parse(9, "origin", FindingOrigin::from_code)?,
        critical: c.flag(10),
        created_at: c.parse(11, "created_at", stored_time)?,
        updated_at: c.parse(12, "updated_at", stored_time)?,
        history: Vec::new(),
    })
}

/// The findings of `townships` changed after the cursor (raised, moved, re-checked), each
/// with its history, read for the whole page in one query.
pub fn findings(
    db: &OfficeDb,
    townships: &[String],
    page: PageRequest,
) -> Result<ReadFindingPage, OfficeDbError> {
    let (rows, next_cursor, has_more) = page_of(rows(db, FINDINGS, townships, page, 13)?, page);
    let (mut items, mut damaged) = sorted(rows, finding);
    if !items.is_empty() {
        let ids: Vec<String> = items.iter().map(|f| f.id.to_string()).collect();
        let mut stmt = db.conn.prepare_cached(
            "SELECT e.finding_id, e.from_state, e.to_state, e.at, u.name, e.note
             FROM finding_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.finding_id IN (SELECT value FROM json_each(?1))
             ORDER BY e.finding_id, e.at, e.id",
        )?;
        let events = stmt
            .query_map([serde_json::to_string(&ids)?], |row| {
                Ok(Cells::read(row, 0..6))
            })?
            .collect::<anju_sql::Result<Vec<_>>>()?;
        let mut by_finding: std::collections::HashMap<String, Vec<ReadFindingStep>> =
            std::collections::HashMap::new();
        let mut broken: std::collections::HashMap<String, String> =
            std::collections::HashMap::new();
        for e in events {
            let step = (|| -> Result<ReadFindingStep, String> {
                Ok(ReadFindingStep {
                    from_state: e.parse_optional(1, "from_state", FindingState::from_code)?,
                    to_state: e.parse(2, "to_state", FindingState::from_code)?,
                    at: e.parse(3, "at", stored_time)?,
                    by: e.get(4),
                    note: e.get(5),
                })
            })();
            match step {
                Ok(step) => by_finding.entry(e.id()).or_default().push(step),
                Err(reason) => {
                    broken.entry(e.id()).or_insert(format!("history: {reason}"));
                }
            }
        }
        // A finding whose history cannot be read is damaged as a whole: a partial
        // history would tell another system something the office never recorded.
        items.retain_mut(|f| {
            let id = f.id.to_string();
            if let Some(reason) = broken.remove(&id) {
                damaged.push(ReadDamaged {
                    id,
                    seq: f.seq,
                    reason,
                });
                return false;
            }
            f.history = by_finding.remove(&id).unwrap_or_default();
            true
        });
        damaged.sort_by_key(|d| d.seq);
    }
    Ok(ReadFindingPage {
        items,
        damaged,
        next_cursor,
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> (tempfile::TempDir, OfficeDb, String, String) {
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        crate::demo::load(&mut db).unwrap();
        crate::demo::load_users(&mut db).unwrap();
        let (township, household): (String, String) = db
            .conn
            .query_row(
                "SELECT t.id, h.id FROM households h JOIN townships t ON t.id = h.township_id
                 WHERE t.name = '东河口镇' ORDER BY h.number LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (dir, db, township, household)
    }

    fn add_finding(db: &OfficeDb, household: &str, created_at: &str) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        db.conn
            .execute(
                "INSERT INTO findings (id, household_id, description, deadline, state,
                     created_at, updated_at)
                 VALUES (?1, ?2, '水电未入户', '2017-09-30', 'open', ?3, ?3)",
                params![id, household, created_at],
            )
            .unwrap();
        id
    }

    #[test]
    fn a_damaged_record_is_named_and_the_cursor_moves_past_it() {
        let (_dir, db, township, household) = office();
        let now = Utc::now().to_rfc3339();
        let good = add_finding(&db, &household, &now);
        let damaged = add_finding(&db, &household, "yesterday");
        let later = add_finding(&db, &household, &now);
        let townships = vec![township];
        let whole = findings(
            &db,
            &townships,
            PageRequest {
                cursor: 0,
                limit: 500,
            },
        )
        .unwrap();
        let ids: Vec<String> = whole.items.iter().map(|f| f.id.to_string()).collect();
        assert_eq!(ids, vec![good.clone(), later.clone()]);
        assert_eq!(whole.damaged.len(), 1);
        assert_eq!(whole.damaged[0].id, damaged);
        assert!(
            whole.damaged[0].reason.contains("created_at"),
            "{:?}",
            whole.damaged
        );
        assert!(!whole.has_more);
        // One at a time: the damaged one is a page of its own, and the next goes on.
        let mut cursor = 0;
        let mut seen = Vec::new();
        loop {
            let page = findings(&db, &townships, PageRequest { cursor, limit: 1 }).unwrap();
            assert_eq!(page.items.len() + page.damaged.len(), 1);
            seen.extend(page.items.iter().map(|f| f.id.to_string()));
            seen.extend(page.damaged.iter().map(|d| d.id.clone()));
            assert!(page.next_cursor > cursor);
            cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(seen, vec![good, damaged, later]);
        let after = findings(&db, &townships, PageRequest { cursor, limit: 1 }).unwrap();
        assert!(after.items.is_empty() && after.damaged.is_empty());
        assert_eq!(after.next_cursor, cursor);
    }

    #[test]
    fn a_finding_whose_history_cannot_be_read_is_damaged_whole() {
        let (_dir, db, township, household) = office();
        let now = Utc::now().to_rfc3339();
        let id = add_finding(&db, &household, &now);
        let user: String = db
            .conn
            .query_row("SELECT id FROM users WHERE name = 'admin'", [], |r| {
                r.get(0)
            })
            .unwrap();
        db.conn
            .execute(
                "INSERT INTO finding_events (id, finding_id, from_state, to_state, user_id, at)
                 VALUES (?1, ?2, 'open', 'rectified', ?3, 'soon')",
                params![uuid::Uuid::now_v7().to_string(), id, user],
            )
            .unwrap();
        let page = findings(
            &db,
            &[township],
            PageRequest {
                cursor: 0,
                limit: 500,
            },
        )
        .unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.damaged.len(), 1);
        assert!(
            page.damaged[0].reason.starts_with("history"),
            "{:?}",
            page.damaged
        );
    }
}
