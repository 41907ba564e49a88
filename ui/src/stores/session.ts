import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { AppInfo } from '../bindings/AppInfo'
import type { SessionInfo } from '../bindings/SessionInfo'
import { normaliseLanguage, setLocale } from '../i18n'

export const useSessionStore = defineStore('session', () => {
  const info = ref<AppInfo | null>(null)
  const session = ref<SessionInfo | null>(null)
  const loaded = ref(false)
  let loading: Promise<void> | null = null

  const signedIn = computed(() => !!session.value?.signed_in)
  const user = computed(() => session.value?.user ?? null)
  const language = ref<api.Language>('zh-CN')

  /** Reads app_info once (on start); later calls wait for the same answer. */
  function load(): Promise<void> {
    if (!loading) {
      loading = (async () => {
        const appInfo = await api.appInfo()
        info.value = appInfo
        session.value = appInfo.session
        language.value = normaliseLanguage(appInfo.language)
        setLocale(language.value)
        loaded.value = true
      })()
      loading.catch(() => { loading = null })
    }
    return loading
  }

  async function signIn(serverUrl: string, userName: string, password: string) {
    session.value = await api.signIn(serverUrl.trim(), userName.trim(), password)
  }

  /** Signs out; rejects with unsynced_work unless forced. */
  async function signOut(force: boolean) {
    const outcome = await api.signOut(force)
    if (session.value) session.value = { ...session.value, signed_in: false }
    return outcome
  }

  async function changeLanguage(next: api.Language) {
    language.value = next
    setLocale(next)
    await api.setLanguage(next)
  }

  return { info, session, loaded, signedIn, user, language, load, signIn, signOut, changeLanguage }
})
