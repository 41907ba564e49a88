//! The acceptance supervision form (验收监督表) of a household, printable on A4: its
//! answers, area calculation, photos, signatures and findings, with the office's people
//! (inspector, reviewer) by their real names. The same HTML is served to the browser
//! (which prints it) and turned into PDF by a headless Chromium (`pdf`). It prints in one
//! language, the office pages' own: a Chinese form is all Chinese, an English one English.

use std::fmt::Write as _;

use anju_core::form::Text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::query::household;
use super::views::{HouseholdDetail, ReviewVerdict, SubmissionView};
use super::{Result, Viewer};
use crate::db::OfficeDb;

/// A form page and the images it shows (by SHA-256), so a PDF can be made without a server.
#[derive(Debug, Clone)]
pub struct FormHtml {
    pub title: String,
    pub html: String,
    pub images: Vec<String>,
}

/// The language a form is printed in: that of the office page that asked (`?lang=en`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FormLang {
    #[default]
    Zh,
    En,
}

impl FormLang {
    /// One of the two.
    fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    fn of(self, text: &Text) -> &str {
        self.t(&text.zh, &text.en)
    }

    fn html(self) -> &'static str {
        self.t("zh-CN", "en")
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// A text that names something in both languages as "中文 / English" (a rule's name, a
/// polygon "5 边形 / 5-gon", an error) kept to one: each " / " whose left side (back to
/// its unclosed bracket or the line's start) is Chinese and whose right side (up to its
/// bracket or the line's end) has no Chinese loses the half of the other language.
pub(super) fn one_language(text: &str, lang: FormLang) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&line_in(line, lang));
    }
    out
}

/// An answer as the form prints it. What the office wrote in both languages is kept to the
/// form's; what a person typed (the same text in both) is printed as typed, " / " and all.
fn answer_in(value: &Text, lang: FormLang) -> String {
    if value.zh == value.en {
        value.zh.clone()
    } else {
        one_language(lang.of(value), lang)
    }
}

fn line_in(line: &str, lang: FormLang) -> String {
    let mut line = line.to_string();
    // Each pass removes one half; a line has few.
    let mut from = 0;
    while let Some(found) = line.get(from..).and_then(|rest| rest.find(" / ")) {
        let slash = from + found;
        let start = segment_start(&line[..slash]);
        let end = slash + 3 + segment_end(&line[slash + 3..]);
        let left = &line[start..slash];
        let right = &line[slash + 3..end];
        if left.chars().any(is_cjk) && !right.chars().any(is_cjk) {
            let kept = lang.t(left, right).to_string();
            line.replace_range(start..end, &kept);
            from = start + kept.len();
        } else {
            from = slash + 3;
        }
    }
    line
}

/// Where the segment that ends at the end of `before` starts: after its unclosed bracket.
fn segment_start(before: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | '）' => depth += 1,
            '(' | '（' if depth == 0 => return i + c.len_utf8(),
            '(' | '（' => depth -= 1,
            _ => {}
        }
    }
    0
}

/// Where the segment that starts at `after` ends: at its closing bracket.
fn segment_end(after: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in after.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' if depth == 0 => return i,
            ')' | '）' => depth -= 1,
            _ => {}
        }
    }
    after.len()
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

