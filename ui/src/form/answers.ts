// Small rules about answers shared by the item components.
import type { Answer } from '../bindings/Answer'
import type { FormAnswers } from '../bindings/FormAnswers'
import type { FormSchema } from '../bindings/FormSchema'
import type { Item } from '../bindings/Item'
import type { Text } from '../bindings/Text'
import type { YesNo } from '../bindings/YesNo'

export function textOf(text: Text | null | undefined, language: string): string {
  if (!text) return ''
  return language.startsWith('zh') ? text.zh : text.en
}

/** The yes/no value that means "a problem here" for this item (null: none). */
export function problemValue(item: Item): YesNo | null {
  return item.kind.type === 'yes_no' ? item.kind.problem_when : null
}

export function isProblem(item: Item, answer: Answer | undefined): boolean {
  const when = problemValue(item)
  return when !== null && answer?.type === 'yes_no' && answer.value === when
}

/** The key of the form's findings item (where problems are collected), if it has one. */
export function findingsItemKey(form: FormSchema): string | null {
  for (const section of form.sections) {
    for (const item of section.items) if (item.kind.type === 'findings') return item.key
  }
  return null
}

/** Parses a number field strictly: digits, one point, at most `decimals` decimals, inside min..max. */
export function parseNumber(input: string, kind: { min: number, max: number, decimals: number }):
  { ok: true, value: number } | { ok: false, error: 'format' | 'decimals' | 'range' | 'empty' } {
  const text = input.trim().replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48)).replace(/[。．]/g, '.')
  if (text === '') return { ok: false, error: 'empty' }
  const match = /^-?\d+(?:\.(\d+))?$/.exec(text)
  if (!match) return { ok: false, error: 'format' }
  if ((match[1]?.length ?? 0) > kind.decimals) return { ok: false, error: 'decimals' }
  const value = Number(text)
  if (value < kind.min || value > kind.max) return { ok: false, error: 'range' }
  return { ok: true, value }
}

export function answerOf(answers: FormAnswers, key: string): Answer | undefined {
  return answers[key]
}

/** "110101199001011234" → "**************1234": only the last four shown until tapped. */
export function maskIdNumber(id: string): string {
  if (id.length <= 4) return id
  return '*'.repeat(id.length - 4) + id.slice(-4)
}
