import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'

export type Language = 'zh-CN' | 'en'
const KEY = 'anju-office-language'

function saved(): Language {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: saved(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function language(): Language {
  return i18n.global.locale.value as Language
}

export function setLanguage(l: Language) {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    // Private windows may refuse storage: the choice then lasts for this page only.
  }
}
