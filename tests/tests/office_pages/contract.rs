//! What schemathesis found in the office pages' API (issue 16, `scripts/api-contract`), each
//! kept as a test of its own: a request the document allows, answered as it says.

use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use reqwest::StatusCode;
use serde_json::json;

use super::TestResult;

/// Found by schemathesis (issue 16): the district admin asking to print "" (no township)
/// got a 500, as if the office had failed. A township that is not there is 404, none 422.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printing_no_township_or_an_unknown_one_is_refused_with_the_reason() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    for (township, expected) in [
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        ("  ", StatusCode::UNPROCESSABLE_ENTITY),
        ("没有这个镇", StatusCode::NOT_FOUND),
    ] {
        let (status, answer) = admin
            .post("/api/office/print-jobs", json!({"township": township}))
            .await?;
        assert_eq!(status, expected, "{township:?}: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains('镇') || m.contains("乡")),
            "{answer}"
        );
    }
    let (status, jobs) = admin.get("/api/office/print-jobs").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jobs.as_array().map(Vec::len), Some(0), "{jobs}");
    Ok(())
}

/// A household, township, site or inspector the pages' assignment names that the office does
/// not have is 404, as the sync API answers it (it was 422, which the document gave to a
/// request of the wrong shape).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigning_what_the_office_does_not_have_is_not_found() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    for body in [
        json!({"inspector": "li", "households": ["0"]}),
        json!({"inspector": "li", "township": "没有这个镇"}),
        json!({"inspector": "nobody", "households": ["0"]}),
    ] {
        let (status, answer) = admin.post("/api/office/assignments", body.clone()).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(" / ")),
            "{answer}"
        );
    }
    Ok(())
}
