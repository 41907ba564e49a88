//! The province's backup and restore, as docs/deployment.md tells an operator to run them:
//! `scripts/office-backup` (pg_dump, then every blob copied out of the bucket) and
//! `scripts/office-restore` (pg_restore into an empty database, the blobs back into another
//! bucket prefix, every blob re-hashed). The restored office holds what the first did.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::Path;
use std::process::Command;

use anju_office::blob_target::BlobLocation;
use anju_office::db::{DatabaseLocation, OfficeDb};
use anju_office::http::ServeOptions;
use anju_office::s3_blobs::S3Config;
use anju_office::s3_blobs::test_garage::TestGarage;
use anju_tests::fixtures::{InProcessOffice, OfficeHoldings, office_binary};
use anju_tests::seed::field_results;

fn run(
    script: &str,
    args: &[&str],
    database: Option<&str>,
    blobs: Option<&str>,
    bucket: &S3Config,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new(root.join("scripts").join(script));
    command
        .args(args)
        .env("ANJU_OFFICE_BIN", office_binary().unwrap())
        .env("AWS_ENDPOINT_URL", &bucket.endpoint)
        .env("AWS_REGION", &bucket.region)
        .env("AWS_ACCESS_KEY_ID", &bucket.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &bucket.secret_access_key)
        .env_remove("ANJU_OFFICE_DATABASE")
        .env_remove("ANJU_OFFICE_BLOBS");
    if let Some(database) = database {
        command.env("ANJU_OFFICE_DATABASE", database);
    }
    if let Some(blobs) = blobs {
        command.env("ANJU_OFFICE_BLOBS", blobs);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_backed_up_and_restored_holds_what_it_held() {
    let Some(server) = anju_office::testing::postgres_server() else {
        return;
    };
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let first = anju_sql::testing::fresh_postgres_database(&server).unwrap();
    let bucket = garage.config_with_prefix("first");
    {
        let mut db = OfficeDb::create_postgres(&first).unwrap();
        anju_office::demo::load(&mut db).unwrap();
        anju_office::demo::load_users(&mut db).unwrap();
    }
    let folder = tempfile::tempdir().unwrap();
    let mut options = ServeOptions::new(folder.path().to_path_buf());
    options.database = DatabaseLocation::Postgres(first.clone());
    options.blobs = BlobLocation::S3(bucket.clone());
    let office = InProcessOffice::start_with(options).await.unwrap();
    let device = tempfile::tempdir().unwrap();
    field_results(&office.url(), device.path(), 3, 1)
        .await
        .unwrap();
    office.stop().await.unwrap();

    let backup = tempfile::tempdir().unwrap();
    let backup_dir = backup.path().to_str().unwrap();
    let first_blobs = format!("s3://{}/first", bucket.bucket);
    run(
        "office-backup",
        &[backup_dir],
        Some(&first),
        Some(&first_blobs),
        &bucket,
    );
    assert!(backup.path().join("office.dump").is_file());

    let second = anju_sql::testing::fresh_postgres_database(&server).unwrap();
    let second_blobs = format!("s3://{}/second", bucket.bucket);
    run(
        "office-restore",
        &[backup_dir, &second, &second_blobs],
        None,
        None,
        &bucket,
    );

    // The same records, and in the restored bucket the same blobs, each whole.
    let read = |url: &str| {
        let data = tempfile::tempdir().unwrap();
        anju_office::db::remember_database_url(data.path(), url).unwrap();
        OfficeHoldings::read(data.path()).unwrap()
    };
    let (before, after) = (read(&first), read(&second));
    assert!(!before.records.is_empty());
    assert_eq!(after.records, before.records);
    let restored_bucket = garage.config_with_prefix("second");
    let check = tokio::task::spawn_blocking(move || {
        // Its own runtime drives the bucket: off the test's.
        let restored =
            anju_office::blob_target::open_ends(&BlobLocation::S3(restored_bucket)).unwrap();
        let db = OfficeDb::create_postgres(&second).unwrap();
        anju_office::blob_check::check_blobs(db.connection(), restored.as_ref(), None, &mut |_| {})
            .unwrap()
    })
    .await
    .unwrap();
    assert!(check.is_whole() && check.good > 0, "{check:?}");
}
