// Lengths are typed in metres and kept as integer millimetres, so the area engine computes
// exactly. The parser is strict: a typo must be shown, not guessed.

export type MetresError = 'empty' | 'format' | 'precision' | 'too_large' | 'negative'

export type MetresResult = { ok: true, mm: number } | { ok: false, error: MetresError }

/** Largest length accepted, in millimetres (1 km: no house part is larger). */
export const MAX_MM = 1_000_000

/** Full-width digits, signs and points (Chinese input methods) to their ASCII forms. */
export function normaliseDigits(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/[。．]/g, '.')
    .replace(/[－−]/g, '-')
    .replace(/^[\s\u3000]+|[\s\u3000]+$/g, '')
}

/**
 * Parses metres ("3.6", "３．６", "3。6", "12") into millimetres: up to 3 decimals, digits on both
 * sides of the point. Negative values only with allowNegative (polygon coordinates).
 */
export function parseMetres(input: string, options: { allowNegative?: boolean } = {}): MetresResult {
  const text = normaliseDigits(input)
  if (text === '') return { ok: false, error: 'empty' }
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) return { ok: false, error: 'format' }
  const [, sign, whole, fraction = ''] = match
  if (sign && !options.allowNegative) return { ok: false, error: 'negative' }
  if (fraction.length > 3) return { ok: false, error: 'precision' }
  const wholeNumber = Number(whole)
  if (wholeNumber > MAX_MM / 1000) return { ok: false, error: 'too_large' }
  // Integer arithmetic on the digits: no binary floating point rounding (0.29 * 1000 ≠ 290).
  const mm = wholeNumber * 1000 + Number(fraction.padEnd(3, '0'))
  if (mm > MAX_MM) return { ok: false, error: 'too_large' }
  return { ok: true, mm: sign && mm !== 0 ? -mm : mm }
}

/** Millimetres back to the metres text an inspector would type ("2900" → "2.9"). */
export function formatMetres(mm: number): string {
  const sign = mm < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(mm))
  const whole = Math.floor(abs / 1000)
  const fraction = String(abs % 1000).padStart(3, '0').replace(/0+$/, '')
  return sign + (fraction ? `${whole}.${fraction}` : String(whole))
}

/** Parses a storey number (1, 2, …; full-width digits accepted). */
export function parseStorey(input: string): number | null {
  const text = normaliseDigits(input)
  if (!/^\d{1,2}$/.test(text)) return null
  const n = Number(text)
  return n >= 1 && n <= 99 ? n : null
}