/// A time in China time, as the form prints it.
fn local(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn date_or_dash(date: Option<chrono::NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
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
table.people { margin-bottom: 1.5mm; }
@media screen { body { background: #e8e8e8; } .form { background: #fff; width: 210mm; min-height: 297mm;
  margin: 6mm auto; padding: 12mm; box-shadow: 0 1px 6px rgba(0,0,0,.25); } }
"#;

fn info_table(out: &mut String, d: &HouseholdDetail, lang: FormLang) {
    let r = &d.row;
    let t = |zh, en| lang.t(zh, en);
    let concentrated = r.mode == anju_core::model::PlacementMode::Concentrated;
    let failed = r.verdict == Some(anju_core::verdict::AcceptanceVerdict::Fail);
    let _ = write!(
        out,
        "<table><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td colspan=\"3\">{}</td><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td colspan=\"3\">{}</td><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td colspan=\"3\">{}</td><th>{}</th><td class=\"{}\">{}</td></tr></table>",
        t("户编号", "Household no."),
        esc(&r.number),
        t("户主", "Head of household"),
        esc(&r.head_name),
        t("家庭人口", "Family size"),
        match lang {
            FormLang::Zh => format!("{} 人", r.size),
            FormLang::En => format!("{} people", r.size),
        },
        t("身份证号", "ID number"),
        esc(&d.id_number),
        t("联系电话", "Phone"),
        esc(d.phone.as_deref().unwrap_or("—")),
        t("乡镇", "Township"),
        esc(&r.township),
        t("村", "Village"),
        esc(&r.village),
        t("安置方式", "Placement"),
        match concentrated {
            true => t("集中安置", "concentrated"),
            false => t("分散安置", "scattered"),
        },
        t("安置点", "Site"),
        esc(r.site.as_deref().unwrap_or("—")),
        t("安置类型", "Type"),
        esc(lang.of(&r.kind_label)),
        t("验收状态", "Status"),
        t(r.status.label_zh(), r.status.label_en()),
        t("验收结论", "Verdict"),
        if failed { "problem" } else { "ok" },
        r.verdict.map_or("—", |v| t(v.label_zh(), v.label_en())),
    );
}

/// Who inspected, and who reviewed it in the office, by their real names.
fn people_line(out: &mut String, s: &SubmissionView, lang: FormLang) {
    let t = |zh, en| lang.t(zh, en);
    let _ = write!(
        out,
        "<table class=\"people\"><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr></table>",
        t("检查员", "Inspector"),
        esc(lang.of(&s.inspector_display)),
        t("审核", "Review"),
        match &s.review {
            None => t("尚未审核", "not reviewed yet").to_string(),
            Some(review) => format!(
                "{} · {} · {}{}",
                esc(lang.of(&review.by_display)),
                match review.decision {
                    ReviewVerdict::Approved => t("审核通过", "approved"),
                    ReviewVerdict::Returned => t("退回", "returned"),
                },
                local(review.at),
                review
                    .note
                    .as_deref()
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| format!("{}{}", t("；意见：", "; note: "), esc(n)))
                    .unwrap_or_default()
            ),
        }
    );
}

fn submission_part(
    out: &mut String,
    s: &SubmissionView,
    image: &dyn Fn(&str) -> String,
    images: &mut Vec<String>,
    lang: FormLang,
) {
    let t = |zh, en| lang.t(zh, en);
    let kind = match lang {
        FormLang::Zh => format!("{}记录", s.kind.label_zh()),
        FormLang::En => {
            let en = s.kind.label_en();
            let mut chars = en.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    };
    let version = match lang {
        FormLang::Zh => format!("（第{}版表单）", s.form_version),
        FormLang::En => format!(" (form version {})", s.form_version),
    };
    let _ = write!(
        out,
        "<h2>{kind}{version} · {}</h2>",
        local(s.trusted_time.unwrap_or(s.device_time))
    );
    people_line(out, s, lang);
    let _ = write!(
        out,
        "<table><tr><th style=\"width:22%\">{}</th><th style=\"width:34%\">{}</th><th style=\"width:16%\">{}</th><th>{}</th></tr>",
        t("项目", "Section"),
        t("检查项", "Item"),
        t("结果", "Result"),
        t("说明", "Note"),
    );
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
                    esc(lang.of(&section.title))
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
                esc(lang.of(&item.label)),
                esc(&answer_in(&item.value, lang)),
                esc(item.note.as_deref().unwrap_or(""))
            );
        }
    }
    out.push_str("</table>");

    if let Some(area) = &s.area {
        let _ = write!(
            out,
            "<h2>{}</h2><table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t(
                "面积计算（GB/T 50353-2013）",
                "Built area (GB/T 50353-2013)"
            ),
            t("部位", "Part"),
            t("层", "Storey"),
            t("尺寸", "Size"),
            t("计算规则", "Rule"),
            t("计入面积 m²", "Counted m²"),
        );
        for (i, p) in area.parts.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                i + 1,
                esc(&p.name),
                p.storey,
                esc(&one_language(&p.shape, lang)),
                esc(&one_language(lang.of(&p.rule), lang)),
                esc(&p.area_m2)
            );
        }
        let class = if area.over_cap { "problem" } else { "ok" };
        let cap = area.cap_m2.as_deref().unwrap_or("—");
        let total = match lang {
            FormLang::Zh => format!(
                "建筑面积合计 · 人均 {} m² · 标准 {} m²",
                esc(&area.per_person_m2),
                esc(cap)
            ),
            FormLang::En => format!(
                "Built area in total · {} m² per person · limit {} m²",
                esc(&area.per_person_m2),
                esc(cap)
            ),
        };
        let _ = write!(
            out,
            "<tr><th colspan=\"5\">{total}</th><td class=\"num\"><b>{}</b></td></tr>\
             <tr><th colspan=\"2\">{}</th><td colspan=\"4\" class=\"{class}\">{}</td></tr></table>\
             <div class=\"trace\">{}</div>",
            esc(&area.built_area_m2),
            t("结论", "Verdict"),
            esc(&one_language(lang.of(&area.verdict), lang)),
            esc(&one_language(lang.of(&area.trace), lang))
        );
    }

    if !s.photos.is_empty() {
        let _ = write!(
            out,
            "<div class=\"keep\"><h2>{}</h2><div class=\"photos\">",
            t("现场照片", "Photos on site")
        );
        for p in &s.photos {
            images.push(p.sha256.clone());
            let taken = p.taken_at.map(local).unwrap_or_default();
            let label = esc(lang.of(&p.slot_label));
            let _ = write!(
                out,
                "<figure><img src=\"{}\" alt=\"{label}\"><figcaption>{label} {}</figcaption></figure>",
                esc(&image(&p.sha256)),
                esc(&taken)
            );
        }
        out.push_str("</div></div>");
    }
    if !s.signatures.is_empty() {
        let _ = write!(
            out,
            "<div class=\"keep\"><h2>{}</h2><div class=\"signs\">",
            t("签字确认", "Signatures")
        );
        for g in &s.signatures {
            let sha = g.url.rsplit('/').next().unwrap_or_default().to_string();
            images.push(sha.clone());
            let stale = if g.matches_form {
                String::new()
            } else {
                format!(
                    "<div class=\"stale\">{}</div>",
                    t("签字后表单有改动", "the form changed after signing")
                )
            };
            // The signer's name is as typed on the device: it is theirs, in any language.
            let _ = write!(
                out,
                "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}{}{}{}{}{}<br>{}</figcaption>{stale}</figure>",
                esc(&image(&sha)),
                esc(&g.signer_name),
                esc(lang.of(&g.slot_label)),
                t("：", ": "),
                esc(&g.signer_name),
                t("（", " ("),
                esc(lang.of(&g.method)),
                t("）", ")"),
                local(g.signed_at)
            );
        }
        out.push_str("</div></div>");
    }
}

