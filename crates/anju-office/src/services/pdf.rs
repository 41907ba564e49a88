//! Printing a form's HTML to PDF with a headless Chromium, from a temporary folder that
//! holds the page and its images.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "找不到 Chromium，无法生成 PDF：请安装 chromium 或设置 ANJU_CHROMIUM / Chromium was not found, so no PDF can be made: install chromium or set ANJU_CHROMIUM"
    )]
    NoBrowser,
    #[error("生成 PDF 的临时文件出错 / the PDF's temporary files failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "Chromium 生成 PDF 失败（{status}）：{stderr} / Chromium could not make the PDF ({status}): {stderr}"
    )]
    Browser { status: String, stderr: String },
    #[error("Chromium 在 {0} 秒内没有生成 PDF / Chromium made no PDF within {0} s")]
    Timeout(u64),
}

/// The browser to print with: `ANJU_CHROMIUM`, or the first of the usual names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ANJU_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .map(|name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Where a form's images go in the folder a PDF is printed from.
pub fn pdf_image_src(sha256: &str) -> String {
    format!("img/{sha256}")
}

/// Print `html` (whose images are `img/<sha256>`, given in `images`) to PDF.
pub fn print_pdf(
    html: &str,
    images: &[(String, Vec<u8>)],
    timeout: Duration,
) -> std::result::Result<Vec<u8>, PdfError> {
    let browser = chromium().ok_or(PdfError::NoBrowser)?;
    // Removed when dropped, whatever happens to the print.
    let dir = tempfile::Builder::new().prefix("anju-pdf-").tempdir()?;
    let img = dir.path().join("img");
    std::fs::create_dir_all(&img)?;
    for (sha, bytes) in images {
        if anju_core::hash::is_sha256_hex(sha) {
            std::fs::write(img.join(sha), bytes)?;
        }
    }
    let page = dir.path().join("form.html");
    std::fs::write(&page, html)?;
    let pdf = dir.path().join("form.pdf");
    let profile = dir.path().join("profile");
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PdfError::NoBrowser,
            _ => PdfError::Io(e),
        })?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    match std::fs::read(&pdf) {
        Ok(bytes) if status.success() && bytes.starts_with(b"%PDF") => Ok(bytes),
        _ => Err(PdfError::Browser {
            status: status.to_string(),
            stderr: stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
        }),
    }
}

fn file_url(path: &Path) -> String {
    // Unreserved characters and `/` stay; everything else is escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let text = path.display().to_string();
    format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&text, ESCAPED)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_encode_what_is_not_plain() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/表.html")),
            "file:///tmp/a%20b/%E8%A1%A8.html"
        );
    }
}
