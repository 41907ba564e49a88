//! The office pages in a real browser: the real `anju-office serve` with the demo data and
//! field results made through the field app's command layer, driven by
//! `ui/office/e2e/office.e2e.mjs` (playwright-core with Debian's Chromium). Then what the
//! browser downloaded is read back, and the printed forms are rendered to PNG (pdftoppm)
//! for people to look at. Needs node, chromium and poppler-utils: `scripts/test` installs
//! them and runs this with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anju_tests::fixtures::{OfficeProcess, office_binary, office_data};
use anju_tests::seed::field_results;
use calamine::{Reader, Xlsx};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn artifacts() -> Result<PathBuf, std::io::Error> {
    let dir = root().join("artifacts/office-pages");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn files_with(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    found.sort();
    Ok(found)
}

/// Render a PDF's pages to PNG files `<prefix>-N.png` and return how many there are.
fn render(pdf: &Path, prefix: &Path) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let status = Command::new("pdftoppm")
        .args(["-r", "70", "-png"])
        .arg(pdf)
        .arg(prefix)
        .status()?;
    if !status.success() {
        return Err(format!("pdftoppm failed on {}", pdf.display()).into());
    }
    let stem = prefix
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = prefix.parent().ok_or("a folder")?;
    let pages = files_with(dir, "png")?
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}-")))
        })
        .collect::<Vec<_>>();
    for page in &pages {
        // A blank page would be a few hundred bytes; a form with text and photos is more.
        let size = std::fs::metadata(page)?.len();
        assert!(
            size > 8_000,
            "{} is nearly empty ({size} bytes)",
            page.display()
        );
    }
    Ok(pages.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs node, chromium and pdftoppm: scripts/test runs it"]
async fn the_office_pages_work_in_a_browser() -> TestResult {
    let data = tempfile::tempdir()?;
    office_data(data.path())?;
    let office = OfficeProcess::spawn(data.path(), "127.0.0.1:0")?;
    let device = tempfile::tempdir()?;
    let seeded = field_results(&office.url(), device.path(), 8, 3).await?;
    let out = artifacts()?;

    let status = Command::new("node")
        .arg("office/e2e/office.e2e.mjs")
        .current_dir(root().join("ui"))
        .env("ANJU_OFFICE_URL", office.url())
        .env("ANJU_ARTIFACTS", &out)
        .env("ANJU_ADMIN", "admin")
        .env("ANJU_TOWNSHIP_USER", "zhang")
        .env("ANJU_PASSWORD", anju_tests::fixtures::DEMO_PASSWORD)
        .status()?;
    assert!(status.success(), "the browser test failed: {status}");

    // The downloads, read back: every one opens, and the household list holds the
    // households the browser saw.
    let sheets = files_with(&out, "xlsx")?;
    assert!(
        sheets.len() >= 2,
        "the households and findings exports: {sheets:?}"
    );
    let mut saw_households = false;
    for sheet in &sheets {
        let mut book: Xlsx<_> = calamine::open_workbook(sheet)?;
        let range = book.worksheet_range_at(0).ok_or("a sheet")??;
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(rows.len() > 3, "{} has no data rows", sheet.display());
        if rows[2].first().map(String::as_str) == Some("户编号")
            && rows[2].get(8).map(String::as_str) == Some("状态")
        {
            saw_households = true;
            let accepted: Vec<&Vec<String>> = rows[3..]
                .iter()
                .filter(|r| seeded.accepted.contains(&r[0]))
                .collect();
            assert!(
                !accepted.is_empty(),
                "the accepted households are in {}",
                sheet.display()
            );
            assert!(accepted.iter().any(|r| r[8] != "待验收"));
        }
    }
    assert!(saw_households, "a households export among {sheets:?}");

    // The printed form the browser downloaded, to PNG.
    let pdfs = files_with(&out, "pdf")?;
    let form = pdfs.first().ok_or("a downloaded PDF form")?;
    assert!(std::fs::read(form)?.starts_with(b"%PDF"));
    let pages = render(form, &out.join("form-household"))?;
    assert!(pages >= 2, "a form with its photos spans pages: {pages}");

    // The same reports from the command line: a township's forms in one PDF.
    let township_pdf = out.join("township-forms.pdf");
    let status = Command::new(office_binary()?)
        .arg("--data")
        .arg(data.path())
        .args(["report", "forms", "东河口镇", "--out"])
        .arg(&township_pdf)
        .status()?;
    assert!(status.success());
    let pages = render(&township_pdf, &out.join("form-township"))?;
    assert!(pages >= 14, "14 households, a page each at least: {pages}");
    // An official record: the inspector by real name and department, never the login, and
    // a Chinese form all in Chinese.
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&township_pdf)
        .arg("-")
        .output()?;
    assert!(text.status.success(), "pdftotext failed");
    let text = String::from_utf8(text.stdout)?;
    assert!(
        text.contains("李晓峰"),
        "the inspector's name is on the form"
    );
    assert!(
        text.contains("区发改委"),
        "the inspector's department is on the form"
    );
    assert!(
        !text.contains("national"),
        "no English half on the Chinese form"
    );
    let english_words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .collect();
    assert!(
        english_words.is_empty(),
        "English words on the Chinese form: {english_words:?}"
    );
    let xlsx = out.join("cli-findings.xlsx");
    let status = Command::new(office_binary()?)
        .arg("--data")
        .arg(data.path())
        .args(["report", "findings", "--out"])
        .arg(&xlsx)
        .status()?;
    assert!(status.success());
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx)?;
    let range = book.worksheet_range_at(0).ok_or("a sheet")??;
    // The inspector's findings and the office's 面积超标 for the house over the limit.
    assert_eq!(
        range.rows().count(),
        3 + seeded.findings + seeded.over_cap.len()
    );
    Ok(())
}