fn finding_state_en(state: anju_core::model::FindingState) -> &'static str {
    use anju_core::model::FindingState;
    match state {
        FindingState::Open => "open",
        FindingState::Rectified => "rectified, to be checked",
        FindingState::Closed => "closed",
        FindingState::Reopened => "reopened",
    }
}

fn findings_part(out: &mut String, d: &HouseholdDetail, lang: FormLang) {
    let t = |zh, en| lang.t(zh, en);
    let _ = write!(
        out,
        "<h2>{}</h2>",
        t("存在问题及整改", "Problems and rectification")
    );
    if d.findings.is_empty() {
        let _ = write!(out, "<p class=\"none\">{}</p>", t("无。", "None."));
        return;
    }
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("检查项", "Item"),
        t("问题", "Problem"),
        t("提出人", "Raised by"),
        t("整改期限", "Deadline"),
        t("状态", "State"),
    );
    for f in &d.findings {
        let class = if f.overdue { " class=\"problem\"" } else { "" };
        let overdue = match (f.overdue, lang) {
            (false, _) => String::new(),
            (true, FormLang::Zh) => format!("（逾期 {} 天）", -f.days_left),
            (true, FormLang::En) => format!(" ({} days overdue)", -f.days_left),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td{class}>{}{overdue}</td><td>{}</td></tr>",
            esc(f.item_label.as_ref().map_or("", |l| lang.of(l))),
            esc(&f.description),
            esc(f.events.first().map_or("—", |e| lang.of(&e.by_display))),
            f.deadline,
            t(f.state.label_zh(), finding_state_en(f.state))
        );
    }
    out.push_str("</table>");
}

