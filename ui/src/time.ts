// Times from the Rust side are UTC (RFC 3339); the inspector reads them in local (China) time.
import { i18n } from './i18n'

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

export type Ago = { unit: 'now' | 'minutes' | 'hours' | 'days', n: number }

export function ago(iso: string, now: Date): Ago {
  const ms = now.getTime() - new Date(iso).getTime()
  const minutes = Math.floor(ms / 60_000)
  if (Number.isNaN(minutes) || minutes < 1) return { unit: 'now', n: 0 }
  if (minutes < 60) return { unit: 'minutes', n: minutes }
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return { unit: 'hours', n: hours }
  return { unit: 'days', n: Math.floor(hours / 24) }
}

export function relativeTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return ''
  const a = ago(iso, now)
  return i18n.global.t(`sync.ago.${a.unit}`, { n: a.n })
}
