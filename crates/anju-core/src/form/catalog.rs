//! Every form version a device or the office knows: the built-in version 1 of each form,
//! then whatever the district published. A draft keeps the version it started with, so a
//! catalog never forgets a version; a new draft starts on the latest.

use std::collections::BTreeMap;

use super::{
    FormSchema, acceptance_form_v1, demolition_form_v1, move_in_form_v1, recheck_form_v1,
    reclamation_form_v1, spot_check_form_v1,
};

#[derive(Debug, Clone)]
pub struct FormCatalog {
    forms: BTreeMap<(String, u32), FormSchema>,
}

impl Default for FormCatalog {
    fn default() -> Self {
        Self::builtin()
    }
}

impl FormCatalog {
    /// Version 1 of the acceptance form and of the spot check, as the source sets them out.
    pub fn builtin() -> Self {
        let mut forms = BTreeMap::new();
        for form in [
            acceptance_form_v1(),
            spot_check_form_v1(),
            demolition_form_v1(),
            reclamation_form_v1(),
            recheck_form_v1(),
            move_in_form_v1(),
            super::groundbreaking_form_v1(),
            super::progress_form_v1(),
            super::area_inspection_form_v1(),
            super::township_check_form_v1(),
        ] {
            forms.insert((form.id.clone(), form.version), form);
        }
        Self { forms }
    }

    /// The built-in forms and these published versions. A published version never
    /// replaces a built-in one of the same number (the office refuses to publish it).
    pub fn with_published(published: impl IntoIterator<Item = FormSchema>) -> Self {
        let mut catalog = Self::builtin();
        for form in published {
            catalog.add(form);
        }
        catalog
    }

    /// Adds a version; one already known is kept as it is (versions never change).
    pub fn add(&mut self, form: FormSchema) {
        self.forms
            .entry((form.id.clone(), form.version))
            .or_insert(form);
    }

    pub fn get(&self, id: &str, version: u32) -> Option<&FormSchema> {
        self.forms.get(&(id.to_string(), version))
    }

    /// The newest version of a form: what a new draft starts on.
    pub fn latest(&self, id: &str) -> Option<&FormSchema> {
        self.versions(id).last()
    }

    /// Every version of a form, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = &FormSchema> + '_ {
        self.forms
            .range((id.to_string(), 0)..=(id.to_string(), u32::MAX))
            .map(|(_, form)| form)
    }

    pub fn all(&self) -> impl Iterator<Item = &FormSchema> {
        self.forms.values()
    }

    /// Whether `(id, version)` is one of the built-in versions.
    pub fn is_builtin(id: &str, version: u32) -> bool {
        version == 1 && super::definition::PUBLISHABLE_FORMS.contains(&id)
    }
}
