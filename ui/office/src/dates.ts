// The date pickers' weeks: Chinese calendars start them on Monday, in either language of the
// pages. Element Plus reads `weekStart` from the dayjs locale of its own language (zh-cn, en).
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'

export function weeksStartOnMonday() {
  dayjs.locale('zh-cn')
  const en = dayjs.Ls.en
  if (en) en.weekStart = 1
}

/** The first day of the week a date picker shows in `language` (0 Sunday … 6 Saturday, 7 Sunday). */
export function weekStart(language: 'zh-cn' | 'en'): number {
  return (dayjs().locale(language) as unknown as { $locale(): { weekStart?: number } }).$locale().weekStart ?? 7
}
