//! The office's services: what the office pages show and do, over the office database —
//! the dashboard, households, review, rectification, assignments, spot-check samples,
//! roster import, old houses and the reports. Every function takes the [`Viewer`] and
//! keeps to what they may see: an admin sees every township, a township user their own.

mod actions;
mod audit;
mod batch;
pub mod bindings;
pub(crate) mod cells;
mod findings;
mod form;
mod form_versions;
pub mod parts;
mod pdf;
mod policy;
mod query;
mod samples;
pub mod site_visits;
pub mod sites;
pub(crate) mod submission;
pub mod support;
pub mod tasks;
mod template;
pub mod timeline;
mod users;
pub mod views;
mod volumes;
mod xlsx;

use anju_core::model::FindingState;
use anju_core::office::{MilestoneError, SampleError, TransitionError};
use anju_core::wire::Role;
use anju_sql::OptionalExtension;

use crate::db::{OfficeDb, OfficeDbError};
use crate::users::AuthUser;

pub use actions::{
    assign_bulk, decide_conflict, import_roster, read_roster_upload, review_submission,
    transition_finding, update_milestones,
};
pub use audit::audit_page;
pub use batch::{MAX_BATCH, approve_batch};
pub(crate) use cells::{Cells, cell, stored_time};
pub use findings::findings;
pub use form::{FormHtml, FormLang, PersonalData, household_form_html, township_forms_html};
pub use form_versions::{form_changes, form_preview, forms_page, publish_form};
pub use pdf::{PdfError, pdf_image_src, print_pdf};
pub use policy::{policy_page, set_policy};
pub(crate) use query::township_table;
pub use query::{
    assignments, dashboard, household, households, old_houses, personal_data, places, review_queue,
};
pub use samples::{assign_sample, configured_rule, draw_sample, sample, samples};
pub use template::{roster_template_example, roster_template_xlsx};
pub use users::{
    UserProfileUpdate, UserRow, set_team, teams_page, update_user_profile, users_page,
};
pub use volumes::{HOUSEHOLDS_PER_VOLUME, Volume, forms_html, township_volumes};
pub use xlsx::{audit_xlsx, findings_xlsx, households_xlsx, townships_xlsx};

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error(
        "办公室页面只对乡镇和区县用户开放，检查员请用外业应用 / the office pages are for township and district users: inspectors use the field app"
    )]
    InspectorRole,
    #[error("只有区县办公室（管理员）能做此操作 / only the district office (admin) can do this")]
    AdminOnly,
    #[error("{user}只能查看{own}的数据，不能查看{asked} / {user} sees {own} only, not {asked}")]
    OtherTownship {
        user: String,
        own: String,
        asked: String,
    },
    #[error("没有{what_zh}“{id}” / there is no {what_en} '{id}'")]
    NotFound {
        what_zh: &'static str,
        what_en: &'static str,
        id: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Milestone(#[from] MilestoneError),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error(transparent)]
    Assign(#[from] crate::assign::AssignError),
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
    #[error("表格文件无法生成 / the spreadsheet cannot be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error(
        "此记录已由{by}于{at}审核（{decision}），请刷新 / {by} already reviewed this record at {at} ({decision}): reload"
    )]
    AlreadyReviewed {
        decision: String,
        by: String,
        at: String,
    },
    #[error("此问题的状态已被他人改为“{}”，请刷新 / someone else changed this finding to {} meanwhile: reload", .0.label_zh(), .0.code())]
    StaleFinding(FindingState),
    #[error(transparent)]
    Policy(crate::decide::PolicyError),
    #[error(transparent)]
    Form(crate::forms::PublishError),
}

impl From<anju_sql::Error> for PageError {
    fn from(error: anju_sql::Error) -> Self {
        Self::Db(OfficeDbError::Sql(error))
    }
}

impl From<serde_json::Error> for PageError {
    fn from(error: serde_json::Error) -> Self {
        Self::Db(OfficeDbError::Encoding(error))
    }
}

