//! A county grows into a province: a SQLite office with field results moves to PostgreSQL
//! (and its blobs to another store), loses nothing, and serves on from there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_office::db::OfficeDb;
use anju_tests::fixtures::{InProcessOffice, OfficeHoldings};
use anju_tests::seed::field_results;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_office_moves_to_postgres_and_loses_nothing() -> Result<(), BoxError> {
    let Some(server) = anju_office::testing::postgres_server() else {
        return Ok(());
    };
    // The county: SQLite in its data folder, with what three acceptances and a spot check
    // brought in from the field.
    let county = tempfile::tempdir()?;
    {
        let mut db = OfficeDb::create(county.path())?;
        anju_office::demo::load(&mut db)?;
        anju_office::demo::load_users(&mut db)?;
    }
    let office = InProcessOffice::start(county.path()).await?;
    let device = tempfile::tempdir()?;
    field_results(&office.url(), device.path(), 3, 1).await?;
    office.stop().await?;
    let before = OfficeHoldings::read(county.path())?;
    assert!(!before.blobs.is_empty() && !before.records.is_empty());

    // The province: PostgreSQL, and the blobs in a store of their own.
    let url = anju_sql::testing::fresh_postgres_database(&server)?;
    let province = tempfile::tempdir()?;
    let blobs = province.path().join(anju_office::db::BLOB_DIR);
    let county_dir = county.path().to_path_buf();
    let (to, blob_dir) = (url.clone(), blobs.clone());
    let report = tokio::task::spawn_blocking(move || -> Result<_, BoxError> {
        let source = OfficeDb::open(&county_dir)?;
        let mut report = anju_office::move_up::copy_records(&source, &to, &mut |_, _| {})?;
        anju_office::move_up::copy_blobs(
            &county_dir.join(anju_office::db::BLOB_DIR),
            &anju_office::blob_target::FolderTarget(blob_dir),
            &mut report,
            &mut |_| {},
        )?;
        Ok(report)
    })
    .await??;
    assert_eq!(report.blobs_checked as usize, before.blobs.len());
    assert_eq!(report.blobs_copied, report.blobs_checked);
    assert!(report.tables["submissions"] > 0);

    // Run again, as after an interruption: nothing is copied twice.
    let county_dir = county.path().to_path_buf();
    let to = url.clone();
    let again = tokio::task::spawn_blocking(move || -> Result<_, BoxError> {
        let source = OfficeDb::open(&county_dir)?;
        Ok(anju_office::move_up::copy_records(
            &source,
            &to,
            &mut |_, _| {},
        )?)
    })
    .await??;
    assert!(again.copied.values().all(|n| *n == 0), "{:?}", again.copied);
    assert_eq!(again.tables, report.tables);

    // Every record of the read API is where it was in its feed, and the sequence goes on
    // from the county's: another system's cursor reads on.
    let county_dir = county.path().to_path_buf();
    let to = url.clone();
    let (source_log, target_log) = tokio::task::spawn_blocking(move || -> Result<_, BoxError> {
        let read_log = |conn: &anju_sql::Connection| -> Result<_, BoxError> {
            let mut stmt = conn.prepare(
                "SELECT feed, record_id, seq FROM read_changes ORDER BY feed, seq, record_id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })?
                .collect::<anju_sql::Result<Vec<_>>>()?;
            let next: i64 =
                conn.query_row("SELECT value FROM read_sequence WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            Ok((rows, next))
        };
        let source = OfficeDb::open(&county_dir)?;
        let target = anju_sql::Connection::connect_postgres(&to)?;
        Ok((read_log(source.connection())?, read_log(&target)?))
    })
    .await??;
    assert!(!source_log.0.is_empty());
    assert_eq!(target_log, source_log);

    // The province's office holds exactly what the county's did, and serves it.
    anju_office::db::remember_database_url(province.path(), &url)?;
    let after = OfficeHoldings::read(province.path())?;
    assert_eq!(after, before);
    let office = InProcessOffice::start(province.path()).await?;
    let page = anju_tests::pages::Page::sign_in(&office.url(), "admin").await?;
    let (status, households) = page.get("/api/office/households?limit=200").await?;
    assert_eq!(status, reqwest::StatusCode::OK, "{households}");
    assert_eq!(households["total"], 121, "{households}");
    office.stop().await?;
    Ok(())
}
