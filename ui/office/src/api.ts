// Every call to the office server goes through this module (docs/office-pages-api.md), so
// the pages and their tests can replace it with vi.mock('../src/api').
import type { AbleToDevelop } from './bindings/AbleToDevelop'
import type { HouseholdSupport } from './bindings/HouseholdSupport'
import type { IntegrationTokenCreated } from './bindings/IntegrationTokenCreated'
import type { IntegrationTokenRow } from './bindings/IntegrationTokenRow'
import type { NewIntegrationToken } from './bindings/NewIntegrationToken'
import type { NewSupportMeasure } from './bindings/NewSupportMeasure'
import type { SupportReport } from './bindings/SupportReport'
import type { TaskList } from './bindings/TaskList'
import type { VisitPlan } from './bindings/VisitPlan'
import type { VisitsPlanned } from './bindings/VisitsPlanned'
import type { ApiError } from './bindings/ApiError'
import type { AssignmentOverview } from './bindings/AssignmentOverview'
import type { AuditPage } from './bindings/AuditPage'
import type { BatchApproval } from './bindings/BatchApproval'
import type { BulkAssignment } from './bindings/BulkAssignment'
import type { ConflictDecision } from './bindings/ConflictDecision'
import type { Dashboard } from './bindings/Dashboard'
import type { FindingList } from './bindings/FindingList'
import type { FormChange } from './bindings/FormChange'
import type { FormPreview } from './bindings/FormPreview'
import type { FormPublish } from './bindings/FormPublish'
import type { FormPublished } from './bindings/FormPublished'
import type { FormsPage } from './bindings/FormsPage'
import type { FindingRow } from './bindings/FindingRow'
import type { FindingTransition } from './bindings/FindingTransition'
import type { HouseholdDetail } from './bindings/HouseholdDetail'
import type { HouseholdPage } from './bindings/HouseholdPage'
import type { ImportPreview } from './bindings/ImportPreview'
import type { MilestoneUpdate } from './bindings/MilestoneUpdate'
import type { OfficeSession } from './bindings/OfficeSession'
import type { OldHouseReport } from './bindings/OldHouseReport'
import type { Places } from './bindings/Places'
import type { PolicyPage } from './bindings/PolicyPage'
import type { PolicyUpdate } from './bindings/PolicyUpdate'
import type { PolicyView } from './bindings/PolicyView'
import type { RevealedPersonalData } from './bindings/RevealedPersonalData'
import type { ReviewDecision } from './bindings/ReviewDecision'
import type { ReviewQueue } from './bindings/ReviewQueue'
import type { SampleRequest } from './bindings/SampleRequest'
import type { SampleSummary } from './bindings/SampleSummary'
import type { SampleView } from './bindings/SampleView'
import type { PrintJobView } from './bindings/PrintJobView'
import type { TlsIdentity } from './bindings/TlsIdentity'
import type { UserProfileUpdate } from './bindings/UserProfileUpdate'
import type { UserRow } from './bindings/UserRow'
import type { TeamSetting } from './bindings/TeamSetting'
import type { SitesPage } from './bindings/SitesPage'
import type { SiteVisits } from './bindings/SiteVisits'
import type { SiteRecordUpdate } from './bindings/SiteRecordUpdate'
import type { SiteRow } from './bindings/SiteRow'
import type { TeamView } from './bindings/TeamView'
import { findingParams, householdParams, type FindingFilters, type HouseholdFilters } from './query'
import { language } from './i18n'

export const API = '/api/office'

/** What the server (or the network) refused, with the message still in both languages. */
export class OfficeError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | null

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message)
    this.name = 'OfficeError'
    this.status = status
    this.code = code
    this.field = field
  }
}

/** Messages from the server read "中文 / English": keep the half for the language shown. */
export function localise(message: string, language: string): string {
  const at = message.indexOf(' / ')
  if (at < 0) return message
  return language.startsWith('zh') ? message.slice(0, at).trim() : message.slice(at + 3).trim()
}