impl PageError {
    /// A stable code for the HTTP answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) | Self::Xlsx(_) | Self::Storage(_) => "internal",
            Self::InspectorRole => "office_role",
            Self::AdminOnly => "admin_only",
            Self::OtherTownship { .. } => "other_township",
            Self::NotFound { .. } => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Transition(_) => "transition_refused",
            Self::Milestone(_) => "milestone_refused",
            Self::Sample(_) => "sample_refused",
            Self::Assign(_) => "assign_refused",
            Self::Import(e) if e.over_limit().is_some() => "roster_over_limit",
            Self::Import(crate::import::ImportError::File(
                crate::roster_file::RosterFileError::EmptyFile { .. },
            )) => "roster_empty",
            Self::Import(_) => "import_refused",
            Self::StaleFinding(_) => "stale_finding",
            Self::AlreadyReviewed { .. } => "already_reviewed",
            Self::Policy(_) => "policy_refused",
            Self::Form(_) => "form_refused",
        }
    }

    /// The request field an error is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        use anju_core::office::MilestoneError as M;
        let milestone = |what: &str| match what {
            "the agreement" => "agreement_signed_on",
            "the demolition" => "demolished_on",
            "the reclamation" => "reclaimed_on",
            _ => "moved_in_on",
        };
        match self {
            Self::Milestone(M::MovedInBeforeAcceptance(_)) => Some("moved_in_on"),
            Self::Milestone(M::DemolishedWithoutAgreement) => Some("demolished_on"),
            Self::Milestone(M::ReclaimedWithoutDemolition) => Some("reclaimed_on"),
            Self::Milestone(M::InTheFuture { what_en, .. } | M::OutOfOrder { what_en, .. }) => {
                Some(milestone(what_en))
            }
            Self::Transition(TransitionError::NoteRequired(..) | TransitionError::NotRechecked) => {
                Some("note")
            }
            Self::Policy(crate::decide::PolicyError::Retroactive { .. }) => Some("effective_from"),
            Self::Policy(_) => Some("file"),
            Self::Form(crate::forms::PublishError::NoPublisher) => Some("by"),
            Self::Form(crate::forms::PublishError::NoteTooLong) => Some("note"),
            Self::Form(_) => Some("file"),
            Self::Import(e) => e.over_limit().map(crate::roster_file::RosterLimit::code),
            _ => None,
        }
    }

    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            Self::InspectorRole
                | Self::AdminOnly
                | Self::OtherTownship { .. }
                | Self::Transition(TransitionError::AdminOnly | TransitionError::InspectorRole)
        )
    }
}

pub type Result<T, E = PageError> = std::result::Result<T, E>;

/// Who is looking, and which township they are held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    /// The township's id and name, for a township user.
    pub township: Option<(String, String)>,
}

impl Viewer {
    /// The pages are for township and admin users.
    pub fn of(db: &OfficeDb, user: &AuthUser) -> Result<Self> {
        if user.role == Role::Inspector {
            return Err(PageError::InspectorRole);
        }
        let township = match (&user.township, user.role) {
            (Some(name), Role::Township) => Some(township_by_name(db, name)?),
            _ => None,
        };
        Ok(Self {
            user_id: user.id.clone(),
            name: user.name.clone(),
            role: user.role,
            township,
        })
    }

    /// The operator at the office machine's command line: sees everything, like an admin.
    pub fn command_line() -> Self {
        Self {
            user_id: String::new(),
            name: "anju-office".into(),
            role: Role::Admin,
            township: None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(PageError::AdminOnly)
        }
    }

    /// The township id every query keeps to: the user's own, or `None` for an admin.
    pub fn scope(&self) -> Option<&str> {
        self.township.as_ref().map(|(id, _)| id.as_str())
    }

    /// A township the user asked for by name: refused when it is not theirs.
    pub fn township_filter(&self, db: &OfficeDb, asked: Option<&str>) -> Result<Option<String>> {
        let asked = asked.map(str::trim).filter(|t| !t.is_empty());
        match (asked, &self.township) {
            (None, own) => Ok(own.as_ref().map(|(id, _)| id.clone())),
            (Some(asked), Some((id, own))) if asked == own || asked == id => Ok(Some(id.clone())),
            (Some(asked), Some((_, own))) => Err(PageError::OtherTownship {
                user: self.name.clone(),
                own: own.clone(),
                asked: asked.to_string(),
            }),
            (Some(asked), None) => Ok(Some(township_by_name(db, asked)?.0)),
        }
    }