pub(super) fn form_body(
    out: &mut String,
    d: &HouseholdDetail,
    image: &dyn Fn(&str) -> String,
    images: &mut Vec<String>,
    lang: FormLang,
) {
    let t = |zh, en| lang.t(zh, en);
    let _ = write!(
        out,
        "<section class=\"form\" lang=\"{}\"><h1>{}</h1><div class=\"sub\">{} · {} · {} {}</div>",
        lang.html(),
        t(
            "易地扶贫搬迁安置房验收监督表",
            "Poverty-relocation housing: acceptance supervision form"
        ),
        esc(&d.row.township),
        esc(&d.row.village),
        t("户编号", "household no."),
        esc(&d.row.number)
    );
    info_table(out, d, lang);
    if d.submissions.is_empty() {
        let _ = write!(
            out,
            "<h2>{}</h2><p class=\"none\">{}</p>",
            t("验收记录", "Acceptance"),
            t(
                "尚未验收（无外业提交记录）。",
                "Not inspected yet (no record from the field)."
            )
        );
    }
    for s in &d.submissions {
        submission_part(out, s, image, images, lang);
    }
    if let Some(c) = &d.spot_check {
        let class = if c.within_tolerance { "ok" } else { "problem" };
        let _ = write!(
            out,
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\
             <tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{}</td></tr></table>",
            t("抽查复核面积比对", "Spot check: the areas compared"),
            t("验收面积 m²", "Recorded m²"),
            t("复测面积 m²", "Re-measured m²"),
            t("差值 m²", "Difference m²"),
            t("差异", "Difference"),
            t("结论", "Verdict"),
            esc(&c.recorded_m2),
            esc(&c.remeasured_m2),
            esc(&c.difference_m2),
            esc(&c.difference_pct),
            if c.within_tolerance {
                t("在允许误差内", "within the tolerance")
            } else {
                t(
                    "超出允许误差，需核实",
                    "beyond the tolerance: to be checked",
                )
            }
        );
    }
    // The end of the form stays together: problems, milestones, the printing line.
    out.push_str("<div class=\"keep\">");
    findings_part(out, d, lang);
    let _ = write!(
        out,
        "<table style=\"margin-top:3mm\"><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr></table>",
        t("旧房拆除协议", "Demolition agreement"),
        date_or_dash(d.old_house.agreement_signed_on),
        t("旧房拆除", "Old house demolished"),
        date_or_dash(d.old_house.demolished_on),
        t("宅基地复垦", "Plot reclaimed"),
        date_or_dash(d.old_house.reclaimed_on),
        t("入住", "Moved in"),
        date_or_dash(d.moved_in_on),
    );
    let _ = write!(
        out,
        "<div class=\"foot\"><span>{}</span><span>{} {}</span></div>",
        t(
            "安居验收 · 乡镇办公室打印",
            "Anju acceptance · printed at the office"
        ),
        t("打印时间", "Printed (China time)"),
        local(Utc::now())
    );
    out.push_str("</div></section>");
}

pub(super) fn page(title: &str, body: &str, lang: FormLang) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        lang.html(),
        esc(title)
    )
}

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

/// One household's form; `image` turns a blob's SHA-256 into the `src` of its picture.
pub fn household_form_html(
    db: &OfficeDb,
    viewer: &Viewer,
    household_id: &str,
    image: &dyn Fn(&str) -> String,
    personal: PersonalData,
    lang: FormLang,
) -> Result<FormHtml> {
    let detail = printed(db, viewer, household_id, personal)?;
    let mut body = String::new();
    let mut images = Vec::new();
    form_body(&mut body, &detail, image, &mut images, lang);
    let title = format!(
        "{} {} {}",
        lang.t("验收监督表", "Acceptance form"),
        detail.row.number,
        detail.row.head_name
    );
    images.sort();
    images.dedup();
    Ok(FormHtml {
        html: page(&title, &body, lang),
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
    lang: FormLang,
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
        .collect::<anju_sql::Result<_>>()?;
    let title = match lang {
        FormLang::Zh => format!("{name}验收监督表（{} 户）", ids.len()),
        FormLang::En => format!("{name}: acceptance forms ({} households)", ids.len()),
    };
    super::volumes::forms_html(db, viewer, &title, &ids, image, personal, lang)
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
    fn both_language_names_keep_the_form_s_language() {
        let rule = "上限（国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person）= 25 m²/人 × 4人 = 100.00 m²";
        assert_eq!(
            one_language(rule, FormLang::Zh),
            "上限（国家标准：人均住房建设面积不超过25平方米）= 25 m²/人 × 4人 = 100.00 m²"
        );
        let en = "cap (国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person) = 25 m²/person";
        assert_eq!(
            one_language(en, FormLang::En),
            "cap (national rule: at most 25 m² of built area per person) = 25 m²/person"
        );
        assert_eq!(one_language("5 边形 / 5-gon", FormLang::Zh), "5 边形");
        // A note the inspector typed is an official record: printed as typed.
        let typed = Text::new("东墙裂缝 / 已修补", "东墙裂缝 / 已修补");
        assert_eq!(answer_in(&typed, FormLang::Zh), "东墙裂缝 / 已修补");
        let typed = Text::new("门窗 / doors fixed", "门窗 / doors fixed");
        assert_eq!(answer_in(&typed, FormLang::Zh), "门窗 / doors fixed");
        let made = Text::new("4 人", "4 people");
        assert_eq!(answer_in(&made, FormLang::En), "4 people");
        assert_eq!(one_language("5 边形 / 5-gon", FormLang::En), "5-gon");
        // A bracket inside the Chinese half, several lines, and a slash that is no pair.
        assert_eq!(
            one_language(
                "第2部分（客厅）无效 / part 2 (living) is not valid\n3 / 4",
                FormLang::Zh
            ),
            "第2部分（客厅）无效\n3 / 4"
        );
        assert_eq!(
            one_language(
                "第2部分（客厅）无效 / part 2 (living) is not valid",
                FormLang::En
            ),
            "part 2 (living) is not valid"
        );
    }
}
