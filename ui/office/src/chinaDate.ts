// Milestone dates and deadlines are China time (UTC+8, no daylight saving), whatever zone
// the browser is in; the server refuses a date after China's today.

/** Today in China, as YYYY-MM-DD. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

/** A day of the date picker (a local midnight) as YYYY-MM-DD. */
export function pickerDay(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`
}

/** Whether the picker should grey out a day: it is after today in China. */
export function afterChinaToday(day: Date, now: Date = new Date()): boolean {
  return pickerDay(day) > chinaToday(now)
}

/** A moment (RFC 3339) as China's date and time, YYYY-MM-DD HH:mm:ss; the text as sent if it is not one. */
export function chinaTime(value: string): string {
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
}
