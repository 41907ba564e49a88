// The form as the screen lays it out: the schema's sections, with each photo slot that
// proves an item moved right under that item (the placement comes from Rust, one
// definition for every screen). Items the answers (or the household's placement) do not
// ask are left out, as Rust says in the draft's state. A section left with nothing to
// show is dropped.
import type { EvidencePlacement } from '../bindings/EvidencePlacement'
import type { FormAnswers } from '../bindings/FormAnswers'
import type { FormSchema } from '../bindings/FormSchema'
import type { Item } from '../bindings/Item'
import type { Section } from '../bindings/Section'

export interface PlacedItem {
  item: Item
  /** The item this photo slot proves, when it was moved under it. */
  evidenceFor: string | null
}

export interface DisplaySection {
  key: string
  title: Section['title']
  department: Section['department']
  items: PlacedItem[]
}

export interface Progress { answered: number, required: number }

export function layoutForm(
  form: FormSchema,
  placement: readonly EvidencePlacement[],
  hidden: readonly string[] = [],
): DisplaySection[] {
  const notAsked = new Set(hidden)
  const byKey = new Map<string, Item>()
  for (const section of form.sections) for (const item of section.items) byKey.set(item.key, item)
  // Only pairs naming a photo item and another item of this form move anything.
  const valid = placement.filter((p) => byKey.get(p.photo)?.kind.type === 'photos' && byKey.has(p.item) && p.item !== p.photo)
  const moved = new Set(valid.map((p) => p.photo))
  const under = new Map<string, Item[]>()
  for (const p of valid) under.set(p.item, [...(under.get(p.item) ?? []), byKey.get(p.photo) as Item])

  const sections: DisplaySection[] = []
  for (const section of form.sections) {
    const items: PlacedItem[] = []
    for (const item of section.items) {
      if (moved.has(item.key) || notAsked.has(item.key)) continue
      items.push({ item, evidenceFor: null })
      for (const photo of under.get(item.key) ?? []) {
        if (!notAsked.has(photo.key)) items.push({ item: photo, evidenceFor: item.key })
      }
    }
    if (items.length > 0) sections.push({ key: section.key, title: section.title, department: section.department, items })
  }
  return sections
}

/** Required items answered, counted as the Rust side counts them (an answer is there). */
export function sectionProgress(section: DisplaySection, answers: FormAnswers): Progress {
  const required = section.items.filter((p) => p.item.required)
  return { answered: required.filter((p) => answers[p.item.key] !== undefined).length, required: required.length }
}