/** What a reply with no ApiError body means, in both languages. */
function statusMessage(status: number): { code: string; message: string } {
  switch (status) {
    case 400: return { code: 'bad_request', message: '请求有误 / Bad request' }
    case 401: return { code: 'unauthorized', message: '请先登录 / Please sign in' }
    case 403: return { code: 'forbidden', message: '无权进行此操作 / You may not do this' }
    case 404: return { code: 'not_found', message: '未找到 / Not found' }
    case 409: return { code: 'conflict', message: '数据已被他人修改，请刷新 / Changed by someone else: reload' }
    case 413: return { code: 'too_large', message: '文件太大 / The file is too large' }
    default:
      return status >= 500
        ? { code: 'server', message: `服务器出错（${status}） / Server error (${status})` }
        : { code: 'http', message: `请求失败（${status}） / Request failed (${status})` }
  }
}

/** Turns an error reply (its status and body text) into an OfficeError. */
export function errorFromReply(status: number, body: string): OfficeError {
  try {
    // The stable code is `error` (ApiError); `code` is read too, as the first draft of the API had it.
    const parsed = JSON.parse(body) as (Partial<ApiError> & { code?: unknown }) | null
    const code = typeof parsed?.error === 'string' ? parsed.error : typeof parsed?.code === 'string' ? parsed.code : null
    if (parsed && code !== null && typeof parsed.message === 'string') {
      return new OfficeError(status, code, parsed.message, typeof parsed.field === 'string' ? parsed.field : null)
    }
  } catch {
    // Not JSON (a proxy's page, an empty body): fall back on the status.
  }
  const { code, message } = statusMessage(status)
  return new OfficeError(status, code, message)
}

/** Anything thrown while talking to the server, as an OfficeError. */
export function toOfficeError(error: unknown): OfficeError {
  if (error instanceof OfficeError) return error
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new OfficeError(0, 'aborted', '已取消 / Cancelled')
  }
  if (error instanceof TypeError) {
    return new OfficeError(0, 'network', '无法连接办公室服务器 / Cannot reach the office server')
  }
  return new OfficeError(0, 'unknown', error instanceof Error ? error.message : String(error))
}

/** The text to show for an error in the language of the pages. */
export function errorText(error: unknown, language: string): string {
  return localise(toOfficeError(error).message, language)
}

let unauthorized: (() => void) | null = null

/** Called on every 401 (except while probing the session): the pages go to sign-in. */
export function setUnauthorizedHandler(handler: (() => void) | null) {
  unauthorized = handler
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  query?: URLSearchParams
  /** A JSON body. */
  json?: unknown
  /** A raw body (a photo, a roster file). */
  body?: Blob
  headers?: Record<string, string>
  /** A 401 is an answer here (the session probe, sign-in), not a reason to leave the page. */
  quiet401?: boolean
  signal?: AbortSignal
}

export function url(path: string, query?: URLSearchParams): string {
  const q = query?.toString()
  return `${API}${path}${q ? `?${q}` : ''}`
}

/** One request to the office; resolves with the JSON answer (undefined on 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'X-Anju-Office': '1', Accept: 'application/json', ...options.headers }
  let body: BodyInit | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.body !== undefined) {
    body = options.body
  }
  let reply: Response
  try {
    reply = await fetch(url(path, options.query), {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      credentials: 'same-origin',
      headers,
      body,
      signal: options.signal,
    })
  } catch (error) {
    throw toOfficeError(error)
  }
  if (!reply.ok) {
    const error = errorFromReply(reply.status, await reply.text().catch(() => ''))
    if (reply.status === 401 && !options.quiet401) unauthorized?.()
    throw error
  }
  if (reply.status === 204) return undefined as T
  const text = await reply.text()
  return (text ? JSON.parse(text) : undefined) as T
}

// Sessions
export const signIn = (name: string, password: string) =>
  request<OfficeSession>('/login', { json: { name, password }, quiet401: true })
export const signOut = () => request<void>('/logout', { method: 'POST', quiet401: true })
export const currentSession = () => request<OfficeSession>('/session', { quiet401: true })

// Reading
export const dashboard = () => request<Dashboard>('/dashboard')
export const places = () => request<Places>('/places')
export const households = (filters: HouseholdFilters, offset: number, limit: number) =>
  request<HouseholdPage>('/households', { query: householdParams(filters, { offset, limit }) })
export const household = (id: string) => request<HouseholdDetail>(`/households/${encodeURIComponent(id)}`)
/** The ID and phone numbers in full (the detail masks them); the server records who asked. */
export const revealPersonalData = (id: string) =>
  request<RevealedPersonalData>(`/households/${encodeURIComponent(id)}/reveal`, { method: 'POST' })
