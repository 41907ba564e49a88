// The roster import's decisions: a roster that names a township, village or site the office
// does not know is refused row by row (a typo, until a person says otherwise); confirming
// "create these places" previews it again and imports it with `create_places=true`.
import type { ImportPreview } from './bindings/ImportPreview'
import { toOfficeError } from './api'

/** Why the import button is off, as a message key and its count; null when it may be pressed. */
export type ImportBlock =
  | { key: 'import.imported' }
  | { key: 'import.blockedPlaces'; n: number }
  | { key: 'import.blockedErrors'; n: number }
  | { key: 'import.blockedEmpty' }

export function importBlocked(preview: ImportPreview | null, createPlaces: boolean): ImportBlock | null {
  if (!preview) return null
  if (preview.imported) return { key: 'import.imported' }
  if (needsPlacesConfirmation(preview, createPlaces)) return { key: 'import.blockedPlaces', n: preview.new_places.length }
  if (preview.errors.length) return { key: 'import.blockedErrors', n: preview.errors.length }
  if (!preview.valid_rows) return { key: 'import.blockedEmpty' }
  return null
}

/** The roster names places the office does not know and the person has not confirmed them. */
export function needsPlacesConfirmation(preview: ImportPreview | null, createPlaces: boolean): boolean {
  return !!preview && !preview.imported && preview.new_places.length > 0 && !createPlaces
}

/** Whether to offer the "create these places" box: there are new places (confirmed or not), before the import. */
export function offersPlaces(preview: ImportPreview | null): boolean {
  return !!preview && preview.new_places.length > 0
}

/**
 * How a failed preview is shown: an empty file as such, a file the office refuses (not a
 * roster, too large) with its reason; only a failure of the network or the server offers a
 * retry, since sending the same file again cannot change the other answers.
 */
export type PreviewFailure = { kind: 'empty' } | { kind: 'refused' } | { kind: 'retry' }

export function previewFailure(error: unknown): PreviewFailure {
  const e = toOfficeError(error)
  if (e.code === 'roster_empty') return { kind: 'empty' }
  if (e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408 && e.status !== 429) return { kind: 'refused' }
  return { kind: 'retry' }
}
