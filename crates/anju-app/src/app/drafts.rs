//! Filling a form: drafts saved answer by answer, the area checked as it is typed, photos
//! through the evidence pipeline, and signatures bound to the form's content.

use anju_core::area::HouseMeasurement;
use anju_core::form::{Answer, FormAnswers, FormContext, FormSchema, ItemKind, SignerRole};
use anju_core::location::{Fix, PhotoSource};
use anju_core::model::{
    Department, Household, SignatureMeta, SignatureMethod, SignerIdentity, SubmissionKind,
};
use anju_core::office::compare_areas;
use anju_media::{
    ClockStatus, PhotoProcessor, ProcessedPhoto, Signature, SignatureRecord, SignatureStyle,
    Watermark,
};
use anju_store::{Draft, NewPhoto, PhotoExtras, Store, StoreError};
use chrono::Utc;
use uuid::Uuid;

use super::{FieldApp, IncomingPhoto, NewSignature, PolicyInForce, Result, lock, path_text, today};
use crate::error::AppError;
use crate::views::*;

impl FieldApp {
    /// The version the draft started on: built in, or as the district published it.
    /// A 分工验收 draft fills the signed-in inspector's department's part of it.
    pub(super) fn form_of(store: &Store, draft: &Draft) -> Result<FormSchema> {
        let form = store
            .form_catalog()?
            .get(&draft.form_id, draft.form_version)
            .cloned()
            .ok_or_else(|| {
                AppError::Store(StoreError::UnknownForm {
                    form_id: draft.form_id.clone(),
                    version: draft.form_version,
                })
            })?;
        if draft.kind != SubmissionKind::AcceptancePart {
            return Ok(form);
        }
        let department = Self::own_department(store)?;
        form.part_for(department).map_err(|error| {
            let text = error.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
            AppError::invalid(zh, en)
        })
    }

    /// The department of the inspector signed in here, whose part of a team's acceptance
    /// they fill on this device.
    pub(super) fn own_department(store: &Store) -> Result<Department> {
        anju_sync::saved_session(store)?
            .and_then(|saved| saved.user.department)
            .ok_or_else(|| {
                AppError::invalid(
                    "分工验收须由某一部门的检查员登录填写",
                    "a department's part is filled by an inspector of that department, signed in",
                )
            })
    }

    pub(super) fn form_context(&self, store: &Store, household: &Household) -> Result<FormContext> {
        let today = today(store)?;
        let policy = PolicyInForce::on(&store.policies()?, today);
        Ok(FormContext {
            household_size: household.size,
            today,
            policy: policy.table,
            policy_context: policy.context,
            policy_version: policy.version,
            placement: Some(household.placement()),
        })
    }

    fn draft_state(&self, store: &Store, draft: &Draft) -> Result<DraftState> {
        let form = Self::form_of(store, draft)?;
        let household = self.household(store, draft.household_id)?;
        let ctx = self.form_context(store, &household)?;
        let issues = form.validate(&draft.answers, &ctx);
        let shown = form.shown_items(&draft.answers, ctx.placement);
        let current = draft
            .answers
            .signable_sha256()
            .map_err(|e| AppError::Store(StoreError::Hash(e)))?;
        let signatures = form
            .items()
            .filter(|(_, item)| matches!(item.kind, ItemKind::Signature { .. }))
            .map(|(_, item)| match draft.answers.get(&item.key) {
                Some(Answer::Signature { signature }) => SignatureState {
                    slot: item.key.clone(),
                    signed: true,
                    stale: signature.signed_content_sha256 != current,
                },
                _ => SignatureState {
                    slot: item.key.clone(),
                    signed: false,
                    stale: false,
                },
            })
            .collect();
        Ok(DraftState {
            draft_id: draft.id,
            revision: draft.revision,
            updated_at: draft.updated_at,
            issues: issues.iter().map(FormIssueView::from).collect(),
            progress: form.progress(&draft.answers, Some(household.placement())),
            hidden: form
                .items()
                .map(|(_, item)| item.key.as_str())
                .filter(|key| !shown.contains(key))
                .map(str::to_string)
                .collect(),
            signatures,
        })
    }

