// Who is signed in, and the places they may see (for the filters). One reactive object.
import { computed, reactive } from 'vue'
import * as api from './api'
import type { OfficeSession } from './bindings/OfficeSession'
import type { Places } from './bindings/Places'

interface SessionState {
  session: OfficeSession | null
  /** The session was asked for once (so the router does not ask on every page). */
  probed: boolean
  places: Places | null
}

export const state = reactive<SessionState>({ session: null, probed: false, places: null })

export const isAdmin = computed(() => state.session?.role === 'admin')
export const signedIn = computed(() => state.session !== null)

let probing: Promise<void> | null = null

/** Ask the server once whether the cookie still holds a session. */
export function probe(): Promise<void> {
  if (state.probed) return Promise.resolve()
  probing ??= api.currentSession()
    .then((s) => { state.session = s })
    .catch(() => { state.session = null })
    .finally(() => { state.probed = true; probing = null })
  return probing
}

export async function signIn(name: string, password: string): Promise<OfficeSession> {
  const s = await api.signIn(name, password)
  state.session = s
  state.probed = true
  state.places = null
  return s
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut()
  } finally {
    forget()
  }
}

/** After a 401 or a sign-out: nothing of the last user stays. */
export function forget() {
  state.session = null
  state.places = null
  state.probed = true
}

let loadingPlaces: Promise<Places> | null = null

/** The townships, sites and inspectors this user may see (loaded once per session). */
export function loadPlaces(): Promise<Places> {
  if (state.places) return Promise.resolve(state.places)
  loadingPlaces ??= api.places()
    .then((p) => { state.places = p; return p })
    .finally(() => { loadingPlaces = null })
  return loadingPlaces
}
