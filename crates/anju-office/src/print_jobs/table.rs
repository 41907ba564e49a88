//! Print jobs as rows of `print_jobs`, so that every office process behind the load
//! balancer sees the same jobs and counts the same limit. The process printing a job
//! claims it (`claimed_by`) and beats (`heartbeat_at`); a job whose process stopped
//! beating is failed by whichever process looks next, and shown as failed meanwhile.

use anju_sql::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use chrono::{DateTime, SecondsFormat, Utc};

use super::{PrintJobState, PrintJobView};
use crate::services::{FormLang, PersonalData};

/// How often the printing process says it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(15);
/// A job not heard of for this long has lost its process. Well above the beat, so that a
/// busy database or a slow volume does not fail a live job.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(3);

/// Why a job whose process stopped failed.
pub const LOST: &str = "打印任务所在的办公室进程已停止，请重新打印 / the office process printing this job stopped: start it again";

/// Times as RFC 3339 text of one width, so that text order is time order.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A job as it is written when started.
pub struct NewJob {
    pub id: String,
    pub township_id: String,
    pub view: PrintJobView,
    pub requested_by: String,
    pub lang: FormLang,
    pub personal: PersonalData,
    pub claimed_by: String,
}

/// Write `job` unless `max` jobs are unfinished in the whole office (jobs whose process
/// stopped failed first); `Err(n)` when `n` are. One write transaction, so two processes
/// cannot both take the last place.
pub fn insert_if_room(
    conn: &mut Connection,
    job: &NewJob,
    now: DateTime<Utc>,
    max: usize,
) -> anju_sql::Result<Result<(), usize>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    fail_lost(&tx, now)?;
    let active: i64 = tx.query_row(
        "SELECT count(*) FROM print_jobs WHERE state IN ('queued', 'printing')",
        [],
        |r| r.get(0),
    )?;
    let active = usize::try_from(active).unwrap_or(usize::MAX);
    if active >= max {
        return Ok(Err(active));
    }
    let v = &job.view;
    tx.execute(
        "INSERT INTO print_jobs (id, township_id, township, requested_by, state, households,
             volumes_total, volumes_done, started_at, file_name, lang, personal_full,
             claimed_by, heartbeat_at)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?7)",
        params![
            job.id,
            job.township_id,
            v.township,
            job.requested_by,
            i64::from(v.households),
            i64::from(v.volumes_total),
            time(v.started_at),
            v.file_name,
            match job.lang {
                FormLang::Zh => "zh",
                FormLang::En => "en",
            },
            i64::from(matches!(job.personal, PersonalData::Full)),
            job.claimed_by,
        ],
    )?;
    tx.commit()?;
    Ok(Ok(()))
}

/// Fail the unfinished jobs whose process has not beaten for [`STALE_AFTER`]; how many.
pub fn fail_lost(conn: &Connection, now: DateTime<Utc>) -> anju_sql::Result<usize> {
    conn.execute(
        "UPDATE print_jobs SET state = 'failed', current_volume = NULL, error = ?1,
             finished_at = ?2
         WHERE state IN ('queued', 'printing') AND heartbeat_at < ?3",
        params![LOST, time(now), time(now - STALE_AFTER)],
    )
}

/// The printing process's word on its job: alive, at volume `current` with `done` done.
/// `false` when the job is no longer its own to print (failed as lost meanwhile).
pub fn progress(
    conn: &Connection,
    id: &str,
    claimant: &str,
    current: Option<&str>,
    done: u32,
    now: DateTime<Utc>,
) -> anju_sql::Result<bool> {
    let changed = conn.execute(
        "UPDATE print_jobs SET state = 'printing', current_volume = ?3, volumes_done = ?4,
             heartbeat_at = ?5
         WHERE id = ?1 AND claimed_by = ?2 AND state IN ('queued', 'printing')",
        params![id, claimant, current, i64::from(done), time(now)],
    )?;
    Ok(changed > 0)
}

/// Alive, no news; `false` as for [`progress`].
pub fn heartbeat(
    conn: &Connection,
    id: &str,
    claimant: &str,
    now: DateTime<Utc>,
) -> anju_sql::Result<bool> {
    let changed = conn.execute(
        "UPDATE print_jobs SET heartbeat_at = ?3
         WHERE id = ?1 AND claimed_by = ?2 AND state IN ('queued', 'printing')",
        params![id, claimant, time(now)],
    )?;
    Ok(changed > 0)
}