    fn photo_view(&self, store: &Store, sha256: &str) -> Result<Option<PhotoView>> {
        let Some(meta) = store.photo(sha256)? else {
            return Ok(None);
        };
        let extras = store.photo_extras(sha256)?.unwrap_or(PhotoExtras {
            thumbnail_sha256: None,
            original_sha256: None,
            watermark_lines: Vec::new(),
        });
        let path = store.blob_path(sha256)?;
        let thumbnail_path = match &extras.thumbnail_sha256 {
            Some(thumb) => store.blob_path(thumb)?,
            None => path.clone(),
        };
        Ok(Some(PhotoView {
            sha256: meta.sha256,
            slot: meta.slot,
            path: path_text(&path),
            thumbnail_path: path_text(&thumbnail_path),
            width: meta.width,
            height: meta.height,
            taken: meta.taken,
            watermark_lines: extras.watermark_lines,
            fix: meta.fix,
            source: meta.source.unwrap_or(PhotoSource::Camera),
            camera_time: meta.camera_time,
        }))
    }

    fn signature_view(&self, store: &Store, meta: &SignatureMeta) -> Result<SignatureView> {
        Ok(SignatureView {
            meta: meta.clone(),
            image_path: path_text(&store.blob_path(&meta.image_sha256)?),
        })
    }

    pub(super) fn draft_view(&self, store: &Store, draft: Draft) -> Result<DraftView> {
        let form = Self::form_of(store, &draft)?;
        let household = self.household(store, draft.household_id)?;
        let mut photos = Vec::new();
        let mut signatures = Vec::new();
        for answer in draft.answers.0.values() {
            match answer {
                Answer::Photos { sha256 } => {
                    for sha in sha256 {
                        photos.extend(self.photo_view(store, sha)?);
                    }
                }
                Answer::Signature { signature } => {
                    signatures.push(self.signature_view(store, signature)?)
                }
                _ => {}
            }
        }
        let state = self.draft_state(store, &draft)?;
        let inspector = anju_sync::saved_session(store)?.map(|s| s.user);
        let evidence = anju_core::form::evidence_placement(&form);
        // The task this draft does, if the office planned one: its re-check, or a planned
        // visit of its kind to the household.
        let task = store.tasks()?.into_iter().find(|t| {
            t.household_id == draft.household_id
                && t.visit == draft.kind
                && t.finding_id == draft.finding_id
        });
        let pin_signers = Self::pin_signers(store, &form, draft.kind)?;
        // A re-check's photo is taken beside the problem's as first photographed, when this
        // device holds that photo.
        let original_photo = match task
            .as_ref()
            .and_then(|t| t.original_photo_sha256.as_deref())
        {
            Some(sha) => self.photo_view(store, sha)?,
            None => None,
        };
        Ok(DraftView {
            pin_signers,
            original_photo,
            task,
            draft,
            form,
            household,
            photos,
            signatures,
            state,
            inspector,
            evidence,
        })
    }

    pub fn open_draft(&self, household_id: Uuid, kind: SubmissionKind) -> Result<DraftView> {
        let mut store = self.store();
        let draft = store.open_draft(household_id, kind)?;
        self.draft_view(&store, draft)
    }

