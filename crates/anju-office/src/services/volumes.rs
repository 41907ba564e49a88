//! A township's forms in volumes: one village at a time, at most
//! [`HOUSEHOLDS_PER_VOLUME`] households to a volume, so that printing a township of ten
//! thousand households holds one volume in memory, not the township.

use super::form::{FormHtml, FormLang, PersonalData, form_body, page, printed};
use super::{Result, Viewer};
use crate::db::OfficeDb;

/// The most households one volume (one PDF) holds.
pub const HOUSEHOLDS_PER_VOLUME: usize = 200;

/// The households of one volume, in the order they print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// `长岭村` or, when a village needs several, `长岭村（2/3）`.
    pub title: String,
    pub household_ids: Vec<String>,
}

/// The township's name and its volumes: by village, then by household number.
pub fn township_volumes(
    db: &OfficeDb,
    viewer: &Viewer,
    township: &str,
) -> Result<(String, Vec<Volume>)> {
    // The district names one; "" would mean every township, which is not one volume set.
    let Some(township_id) = viewer.township_filter(db, Some(township))? else {
        return Err(super::PageError::Invalid(
            "请选择要打印的乡镇 / choose the township to print".into(),
        ));
    };
    let conn = db.connection();
    let name: String = conn.query_row(
        "SELECT name FROM townships WHERE id = ?1",
        [&township_id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "SELECT v.name, h.id FROM households h JOIN villages v ON v.id = h.village_id
         WHERE h.township_id = ?1 ORDER BY v.name, h.number",
    )?;
    let mut villages: Vec<(String, Vec<String>)> = Vec::new();
    for row in stmt.query_map([&township_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (village, id): (String, String) = row?;
        match villages.last_mut() {
            Some((last, ids)) if *last == village => ids.push(id),
            _ => villages.push((village, vec![id])),
        }
    }
    let mut volumes = Vec::new();
    for (village, ids) in villages {
        let parts = ids.len().div_ceil(HOUSEHOLDS_PER_VOLUME);
        for (k, chunk) in ids.chunks(HOUSEHOLDS_PER_VOLUME).enumerate() {
            let title = if parts > 1 {
                format!("{village}（{}/{parts}）", k + 1)
            } else {
                village.clone()
            };
            volumes.push(Volume {
                title,
                household_ids: chunk.to_vec(),
            });
        }
    }
    Ok((name, volumes))
}

/// The forms of the households `ids`, one after another, each on new pages.
pub fn forms_html(
    db: &OfficeDb,
    viewer: &Viewer,
    title: &str,
    ids: &[String],
    image: &dyn Fn(&str) -> String,
    personal: PersonalData,
    lang: FormLang,
) -> Result<FormHtml> {
    let mut body = String::new();
    let mut images = Vec::new();
    for id in ids {
        let detail = printed(db, viewer, id, personal)?;
        form_body(&mut body, &detail, image, &mut images, lang);
    }
    images.sort();
    images.dedup();
    Ok(FormHtml {
        html: page(title, &body, lang),
        title: title.to_string(),
        images,
    })
}