/// The job is done, its ZIP the blob `sha256`; `false` as for [`progress`].
pub fn done(
    conn: &Connection,
    id: &str,
    claimant: &str,
    sha256: &str,
    bytes: u64,
    now: DateTime<Utc>,
) -> anju_sql::Result<bool> {
    let changed = conn.execute(
        "UPDATE print_jobs SET state = 'done', current_volume = NULL, volumes_done = volumes_total,
             zip_sha256 = ?3, zip_bytes = ?4, finished_at = ?5, heartbeat_at = ?5
         WHERE id = ?1 AND claimed_by = ?2 AND state IN ('queued', 'printing')",
        params![
            id,
            claimant,
            sha256,
            i64::try_from(bytes).unwrap_or(i64::MAX),
            time(now)
        ],
    )?;
    Ok(changed > 0)
}

/// The job failed, for `error` ("中文 / English").
pub fn failed(
    conn: &Connection,
    id: &str,
    claimant: &str,
    error: &str,
    now: DateTime<Utc>,
) -> anju_sql::Result<()> {
    conn.execute(
        "UPDATE print_jobs SET state = 'failed', current_volume = NULL, error = ?3,
             finished_at = ?4
         WHERE id = ?1 AND claimed_by = ?2 AND state IN ('queued', 'printing')",
        params![id, claimant, error, time(now)],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, township, state, households, volumes_total, volumes_done,
    current_volume, error, started_at, finished_at, file_name, heartbeat_at, zip_sha256";

/// The job as the page sees it, and its ZIP's hash once done. A job whose process
/// stopped shows as failed before anyone wrote so.
fn view_of(row: &Row<'_>, now: DateTime<Utc>) -> anju_sql::Result<(PrintJobView, Option<String>)> {
    let id: String = row.get(0)?;
    let state: String = row.get(2)?;
    let count = |i: usize| -> anju_sql::Result<u32> {
        Ok(u32::try_from(row.get::<_, i64>(i)?.max(0)).unwrap_or(u32::MAX))
    };
    let started: String = row.get(8)?;
    let finished: Option<String> = row.get(9)?;
    let heartbeat: Option<String> = row.get(11)?;
    let zip: Option<String> = row.get(12)?;
    let mut view = PrintJobView {
        township: row.get(1)?,
        state: match state.as_str() {
            "queued" => PrintJobState::Queued,
            "printing" => PrintJobState::Printing,
            "done" => PrintJobState::Done,
            _ => PrintJobState::Failed,
        },
        households: count(3)?,
        volumes_total: count(4)?,
        volumes_done: count(5)?,
        current: row.get(6)?,
        error: row.get(7)?,
        started_at: parse_time(&started).unwrap_or(DateTime::<Utc>::MIN_UTC),
        finished_at: finished.as_deref().and_then(parse_time),
        download: None,
        file_name: row.get(10)?,
        id,
    };
    let last_heard = heartbeat.as_deref().and_then(parse_time);
    let unfinished = matches!(view.state, PrintJobState::Queued | PrintJobState::Printing);
    if unfinished && last_heard.is_none_or(|t| now - t > STALE_AFTER) {
        view.state = PrintJobState::Failed;
        view.current = None;
        view.error = Some(LOST.to_string());
        view.finished_at = last_heard;
    }
    if view.state == PrintJobState::Done {
        view.download = Some(format!("/api/office/print-jobs/{}/download", view.id));
    }
    Ok((view, zip))
}

/// One job, if `owner` (or the district admin, `None`, who sees every job) may see it;
/// with its ZIP's hash.
pub fn get(
    conn: &Connection,
    id: &str,
    owner: Option<&str>,
    now: DateTime<Utc>,
) -> anju_sql::Result<Option<(PrintJobView, Option<String>)>> {
    let found = match owner {
        Some(owner) => conn.query_row(
            &format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1 AND requested_by = ?2"),
            params![id, owner],
            |r| view_of(r, now),
        ),
        None => conn.query_row(
            &format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1"),
            [id],
            |r| view_of(r, now),
        ),
    };
    found.optional()
}

/// The jobs `owner` (or the admin, `None`) may see, newest first. A row that cannot be
/// read is left out rather than taking the list down.
pub fn list(
    conn: &Connection,
    owner: Option<&str>,
    now: DateTime<Utc>,
) -> anju_sql::Result<Vec<PrintJobView>> {
    let order = "ORDER BY started_at DESC, id DESC";
    let read = |r: anju_sql::Result<(PrintJobView, Option<String>)>| r.ok().map(|(v, _)| v);
    Ok(match owner {
        Some(owner) => {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM print_jobs WHERE requested_by = ?1 {order}"
            ))?;
            let rows = stmt.query_map([owner], |r| view_of(r, now))?;
            rows.filter_map(read).collect()
        }
        None => {
            let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM print_jobs {order}"))?;
            let rows = stmt.query_map([], |r| view_of(r, now))?;
            rows.filter_map(read).collect()
        }
    })
}