    fn check_item<'f>(form: &'f FormSchema, key: &str) -> Result<&'f anju_core::form::Item> {
        form.item(key).map(|(_, item)| item).ok_or_else(|| {
            AppError::invalid(
                format!("表单中没有“{key}”这一项"),
                format!("the form has no item '{key}'"),
            )
        })
    }

    pub fn save_answer(
        &self,
        draft_id: Uuid,
        key: &str,
        answer: Option<Answer>,
        expected_revision: Option<i64>,
    ) -> Result<DraftState> {
        let mut store = self.store();
        let draft = store.draft(draft_id)?;
        let form = Self::form_of(&store, &draft)?;
        Self::check_item(&form, key)?;
        let placement = Some(self.household(&store, draft.household_id)?.placement());
        // An answer that others depended on may hide them: their answers go in the same
        // write, so a submission never carries an answer to an item it does not ask.
        let draft = store.write(|tx| {
            let mut draft = tx.save_answer(draft_id, key, answer, expected_revision)?;
            for hidden in form.hidden_answers(&draft.answers, placement) {
                draft = tx.save_answer(draft_id, &hidden, None, None)?;
            }
            Ok(draft)
        })?;
        self.draft_state(&store, &draft)
    }

    pub fn discard_draft(&self, draft_id: Uuid) -> Result<()> {
        Ok(self.store().discard_draft(draft_id)?)
    }

    /// The area engine's verdict on a measurement as it is typed.
    pub fn assess_area(
        &self,
        household_id: Uuid,
        measurement: &HouseMeasurement,
    ) -> Result<AreaCheck> {
        let store = self.store();
        let household = self.household(&store, household_id)?;
        let policy = PolicyInForce::on(&store.policies()?, today(&store)?);
        Ok(match policy.assess(measurement, household.size) {
            Ok(assessment) => {
                // A re-measure is compared as the office compares it, with its tolerance.
                let (_, recorded) = Self::inspections(&store, &household)?;
                AreaCheck {
                    comparison: recorded.map(|r| {
                        compare_areas(
                            r.built_area,
                            assessment.built_area,
                            policy.tolerance_permille,
                        )
                    }),
                    assessment: Some(assessment),
                    error: None,
                    policy_version: policy.version,
                }
            }
            Err(error) => AreaCheck {
                assessment: None,
                error: Some(error.to_string()),
                policy_version: policy.version,
                comparison: None,
            },
        })
    }

    // -- photos ----------------------------------------------------------------------

    pub(super) fn inspector_name(&self, store: &Store) -> Result<String> {
        Ok(anju_sync::saved_session(store)?
            .map(|s| s.user.name)
            .unwrap_or_default())
    }

    /// Watermark and shrink a camera file for `household`, outside the store's lock.
    fn process_camera_file(
        &self,
        household: &Household,
        inspector: String,
        taken: &anju_core::model::ClockReading,
        bytes: &[u8],
        fix: Option<Fix>,
        source: PhotoSource,
    ) -> Result<ProcessedPhoto> {
        let (captured_at, clock) = ClockStatus::of(taken);
        let watermark = Watermark {
            head_of_household: household.head_name.clone(),
            township: household.township.clone(),
            village: household.village.clone(),
            household_number: household.number.clone(),
            captured_at,
            clock,
            fix,
            inspector,
            source,
            // A gallery photo's own time comes from its EXIF, read while it is processed.
            camera_time: None,
        };
        let mut processor = lock(&self.photos);
        if processor.is_none() {
            *processor =
                Some(PhotoProcessor::new(self.options.photos.clone()).map_err(AppError::Photo)?);
        }
        match processor.as_mut() {
            Some(processor) => processor
                .process(bytes, Some(&watermark))
                .map_err(AppError::Photo),
            None => Err(AppError::invalid(
                "照片处理器未就绪",
                "the photo processor is not ready",
            )),
        }
    }

    fn check_slot(form: &FormSchema, slot: &str) -> Result<u32> {
        match Self::check_item(form, slot)?.kind {
            ItemKind::Photos { max, .. } => Ok(max),
            _ => Err(AppError::invalid(
                format!("“{slot}”不是照片项"),
                format!("'{slot}' is not a photo item"),
            )),
        }
    }

    /// Process a camera (or gallery) file, keep it, and add it to the draft's photo slot.
    pub fn add_photo(&self, photo: IncomingPhoto<'_>) -> Result<PhotoAdded> {
        if let Some(Err(error)) = photo.fix.as_ref().map(Fix::check) {
            return Err(AppError::invalid(
                format!("定位无效：{error}"),
                format!("the position is invalid: {error}"),
            ));
        }
        let (household, inspector, taken, draft) = {
            let store = self.store();
            let draft = Self::checked_draft(&store, photo.draft_id, photo.expected_revision)?;
            let max = Self::check_slot(&Self::form_of(&store, &draft)?, photo.slot)?;
            let have = match draft.answers.get(photo.slot) {
                Some(Answer::Photos { sha256 }) => sha256.len(),
                _ => 0,
            };
            if have >= max as usize {
                return Err(AppError::invalid(
                    format!("此项最多{max}张照片，请先删除一张"),
                    format!("this item takes at most {max} photos: delete one first"),
                ));
            }
            let household = self.household(&store, draft.household_id)?;
            let taken = anju_sync::trusted_reading(&store, Utc::now())?;
            (household, self.inspector_name(&store)?, taken, draft)
        };
        let processed = self.process_camera_file(
            &household,
            inspector,
            &taken,
            photo.bytes,
            photo.fix,
            photo.source,
        )?;

        let mut store = self.store();
        // The thumbnail's file first: named by its hash, it is harmless if what follows
        // fails. Then the photo (its file, then its row), its extras and its place in the
        // draft's slot commit together or not at all.
        let thumbnail = store.put_blob(&processed.thumbnail_jpeg)?;
        let (meta, draft) = store.write(|tx| {
            let meta = tx.add_photo(
                &processed.evidence_jpeg,
                NewPhoto {
                    household_id: household.id,
                    slot: photo.slot.to_string(),
                    width: processed.meta.width,
                    height: processed.meta.height,
                    taken,
                    // Filled from the fix by the store.
                    latitude: None,
                    longitude: None,
                    fix: photo.fix,
                    source: Some(photo.source),
                    // Only a gallery photo's camera time is worth keeping: a camera photo's
                    // is the moment it was taken, which `taken` already holds, trusted.
                    camera_time: match photo.source {
                        PhotoSource::Gallery => processed.meta.capture_time.map(|t| t.local),
                        PhotoSource::Camera => None,
                    },
                },
            )?;
            tx.set_photo_extras(
                &meta.sha256,
                &PhotoExtras {
                    thumbnail_sha256: Some(thumbnail),
                    original_sha256: Some(processed.meta.original_sha256.clone()),
                    watermark_lines: processed
                        .watermark
                        .as_ref()
                        .map(|w| w.lines.clone())
                        .unwrap_or_default(),
                },
            )?;
            let mut list = match draft.answers.get(photo.slot) {
                Some(Answer::Photos { sha256 }) => sha256.clone(),
                _ => Vec::new(),
            };
            if !list.contains(&meta.sha256) {
                list.push(meta.sha256.clone());
            }
            // The revision read before the photo was processed: a change made meanwhile
            // refuses the whole photo rather than being overwritten.
            let draft = tx.save_answer(
                draft.id,
                photo.slot,
                Some(Answer::Photos { sha256: list }),
                Some(draft.revision),
            )?;
            Ok((meta, draft))
        })?;
        let view = self
            .photo_view(&store, &meta.sha256)?
            .ok_or_else(|| AppError::Store(StoreError::MissingPhoto(meta.sha256.clone())))?;
        Ok(PhotoAdded {
            photo: view,
            state: self.draft_state(&store, &draft)?,
        })
    }

    pub fn remove_photo(
        &self,
        draft_id: Uuid,
        slot: &str,
        sha256: &str,
        expected_revision: Option<i64>,
    ) -> Result<DraftState> {
        let mut store = self.store();
        let draft = store.draft(draft_id)?;
        Self::check_slot(&Self::form_of(&store, &draft)?, slot)?;
        let mut list = match draft.answers.get(slot) {
            Some(Answer::Photos { sha256 }) => sha256.clone(),
            _ => Vec::new(),
        };
        list.retain(|s| s != sha256);
        let answer = (!list.is_empty()).then_some(Answer::Photos { sha256: list });
        let draft = store.save_answer(draft_id, slot, answer, expected_revision)?;
        self.draft_state(&store, &draft)
    }

    // -- signatures ------------------------------------------------------------------

    pub(super) fn check_signature_slot(
        form: &FormSchema,
        slot: &str,
    ) -> Result<anju_core::form::SignerRole> {
        match Self::check_item(form, slot)?.kind {
            ItemKind::Signature { signer } => Ok(signer),
            _ => Err(AppError::invalid(
                format!("“{slot}”不是签字项"),
                format!("'{slot}' is not a signature item"),
            )),
        }
    }

    fn check_signer(
        role: anju_core::form::SignerRole,
        signer_name: &str,
        method: &SignatureMethod,
    ) -> Result<()> {
        if signer_name.trim().is_empty() {
            return Err(AppError::invalid(
                "请填写签字人姓名",
                "enter the signer's name",
            ));
        }
        let for_head = matches!(role, anju_core::form::SignerRole::HouseholdHead);
        if !for_head && !matches!(method, SignatureMethod::Handwritten) {
            return Err(AppError::invalid(
                "验收人须本人手写签字",
                "an inspector signs by hand, in person",
            ));
        }
        if let SignatureMethod::Proxy {
            signer_name,
            relation,
        } = method
            && (signer_name.trim().is_empty() || relation.trim().is_empty())
        {
            return Err(AppError::invalid(
                "代签须填写代签人姓名及与户主关系",
                "a proxy signature needs the signer's name and relation to the head",
            ));
        }
        Ok(())
    }

    pub(super) fn save_signature(
        &self,
        store: &mut Store,
        draft: &Draft,
        new: NewSignature<'_>,
    ) -> Result<Signed> {
        let reading = anju_sync::trusted_reading(store, Utc::now())?;
        let meta = SignatureMeta {
            id: Uuid::now_v7(),
            slot: new.slot.to_string(),
            signer_name: new.signer_name.trim().to_string(),
            method: new.method,
            image_sha256: new.image_sha256,
            signed_content_sha256: new.signed_content_sha256,
            signed_at: reading.trusted_time.unwrap_or(reading.device_time),
            signer: new.signer,
        };
        let saved = store.save_answer(
            draft.id,
            new.slot,
            Some(Answer::Signature {
                signature: meta.clone(),
            }),
            Some(draft.revision),
        )?;
        Ok(Signed {
            signature: self.signature_view(store, &meta)?,
            state: self.draft_state(store, &saved)?,
        })
    }

    pub(super) fn signable(answers: &FormAnswers) -> Result<String> {
        answers
            .signable_sha256()
            .map_err(|e| AppError::Store(StoreError::Hash(e)))
    }

    pub(super) fn checked_draft(
        store: &Store,
        draft_id: Uuid,
        expected_revision: Option<i64>,
    ) -> Result<Draft> {
        let draft = store.draft(draft_id)?;
        if let Some(expected) = expected_revision
            && expected != draft.revision
        {
            return Err(StoreError::StaleRevision {
                expected,
                actual: draft.revision,
            }
            .into());
        }
        Ok(draft)
    }

    /// Sign a slot by hand (the signer, or a relative for the household head): the strokes
    /// are drawn to a PNG bound to the form's content as it is now.
    pub fn sign(
        &self,
        draft_id: Uuid,
        slot: &str,
        signer_name: &str,
        method: SignatureMethod,
        signature: Signature,
        expected_revision: Option<i64>,
    ) -> Result<Signed> {
        let mut store = self.store();
        let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
        let role = Self::check_signature_slot(&Self::form_of(&store, &draft)?, slot)?;
        if matches!(method, SignatureMethod::Thumbprint) {
            return Err(AppError::invalid(
                "按手印请拍摄手印照片",
                "a thumbprint is a photo: take one",
            ));
        }
        Self::check_signer(role, signer_name, &method)?;
        let form = Self::form_of(&store, &draft)?;
        if let Some(signer) = Self::pin_signers(&store, &form, draft.kind)?
            .into_iter()
            .find(|s| s.slot == slot)
        {
            return Err(AppError::invalid(
                format!(
                    "此栏须由验收组成员{}（{}）输入本人PIN确认",
                    signer.full_name,
                    signer.department.label_zh()
                ),
                format!(
                    "this slot is confirmed by team member {} ({}) with their own PIN",
                    signer.full_name,
                    signer.department.label_en()
                ),
            ));
        }
        // On their own device a team member signs their part as who they are signed in as.
        let signer = match (draft.kind, role) {
            (SubmissionKind::AcceptancePart, SignerRole::Inspector(department)) => {
                let account = anju_sync::saved_session(&store)?.map(|s| s.user.name);
                let team = store.team()?;
                account.zip(team).and_then(|(account, team)| {
                    team.member(&account)
                        .filter(|m| m.department == department)
                        .map(|_| SignerIdentity {
                            own_device: true,
                            account: account.clone(),
                            department,
                            team_id: team.id,
                        })
                })
            }
            _ => None,
        };
        let signable = Self::signable(&draft.answers)?;
        let (record, png) = SignatureRecord::sign(signature, &signable, &SignatureStyle::default())
            .map_err(AppError::Signature)?;
        let image = store.put_blob(&png)?;
        debug_assert_eq!(image, record.png_sha256);
        self.save_signature(
            &mut store,
            &draft,
            NewSignature {
                slot,
                signer_name,
                method,
                image_sha256: image,
                signed_content_sha256: signable,
                signer,
            },
        )
    }

    /// The household head's thumbprint (按手印), photographed: the watermarked photo is the
    /// signature's image.
    pub fn sign_thumbprint(
        &self,
        draft_id: Uuid,
        slot: &str,
        signer_name: &str,
        bytes: &[u8],
        expected_revision: Option<i64>,
    ) -> Result<Signed> {
        let (household, inspector, taken) = {
            let store = self.store();
            let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
            let role = Self::check_signature_slot(&Self::form_of(&store, &draft)?, slot)?;
            Self::check_signer(role, signer_name, &SignatureMethod::Thumbprint)?;
            if !matches!(role, anju_core::form::SignerRole::HouseholdHead) {
                return Err(AppError::invalid(
                    "只有户主可以按手印",
                    "only the household head may sign with a thumbprint",
                ));
            }
            (
                self.household(&store, draft.household_id)?,
                self.inspector_name(&store)?,
                anju_sync::trusted_reading(&store, Utc::now())?,
            )
        };
        // A thumbprint is pressed in front of the inspector: no position is asked for it.
        let processed = self.process_camera_file(
            &household,
            inspector,
            &taken,
            bytes,
            None,
            PhotoSource::Camera,
        )?;
        let mut store = self.store();
        let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
        let signable = Self::signable(&draft.answers)?;
        let image = store.put_blob(&processed.evidence_jpeg)?;
        self.save_signature(
            &mut store,
            &draft,
            NewSignature {
                slot,
                signer_name,
                method: SignatureMethod::Thumbprint,
                image_sha256: image,
                signed_content_sha256: signable,
                signer: None,
            },
        )
    }
}
