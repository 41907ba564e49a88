// Batch approval's answer in words: which records were not approved, and why.
import type { BatchRefusal } from './bindings/BatchRefusal'
import type { ReviewItem } from './bindings/ReviewItem'
import { localise } from './api'

/** "070001 罗某戊：reason；…" for the records a batch did not approve (at most `limit` named). */
export function batchRefusalText(refused: BatchRefusal[], items: ReviewItem[], language: string, limit = 5): string {
  const zh = language.startsWith('zh')
  const lines = refused.slice(0, limit).map((r) => {
    const item = items.find((i) => i.submission_id === r.submission_id)
    const who = item ? `${item.household_number} ${item.head_name}` : r.submission_id
    return `${who}${zh ? '：' : ': '}${localise(r.message, language)}`
  })
  if (refused.length > limit) lines.push(zh ? `等 ${refused.length} 条` : `and ${refused.length - limit} more`)
  return lines.join(zh ? '；' : '; ')
}