    /// Refuse a household of another township.
    pub fn check_household(&self, db: &OfficeDb, household_id: &str) -> Result<()> {
        let township: Option<(String, String)> = db
            .connection()
            .query_row(
                "SELECT t.id, t.name FROM households h JOIN townships t ON t.id = h.township_id
                 WHERE h.id = ?1",
                [household_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, name)) = township else {
            return Err(PageError::NotFound {
                what_zh: "住户",
                what_en: "household",
                id: household_id.to_string(),
            });
        };
        match &self.township {
            Some((own_id, own)) if *own_id != id => Err(PageError::OtherTownship {
                user: self.name.clone(),
                own: own.clone(),
                asked: name,
            }),
            _ => Ok(()),
        }
    }
}

/// A township's id and name, by name or id.
fn township_by_name(db: &OfficeDb, name: &str) -> Result<(String, String)> {
    db.connection()
        .query_row(
            "SELECT id, name FROM townships WHERE name = ?1 OR id = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| PageError::NotFound {
            what_zh: "乡镇",
            what_en: "township",
            id: name.to_string(),
        })
}

/// Today in the programme's time zone (China Standard Time, UTC+8): deadlines are dates
/// there.
/// `sql` with its township conditions `?K IS NULL OR x.township_id = ?K` narrowed to
/// `x.township_id = ?K` for each parameter `K` in `given` (a township given): SQLite
/// cannot use an index for the `OR`, so a township's page would read the whole county.
/// The parameters stay the same.
pub(crate) fn scoped<'a>(sql: &'a str, given: &[usize]) -> std::borrow::Cow<'a, str> {
    if given.is_empty() || !sql.contains(" IS NULL OR ") {
        return std::borrow::Cow::Borrowed(sql);
    }
    let mut out = sql.to_string();
    for &k in given {
        for alias in ["h", "s"] {
            out = out.replace(
                &format!("?{k} IS NULL OR {alias}.township_id = ?{k}"),
                &format!("{alias}.township_id = ?{k}"),
            );
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn today() -> chrono::NaiveDate {
    anju_core::records::china_date(chrono::Utc::now())
}

/// The URL of a stored photo or signature image.
pub fn blob_url(sha256: &str) -> String {
    format!("/api/office/blobs/{sha256}")
}

/// A photo, signature image or evidence photo may be seen by whoever may see its household.
pub fn check_blob(db: &OfficeDb, viewer: &Viewer, sha256: &str) -> Result<()> {
    let household: Option<String> = db
        .connection()
        .query_row(
            "SELECT household_id FROM photos WHERE sha256 = ?1
             UNION ALL SELECT household_id FROM signatures WHERE image_sha256 = ?1
             UNION ALL SELECT f.household_id FROM finding_events e
                 JOIN findings f ON f.id = e.finding_id WHERE e.evidence_sha256 = ?1
             LIMIT 1",
            [sha256],
            |r| r.get(0),
        )
        .optional()?;
    match household {
        Some(household) => viewer.check_household(db, &household),
        // An evidence photo uploaded but not yet attached: the district office only.
        None if viewer.is_admin() => Ok(()),
        None => Err(PageError::NotFound {
            what_zh: "文件",
            what_en: "file",
            id: sha256.to_string(),
        }),
    }
}

#[cfg(test)]
mod scoped_tests {
    #[test]
    fn a_given_township_narrows_the_condition_and_keeps_the_rest() {
        let sql = "WHERE (?1 IS NULL OR h.township_id = ?1) AND (?2 IS NULL OR s.name = ?2)";
        assert_eq!(super::scoped(sql, &[]), sql);
        assert_eq!(
            super::scoped(sql, &[1]),
            "WHERE (h.township_id = ?1) AND (?2 IS NULL OR s.name = ?2)"
        );
        let two = "(?1 IS NULL OR h.township_id = ?1) AND (?2 IS NULL OR h.township_id = ?2)";
        assert_eq!(
            super::scoped(two, &[2]),
            "(?1 IS NULL OR h.township_id = ?1) AND (h.township_id = ?2)"
        );
    }
}
