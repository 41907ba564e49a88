//! The acceptance supervision form (验收监督表) of a household, printable on A4: its
//! answers, area calculation, photos, signatures and findings. The same HTML is served to
//! the browser (which prints it) and turned into PDF by a headless Chromium.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::query::household;
use super::views::{HouseholdDetail, SubmissionView};
use super::{Result, Viewer};
use crate::db::OfficeDb;

/// A form page and the images it shows (by SHA-256), so a PDF can be made without a server.
#[derive(Debug, Clone)]
pub struct FormHtml {
    pub title: String,
    pub html: String,
    pub images: Vec<String>,
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn local(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

const STYLE: &str = r#"
@page { size: A4; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       font-size: 10.5pt; color: #111; margin: 0; }
.form { page-break-after: always; }
.form:last-child { page-break-after: auto; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 2mm; letter-spacing: 1px; }
.sub { text-align: center; font-size: 9pt; color: #444; margin-bottom: 4mm; }
h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm; padding: 1mm 2mm; background: #eef2f7; border-left: 3px solid #1f4e8c; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.6pt solid #666; padding: 1.2mm 1.8mm; vertical-align: top; text-align: left; }
th { background: #f4f4f4; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.problem { color: #b00000; font-weight: 600; }
.ok { color: #11632b; font-weight: 600; }
.trace { font-size: 8.5pt; color: #333; white-space: pre-wrap; margin: 1.5mm 0 0; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.photos { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; }
.photos figure { margin: 0; border: 0.6pt solid #999; padding: 1mm; page-break-inside: avoid; }
.photos img { width: 100%; height: 30mm; object-fit: cover; display: block; }
.photos figcaption, .signs figcaption { font-size: 8pt; text-align: center; margin-top: 0.8mm; }
.signs { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2mm; }
.signs figure { margin: 0; border: 0.6pt solid #999; padding: 1mm; page-break-inside: avoid; }
.signs img { width: 100%; height: 20mm; object-fit: contain; display: block; background: #fff; }
.stale { color: #b00000; font-size: 8pt; }
.foot { margin-top: 4mm; font-size: 8pt; color: #555; display: flex; justify-content: space-between; }
.none { color: #777; }
@media screen { body { background: #e8e8e8; } .form { background: #fff; width: 210mm; min-height: 297mm;
  margin: 6mm auto; padding: 12mm; box-shadow: 0 1px 6px rgba(0,0,0,.25); } }
"#;

fn info_table(out: &mut String, d: &HouseholdDetail) {
    let r = &d.row;
    let _ = write!(
        out,
        "<table><tr><th>户编号</th><td>{}</td><th>户主</th><td>{}</td><th>家庭人口</th><td>{} 人</td></tr>\
         <tr><th>身份证号</th><td colspan=\"3\">{}</td><th>联系电话</th><td>{}</td></tr>\
         <tr><th>乡镇</th><td>{}</td><th>村</th><td>{}</td><th>安置方式</th><td>{}</td></tr>\
         <tr><th>安置点</th><td colspan=\"3\">{}</td><th>安置类型</th><td>{}</td></tr>\
         <tr><th>验收状态</th><td colspan=\"3\">{}</td><th>验收结论</th><td class=\"{}\">{}</td></tr></table>",
        esc(&r.number),
        esc(&r.head_name),
        r.size,
        esc(&d.id_number),
        esc(d.phone.as_deref().unwrap_or("—")),
        esc(&r.township),
        esc(&r.village),
        if r.mode == anju_core::model::PlacementMode::Concentrated {
            "集中安置"
        } else {
            "分散安置"
        },
        esc(r.site.as_deref().unwrap_or("—")),
        esc(&r.kind_label.zh),
        r.status.label_zh(),
        if r.verdict == Some(anju_core::verdict::AcceptanceVerdict::Fail) {
            "problem"
        } else {
            "ok"
        },
        r.verdict.map_or("—", |v| v.label_zh()),
    );
}

fn submission_part(
    out: &mut String,
    s: &SubmissionView,
    image: &dyn Fn(&str) -> String,
    images: &mut Vec<String>,
) {
    let kind = if s.kind == anju_core::model::SubmissionKind::SpotCheck {
        "抽查复核"
    } else {
        "验收"
    };
    let _ = write!(
        out,
        "<h2>{kind}记录 · 检查员 {} · {}</h2>",
        esc(&s.inspector),
        local(s.trusted_time.unwrap_or(s.device_time))
    );
    out.push_str("<table><tr><th style=\"width:22%\">项目</th><th style=\"width:34%\">检查项</th><th style=\"width:16%\">结果</th><th>说明</th></tr>");
    for section in &s.sections {
        let rows: Vec<_> = section
            .items
            .iter()
            .filter(|i| !i.key.starts_with("photo") && !i.key.starts_with("sign"))
            .collect();
        for (n, item) in rows.iter().enumerate() {
            out.push_str("<tr>");
            if n == 0 {
                let _ = write!(
                    out,
                    "<td rowspan=\"{}\">{}</td>",
                    rows.len(),
                    esc(&section.title.zh)
                );
            }
            let class = if item.problem {
                " class=\"problem\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td>{}</td><td{class}>{}</td><td>{}</td></tr>",
                esc(&item.label.zh),
                esc(&item.value.zh),
                esc(item.note.as_deref().unwrap_or(""))
            );
        }
    }
    out.push_str("</table>");

    if let Some(area) = &s.area {
        out.push_str("<h2>面积计算（GB/T 50353-2013）</h2><table><tr><th>#</th><th>部位</th><th>层</th><th>尺寸</th><th>计算规则</th><th>计入面积 m²</th></tr>");
        for (i, p) in area.parts.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                i + 1,
                esc(&p.name),
                p.storey,
                esc(&p.shape),
                esc(&p.rule.zh),
                esc(&p.area_m2)
            );
        }
        let class = if area.over_cap { "problem" } else { "ok" };
        let _ = write!(
            out,
            "<tr><th colspan=\"5\">建筑面积合计 · 人均 {} m² · 标准 {} m²</th><td class=\"num\"><b>{}</b></td></tr>\
             <tr><th colspan=\"2\">结论</th><td colspan=\"4\" class=\"{class}\">{}</td></tr></table>\
             <div class=\"trace\">{}</div>",
            esc(&area.per_person_m2),
            esc(area.cap_m2.as_deref().unwrap_or("—")),
            esc(&area.built_area_m2),
            esc(&area.verdict.zh),
            esc(&area.trace.zh)
        );
    }

    if !s.photos.is_empty() {
        out.push_str("<div class=\"keep\"><h2>现场照片</h2><div class=\"photos\">");
        for p in &s.photos {
            images.push(p.sha256.clone());
            let taken = p.taken_at.map(local).unwrap_or_default();
            let _ = write!(
                out,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{} {}</figcaption></figure>",
                esc(&image(&p.sha256)),
                esc(&p.slot_label.zh),
                esc(&p.slot_label.zh),
                esc(&taken)
            );
        }
        out.push_str("</div></div>");
    }
    if !s.signatures.is_empty() {
        out.push_str("<div class=\"keep\"><h2>签字确认</h2><div class=\"signs\">");
        for g in &s.signatures {
            let sha = g.url.rsplit('/').next().unwrap_or_default().to_string();
            images.push(sha.clone());
            let stale = if g.matches_form {
                String::new()
            } else {
                "<div class=\"stale\">签字后表单有改动</div>".to_string()
            };
            let _ = write!(
                out,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}：{}（{}）<br>{}</figcaption>{stale}</figure>",
                esc(&image(&sha)),
                esc(&g.signer_name),
                esc(&g.slot_label.zh),
                esc(&g.signer_name),
                esc(&g.method.zh),
                local(g.signed_at)
            );
        }
        out.push_str("</div></div>");
    }
}

pub(super) fn form_body(
    out: &mut String,
    d: &HouseholdDetail,
    image: &dyn Fn(&str) -> String,
    images: &mut Vec<String>,
) {
    out.push_str("<section class=\"form\"><h1>易地扶贫搬迁安置房验收监督表</h1>");
    let _ = write!(
        out,
        "<div class=\"sub\">{} · {} · 户编号 {}</div>",
        esc(&d.row.township),
        esc(&d.row.village),
        esc(&d.row.number)
    );
    info_table(out, d);
    if d.submissions.is_empty() {
        out.push_str("<h2>验收记录</h2><p class=\"none\">尚未验收（无外业提交记录）。</p>");
    }
    for s in &d.submissions {
        submission_part(out, s, image, images);
    }
    if let Some(c) = &d.spot_check {
        let class = if c.within_tolerance { "ok" } else { "problem" };
        let _ = write!(
            out,
            "<h2>抽查复核面积比对</h2><table><tr><th>验收面积 m²</th><th>复测面积 m²</th><th>差值 m²</th><th>差异</th><th>结论</th></tr>\
             <tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{}</td></tr></table>",
            esc(&c.recorded_m2),
            esc(&c.remeasured_m2),
            esc(&c.difference_m2),
            esc(&c.difference_pct),
            if c.within_tolerance {
                "在允许误差内"
            } else {
                "超出允许误差，需核实"
            }
        );
    }
    // The end of the form stays together: problems, milestones, the printing line.
    out.push_str("<div class=\"keep\"><h2>存在问题及整改</h2>");
    if d.findings.is_empty() {
        out.push_str("<p class=\"none\">无。</p>");
    } else {
        out.push_str("<table><tr><th>检查项</th><th>问题</th><th>整改期限</th><th>状态</th></tr>");
        for f in &d.findings {
            let class = if f.overdue { " class=\"problem\"" } else { "" };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td{class}>{}{}</td><td>{}</td></tr>",
                esc(&f
                    .item_label
                    .as_ref()
                    .map(|l| l.zh.clone())
                    .unwrap_or_default()),
                esc(&f.description),
                f.deadline,
                if f.overdue {
                    format!("（逾期 {} 天）", -f.days_left)
                } else {
                    String::new()
                },
                f.state.label_zh()
            );
        }
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        "<table style=\"margin-top:3mm\"><tr><th>旧房拆除协议</th><td>{}</td><th>旧房拆除</th><td>{}</td><th>宅基地复垦</th><td>{}</td><th>入住</th><td>{}</td></tr></table>",
        d.old_house
            .agreement_signed_on
            .map(|x| x.to_string())
            .unwrap_or_else(|| "—".into()),
        d.old_house
            .demolished_on
            .map(|x| x.to_string())
            .unwrap_or_else(|| "—".into()),
        d.old_house
            .reclaimed_on
            .map(|x| x.to_string())
            .unwrap_or_else(|| "—".into()),
        d.moved_in_on
            .map(|x| x.to_string())
            .unwrap_or_else(|| "—".into()),
    );
    let _ = write!(
        out,
        "<div class=\"foot\"><span>安居验收 · 乡镇办公室打印</span><span>打印时间 {}</span></div>",
        local(Utc::now())
    );
    out.push_str("</div></section>");
}

pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        esc(title)
    )
}

/// One household's form; `image` turns a blob's SHA-256 into the `src` of its picture.
/// Whether a printed form shows ID and phone numbers in full (recorded by the caller) or
/// with their middles hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    Masked,
    Full,
}

/// A household's detail as a form prints it.
pub(super) fn printed(
    db: &OfficeDb,
    viewer: &Viewer,
    id: &str,
    personal: PersonalData,
) -> Result<HouseholdDetail> {
    let mut detail = household(db, viewer, id)?;
    if personal == PersonalData::Full {
        let full = super::personal_data(db, viewer, id)?;
        detail.id_number = full.id_number;
        detail.phone = full.phone;
    }
    Ok(detail)
}

pub fn household_form_html(
    db: &OfficeDb,
    viewer: &Viewer,
    household_id: &str,
    image: &dyn Fn(&str) -> String,
    personal: PersonalData,
) -> Result<FormHtml> {
    let detail = printed(db, viewer, household_id, personal)?;
    let mut body = String::new();
    let mut images = Vec::new();
    form_body(&mut body, &detail, image, &mut images);
    let title = format!("验收监督表 {} {}", detail.row.number, detail.row.head_name);
    images.sort();
    images.dedup();
    Ok(FormHtml {
        html: page(&title, &body),
        title,
        images,
    })
}

/// Every form of a township, one after another, each on new pages.
pub fn township_forms_html(
    db: &OfficeDb,
    viewer: &Viewer,
    township: &str,
    image: &dyn Fn(&str) -> String,
    personal: PersonalData,
) -> Result<FormHtml> {
    let township_id = viewer
        .township_filter(db, Some(township))?
        .unwrap_or_default();
    let name: String = db.connection().query_row(
        "SELECT name FROM townships WHERE id = ?1",
        [&township_id],
        |r| r.get(0),
    )?;
    let ids: Vec<String> = db
        .connection()
        .prepare("SELECT id FROM households WHERE township_id = ?1 ORDER BY number")?
        .query_map([&township_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let title = format!("{name}验收监督表（{} 户）", ids.len());
    super::volumes::forms_html(db, viewer, &title, &ids, image, personal)
}

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
    fn html_is_escaped() {
        assert_eq!(
            esc("<b>\"张&李\"</b>"),
            "&lt;b&gt;&quot;张&amp;李&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn file_urls_encode_what_is_not_plain() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/表.html")),
            "file:///tmp/a%20b/%E8%A1%A8.html"
        );
    }
}