export const updateMilestones = (id: string, update: MilestoneUpdate) =>
  request<HouseholdDetail>(`/households/${encodeURIComponent(id)}/milestones`, { json: update })

// Review
export const reviewQueue = () => request<ReviewQueue>('/review')
export const decideSubmission = (submissionId: string, decision: ReviewDecision) =>
  request<void>(`/review/${encodeURIComponent(submissionId)}`, { json: decision })
/** Approve at once the records that raise nothing (at most 200); the answer says which were not, and why. */
export const approveBatch = (submissionIds: string[]) =>
  request<BatchApproval>('/reviews/approve-batch', { json: { submission_ids: submissionIds } })
export const decideConflict = (id: number, decision: ConflictDecision) =>
  request<void>(`/conflicts/${id}`, { json: decision })

// Findings
export const findings = (filters: FindingFilters) => request<FindingList>('/findings', { query: findingParams(filters) })
export const transitionFinding = (id: string, transition: FindingTransition) =>
  request<FindingRow>(`/findings/${encodeURIComponent(id)}/transition`, { json: transition })
export const uploadEvidence = (id: string, photo: Blob) =>
  request<{ sha256: string }>(`/findings/${encodeURIComponent(id)}/evidence`, {
    body: photo,
    headers: { 'Content-Type': photo.type || 'application/octet-stream' },
  })

// Assignments
export const assignments = (township: string | null) =>
  request<AssignmentOverview>('/assignments', { query: new URLSearchParams(township ? { township } : {}) })
export const bulkAssign = (assignment: BulkAssignment) => request<{ changed: number }>('/assignments', { json: assignment })

// Spot checks
export const samples = () => request<SampleSummary[]>('/samples')
export const drawSample = (sampleRequest: SampleRequest) => request<SampleView>('/samples', { json: sampleRequest })
export const sample = (id: string) => request<SampleView>(`/samples/${encodeURIComponent(id)}`)
export const assignSample = (id: string, inspector: string) =>
  request<{ changed: number }>(`/samples/${encodeURIComponent(id)}/assign`, { json: { inspector } })

// Roster import
function rosterHeaders(file: File): Record<string, string> {
  return { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name) }
}
/** `createPlaces`: the person confirmed that the townships, villages and sites the office does not know are new. */
function importQuery(createPlaces: boolean): URLSearchParams | undefined {
  return createPlaces ? new URLSearchParams({ create_places: 'true' }) : undefined
}
export const previewImport = (file: File, createPlaces = false) =>
  request<ImportPreview>('/import/preview', { body: file, headers: rosterHeaders(file), query: importQuery(createPlaces) })
export const runImport = (file: File, createPlaces = false) =>
  request<ImportPreview>('/import', { body: file, headers: rosterHeaders(file), query: importQuery(createPlaces) })

// Old houses
// One page of households: the office sends only what is shown.
export const oldHouses = (township: string | null, unfinished: boolean, offset: number, limit: number) => {
  const query = new URLSearchParams({ offset: String(offset), limit: String(limit) })
  if (township) query.set('township', township)
  if (unfinished) query.set('unfinished', 'true')
  return request<OldHouseReport>('/old-houses', { query })
}

// The district's policy: every user reads it; only the district office sets a new version.
export const policy = () => request<PolicyPage>('/policy')
export const setPolicy = (update: PolicyUpdate) => request<PolicyView>('/policy', { json: update })

// The forms the district publishes: every user reads them; only the district office publishes.
export const supportReport = () => request<SupportReport>('/support')
export const addSupportMeasure = (householdId: string, measure: NewSupportMeasure) =>
  request<HouseholdSupport>(`/households/${encodeURIComponent(householdId)}/support`, { json: measure })
export const removeSupportMeasure = (householdId: string, measureId: string) =>
  request<HouseholdSupport>(`/households/${encodeURIComponent(householdId)}/support/${encodeURIComponent(measureId)}/remove`, { json: {} })
export const setAbleToDevelop = (householdId: string, able: AbleToDevelop) =>
  request<HouseholdSupport>(`/households/${encodeURIComponent(householdId)}/able-to-develop`, { json: able })
