import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import type { Language } from '../api'

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function normaliseLanguage(language: string | null | undefined): Language {
  return language && language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN'
}

export function currentLanguage(): Language {
  return normaliseLanguage(i18n.global.locale.value)
}

export function setLocale(language: Language) {
  i18n.global.locale.value = language
  document.documentElement.lang = language
}
