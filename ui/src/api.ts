// Every call to the Rust side goes through this module (see docs/field-app-commands.md), so the
// rest of the app and its tests can replace it with vi.mock('./api').
import { convertFileSrc, invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import type { TaskView } from './bindings/TaskView'
import type { Answer } from './bindings/Answer'
import type { AppInfo } from './bindings/AppInfo'
import type { AreaCheck } from './bindings/AreaCheck'
import type { CommandError } from './bindings/CommandError'
import type { DraftState } from './bindings/DraftState'
import type { DraftView } from './bindings/DraftView'
import type { Fix } from './bindings/Fix'
import type { FindingView } from './bindings/FindingView'
import type { HouseMeasurement } from './bindings/HouseMeasurement'
import type { HouseholdDetail } from './bindings/HouseholdDetail'
import type { HouseholdPage } from './bindings/HouseholdPage'
import type { HouseholdQuery } from './bindings/HouseholdQuery'
import type { PhotoAdded } from './bindings/PhotoAdded'
import type { PhotoSource } from './bindings/PhotoSource'
import type { PlaceFilter } from './bindings/PlaceFilter'
import type { Progress } from './bindings/Progress'
import type { SessionInfo } from './bindings/SessionInfo'
import type { SignOutOutcome } from './bindings/SignOutOutcome'
import type { Signature } from './bindings/Signature'
import type { SignatureMethod } from './bindings/SignatureMethod'
import type { Signed } from './bindings/Signed'
import type { TeamView } from './bindings/TeamView'
import type { SubmissionKind } from './bindings/SubmissionKind'
import type { SubmitOutcome } from './bindings/SubmitOutcome'
import type { SyncReport } from './bindings/SyncReport'
import type { SyncStatus } from './bindings/SyncStatus'

export type Language = 'zh-CN' | 'en'

/** Turns whatever a command rejected with into a CommandError. */
export function toCommandError(error: unknown): CommandError {
  if (typeof error === 'string') return { code: 'unknown', message: error, issues: [] }
  if (error && typeof error === 'object') {
    const e = error as Partial<CommandError> & { message?: unknown }
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      return { code: e.code, message: e.message, issues: Array.isArray(e.issues) ? e.issues : [] }
    }
    if (typeof e.message === 'string') return { code: 'unknown', message: e.message, issues: [] }
  }
  return { code: 'unknown', message: String(error), issues: [] }
}

export { localise } from './localise'

export function isCommandError(value: unknown): value is CommandError {
  return !!value && typeof value === 'object' && typeof (value as CommandError).code === 'string'
    && typeof (value as CommandError).message === 'string'
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (error) {
    throw toCommandError(error)
  }
}

async function callWithBytes<T>(command: string, bytes: Uint8Array, headers: Record<string, string>): Promise<T> {
  try {
    return await invoke<T>(command, bytes, { headers })
  } catch (error) {
    throw toCommandError(error)
  }
}

export const appInfo = () => call<AppInfo>('app_info')

export const signIn = (serverUrl: string, user: string, password: string) =>
  call<SessionInfo>('sign_in', { serverUrl, user, password })

export const signOut = (force: boolean) => call<SignOutOutcome>('sign_out', { force })

export const setLanguage = (language: Language) => call<void>('set_language', { language })

export const listHouseholds = (query: HouseholdQuery) => call<HouseholdPage>('list_households', { query })

export const places = () => call<PlaceFilter[]>('places')

export const householdDetail = (householdId: string) => call<HouseholdDetail>('household_detail', { householdId })

export const openDraft = (householdId: string, kind: SubmissionKind) =>
  call<DraftView>('open_draft', { householdId, kind })

export const listTasks = () => call<TaskView[]>('list_tasks')

export const openTask = (taskId: string) => call<DraftView>('open_task', { taskId })

export const saveAnswer = (draftId: string, key: string, answer: Answer | null, expectedRevision: number) =>
  call<DraftState>('save_answer', { draftId, key, answer, expectedRevision })

export const assessArea = (householdId: string, measurement: HouseMeasurement) =>
  call<AreaCheck>('assess_area', { householdId, measurement })

/** Where a photo comes from and the fix taken with it; both travel as headers. */
export interface PhotoOrigin { fix?: Fix | null, source?: PhotoSource }

export const addPhoto = (draftId: string, slot: string, bytes: Uint8Array, expectedRevision: number, origin: PhotoOrigin = {}) =>
  callWithBytes<PhotoAdded>('add_photo', bytes, {
    'anju-draft-id': draftId,
    'anju-slot': slot,
    'anju-expected-revision': String(expectedRevision),
    ...(origin.fix ? { 'anju-fix': encodeURIComponent(JSON.stringify(origin.fix)) } : {}),
    ...(origin.source ? { 'anju-source': origin.source } : {}),
  })

export const removePhoto = (draftId: string, slot: string, sha256: string, expectedRevision: number) =>
  call<DraftState>('remove_photo', { draftId, slot, sha256, expectedRevision })

export const sign = (
  draftId: string,
  slot: string,
  signerName: string,
  method: SignatureMethod,
  signature: Signature,
  expectedRevision: number,
) => call<Signed>('sign', { draftId, slot, signerName, method, signature, expectedRevision })

/** A team member confirms their department's slot with their own PIN (checked offline). */
export const signWithPin = (
  draftId: string,
  slot: string,
  account: string,
  pin: string,
  signature: Signature,
  expectedRevision: number,
) => call<Signed>('sign_with_pin', { draftId, slot, account, pin, signature, expectedRevision })

export const team = () => call<TeamView | null>('team')

/** A member sets their PIN with their own password (online). */
export const setMemberPin = (account: string, password: string, pin: string) =>
  call<TeamView>('set_member_pin', { account, password, pin })

export const signThumbprint = (draftId: string, slot: string, signerName: string, bytes: Uint8Array, expectedRevision: number) =>
  callWithBytes<Signed>('sign_thumbprint', bytes, {
    'anju-draft-id': draftId,
    'anju-slot': slot,
    'anju-signer-name': encodeURIComponent(signerName),
    'anju-expected-revision': String(expectedRevision),
  })

/** `position`: the device's fix at submit time (or why none), recorded with the submission. */
export const submitDraft = (draftId: string, position?: Fix | null) =>
  call<SubmitOutcome>('submit_draft', position ? { draftId, position } : { draftId })

export const discardDraft = (draftId: string) => call<void>('discard_draft', { draftId })

export const listFindings = () => call<FindingView[]>('list_findings')

export const syncStatus = () => call<SyncStatus>('sync_status')

export const syncNow = () => call<SyncReport>('sync_now')

/** Stops the sync that runs; whether one was running. */
export const cancelSync = () => call<boolean>('cancel_sync')

export const onSyncProgress = (handler: (progress: Progress) => void): Promise<UnlistenFn> =>
  listen<Progress>('sync-progress', (event) => handler(event.payload))

export const onSyncStatus = (handler: (status: SyncStatus) => void): Promise<UnlistenFn> =>
  listen<SyncStatus>('sync-status', (event) => handler(event.payload))

/** A file under the app's blob folder as a URL the webview can load (asset protocol). */
export const fileUrl = (path: string) => convertFileSrc(path)

/** Reads a picked or captured file whole, for add_photo / sign_thumbprint. */
export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer())
}