export const tasks = () => request<TaskList>('/tasks')
/** 工地进度: each site's 包保责任人, plan and progress. */
export const sites = () => request<SitesPage>('/sites')
/** A site's timeline of visits to its households, newest first. */
export const siteVisits = (id: string) => request<SiteVisits>(`/sites/${encodeURIComponent(id)}/visits`)
/** Set a site's 包保责任人 and replace its monthly plan. */
export const setSiteRecord = (id: string, update: SiteRecordUpdate) =>
  request<SiteRow>(`/sites/${encodeURIComponent(id)}`, { json: update })
export const planVisits = (plan: VisitPlan) => request<VisitsPlanned>('/tasks', { json: plan })
export const formVersions = () => request<FormsPage>('/form-versions')
export const formPreview = (form: string, version: number) =>
  request<FormPreview>(`/form-versions/${encodeURIComponent(form)}/${version}`)
export const formChanges = (form: string, from: number, to: number) =>
  request<FormChange[]>(`/form-versions/${encodeURIComponent(form)}/diff/${from}/${to}`)
export const publishForm = (update: FormPublish) => request<FormPublished>('/form-versions', { json: update })

// Security: the certificate people compare with their phones (any user), the audit log (the district admin only)
export const tlsIdentity = () => request<TlsIdentity>('/tls')
/** The users with how records name them (the district admin). */
export const users = () => request<UserRow[]>('/users')
/** 验收组: every team, its members and whose PIN is set. */
export const teams = () => request<TeamView[]>('/teams')
/** Make a team, or give the team of this name these members (logins). */
export const setTeam = (setting: TeamSetting) => request<TeamView>('/teams', { json: setting })
/** Set a user's 姓名, 单位/部门 or 职务: a field left out stays, an empty one is cleared. */
export const updateUserProfile = (login: string, update: UserProfileUpdate) =>
  request<UserRow>(`/users/${encodeURIComponent(login)}`, { json: update })
/** A page of the log, newest first: all actions or one (`action`), older than `before` (a page's `next_before`). */
export const auditLog = (action: string | null, before: number | null = null) => {
  const query = new URLSearchParams()
  if (action) query.set('action', action)
  if (before !== null) query.set('before', String(before))
  return request<AuditPage>('/audit', { query })
}

// 数据接口: the integration tokens other systems read the read API with (the district admin only).
export const integrationTokens = () => request<IntegrationTokenRow[]>('/integration-tokens')
/** Make a token; the answer's secret is shown this once. */
export const createIntegrationToken = (token: NewIntegrationToken) =>
  request<IntegrationTokenCreated>('/integration-tokens', { json: token })
export const revokeIntegrationToken = (id: string) =>
  request<IntegrationTokenRow>(`/integration-tokens/${encodeURIComponent(id)}/revoke`, { method: 'POST' })

// Files: plain addresses, fetched by the download helper or opened in a tab.
export const exportUrl = {
  townships: () => url('/exports/townships.xlsx'),
  households: (filters: HouseholdFilters) => url('/exports/households.xlsx', householdParams(filters)),
  findings: (filters: FindingFilters) => url('/exports/findings.xlsx', findingParams(filters)),
  audit: () => url('/exports/audit.xlsx'),
  /** The roster template: the importer's columns and one example row. */
  rosterTemplate: () => url('/roster/template.xlsx'),
}
/** Printed forms come in the pages' language: `?lang=en` for English, Chinese without it. */
const formLanguage = () => (language() === 'en' ? new URLSearchParams({ lang: 'en' }) : undefined)
export const formUrl = (householdId: string) => url(`/forms/${encodeURIComponent(householdId)}`, formLanguage())
export const formPdfUrl = (householdId: string) => url(`/forms/${encodeURIComponent(householdId)}.pdf`, formLanguage())
export const townshipPdfUrl = (townshipId: string) => url(`/forms/township/${encodeURIComponent(townshipId)}.pdf`, formLanguage())

// A township's forms in volumes, printed by the office as a job: it goes on when the page closes.
export const startPrintJob = (township: string) =>
  request<PrintJobView>('/print-jobs', { json: { township, full: false, lang: language() === 'en' ? 'en' : 'zh' } })
export const printJobs = () => request<PrintJobView[]>('/print-jobs')