/// Forget the jobs finished before `before`; the ZIPs no job names any longer.
pub fn forget_finished(
    conn: &mut Connection,
    before: DateTime<Utc>,
) -> anju_sql::Result<(usize, Vec<String>)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let zips: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT zip_sha256 FROM print_jobs
             WHERE finished_at < ?1 AND zip_sha256 IS NOT NULL",
        )?;
        stmt.query_map([time(before)], |r| r.get(0))?
            .collect::<anju_sql::Result<Vec<String>>>()?
    };
    let forgotten = tx.execute(
        "DELETE FROM print_jobs WHERE finished_at < ?1",
        [time(before)],
    )?;
    let mut unused = Vec::new();
    for sha in zips {
        let still: i64 = tx.query_row(
            "SELECT count(*) FROM print_jobs WHERE zip_sha256 = ?1",
            [&sha],
            |r| r.get(0),
        )?;
        if still == 0 {
            unused.push(sha);
        }
    }
    tx.commit()?;
    Ok((forgotten, unused))
}

/// Whether a job is still queued or printing (its scratch files are in use).
pub fn unfinished(conn: &Connection, id: &str) -> anju_sql::Result<bool> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM print_jobs WHERE id = ?1 AND state IN ('queued', 'printing')",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::OfficeDb;

    fn job(id: &str, owner: &str, process: &str, started: DateTime<Utc>) -> NewJob {
        NewJob {
            id: id.to_string(),
            township_id: "t".to_string(),
            view: PrintJobView {
                id: id.to_string(),
                township: "东河口镇".to_string(),
                state: PrintJobState::Queued,
                households: 14,
                volumes_total: 2,
                volumes_done: 0,
                current: None,
                error: None,
                started_at: started,
                finished_at: None,
                download: None,
                file_name: "x.zip".to_string(),
            },
            requested_by: owner.to_string(),
            lang: FormLang::Zh,
            personal: PersonalData::Masked,
            claimed_by: process.to_string(),
        }
    }

    #[test]
    fn the_limit_holds_for_every_process_and_a_lost_job_frees_its_place() {
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        let conn = db.connection_mut();
        let now = Utc::now();
        let long_ago = now - chrono::Duration::minutes(10);
        // Process A started four jobs ten minutes ago and beat for the first only.
        for n in 0..4 {
            let added = insert_if_room(
                conn,
                &job(&format!("a{n}"), "zhang", "A", long_ago),
                long_ago,
                4,
            );
            assert_eq!(added.unwrap(), Ok(()));
        }
        assert!(progress(conn, "a0", "A", Some("长岭村"), 1, now).unwrap());
        assert!(
            !progress(conn, "a0", "B", Some("长岭村"), 1, now).unwrap(),
            "not B's"
        );
        // B is refused while they print (a minute later); the three that went silent are
        // shown failed once they are stale.
        assert_eq!(
            insert_if_room(
                conn,
                &job("b0", "li", "B", now),
                long_ago + chrono::Duration::minutes(1),
                4
            )
            .unwrap(),
            Err(4)
        );
        let (a1, _) = get(conn, "a1", Some("zhang"), now).unwrap().unwrap();
        assert_eq!(
            (a1.state, a1.error.as_deref()),
            (PrintJobState::Failed, Some(LOST))
        );
        let (a0, _) = get(conn, "a0", Some("zhang"), now).unwrap().unwrap();
        assert_eq!(
            (a0.state, a0.current.as_deref(), a0.volumes_done),
            (PrintJobState::Printing, Some("长岭村"), 1)
        );
        // Now the silent ones have lost their place, and are failed for good.
        assert_eq!(
            insert_if_room(conn, &job("b0", "li", "B", now), now, 4).unwrap(),
            Ok(())
        );
        assert!(
            !heartbeat(conn, "a1", "A", now).unwrap(),
            "a lost job stays lost"
        );
        assert!(done(conn, "a0", "A", &"ab".repeat(32), 10, now).unwrap());
        // Each sees their own; the admin every job.
        assert!(get(conn, "a0", Some("li"), now).unwrap().is_none());
        let (a0, zip) = get(conn, "a0", None, now).unwrap().unwrap();
        assert_eq!(
            a0.download.as_deref(),
            Some("/api/office/print-jobs/a0/download")
        );
        assert_eq!(zip, Some("ab".repeat(32)));
        assert_eq!(list(conn, Some("li"), now).unwrap().len(), 1);
        assert_eq!(list(conn, None, now).unwrap().len(), 5);
        // A day on, the finished ones are forgotten with their ZIP; B's goes on.
        let (forgotten, unused) =
            forget_finished(conn, now + chrono::Duration::seconds(1)).unwrap();
        assert_eq!((forgotten, unused), (4, vec!["ab".repeat(32)]));
        assert!(unfinished(conn, "b0").unwrap());
    }
}
