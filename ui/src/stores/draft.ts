// The form being filled: the draft as the Rust side last confirmed it, the answers as the
// inspector sees them (ahead of the database while a save is in flight), and the save queue.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as api from '../api'
import type { Answer } from '../bindings/Answer'
import type { CommandError } from '../bindings/CommandError'
import type { DraftState } from '../bindings/DraftState'
import type { DraftView } from '../bindings/DraftView'
import type { FindingDraft } from '../bindings/FindingDraft'
import type { FormAnswers } from '../bindings/FormAnswers'
import type { Item } from '../bindings/Item'
import type { PhotoView } from '../bindings/PhotoView'
import type { Signature } from '../bindings/Signature'
import type { SignatureMethod } from '../bindings/SignatureMethod'
import type { SignatureView } from '../bindings/SignatureView'
import type { SubmissionKind } from '../bindings/SubmissionKind'
import type { SubmitOutcome } from '../bindings/SubmitOutcome'
import { findingsItemKey } from '../form/answers'
import { appendFinding, findingFromProblem } from '../form/findings'
import { issuesByItem } from '../form/issues'
import { SaveQueue, type SaveStatus } from '../form/saveQueue'
import { useHouseholdsStore } from './households'
import { fixForSubmit } from '../geo'

export const useDraftStore = defineStore('draft', () => {
  const view = shallowRef<DraftView | null>(null)
  const answers = ref<FormAnswers>({})
  const state = ref<DraftState | null>(null)
  const photos = ref<PhotoView[]>([])
  const signatures = ref<SignatureView[]>([])
  const saveStatus = ref<SaveStatus>('saved')
  const saveError = ref<CommandError | null>(null)
  const touched = ref(new Set<string>())
  const submitTried = ref(false)
  const reloadCount = ref(0)
  let queue: SaveQueue | null = null

  const draftId = computed(() => view.value?.draft.id ?? '')
  const visibleIssues = computed(() =>
    issuesByItem(state.value?.issues ?? [], { touched: touched.value, submitTried: submitTried.value }))
  const overall = computed(() => {
    const progress = state.value?.progress ?? []
    const answered = progress.reduce((n, p) => n + Math.min(p.answered, p.required), 0)
    const required = progress.reduce((n, p) => n + p.required, 0)
    return { answered, required, percent: required === 0 ? 100 : Math.round((answered / required) * 100) }
  })

  function install(next: DraftView, keepLocal: string[] = []) {
    const local = answers.value
    const merged: FormAnswers = { ...next.draft.answers }
    // Values not yet written stay as typed: they are sent again after the reload.
    for (const key of keepLocal) {
      const value = local[key]
      if (value === undefined) delete merged[key]
      else merged[key] = value
    }
    view.value = next
    answers.value = merged
    state.value = next.state
    photos.value = next.photos
    signatures.value = next.signatures
  }

  async function reload(): Promise<number> {
    const current = view.value
    if (!current) throw { code: 'not_found', message: '没有打开的表单 / No open form', issues: [] }
    const next = current.task?.finding_id
      ? await api.openTask(current.task.id)
      : await api.openDraft(current.household.id, current.draft.kind)
    install(next, queue?.pendingKeys ?? [])
    reloadCount.value += 1
    return next.state.revision
  }

  async function open(householdId: string, kind: SubmissionKind) {
    return start(await api.openDraft(householdId, kind))
  }

  /** A re-check's draft, opened from its task. */
  async function openTask(taskId: string) {
    return start(await api.openTask(taskId))
  }

  function start(next: DraftView) {
    answers.value = {}
    touched.value = new Set()
    submitTried.value = false
    saveStatus.value = 'saved'
    saveError.value = null
    install(next)
    const id = next.draft.id
    queue = new SaveQueue({
      revision: next.state.revision,
      send: (key, answer, revision) => api.saveAnswer(id, key, answer, revision),
      onState: (s) => { state.value = s },
      onStatus: (status, error) => { saveStatus.value = status; saveError.value = error },
      reload,
    })
    return next
  }

  function activeQueue(): SaveQueue {
    if (!queue) throw { code: 'not_found', message: '没有打开的表单 / No open form', issues: [] }
    return queue
  }

  function touch(key: string) {
    if (!touched.value.has(key)) touched.value = new Set([...touched.value, key])
  }

  function setAnswer(key: string, answer: Answer | null) {
    if (answer === null) delete answers.value[key]
    else answers.value[key] = answer
    touch(key)
    useHouseholdsStore().stale = true
    activeQueue().save(key, answer)
  }

  /** The one-tap "记为整改问题": the problem at a yes/no item goes into the findings item. */
  function recordFinding(item: Item, label: string): boolean {
    const form = view.value?.form
    const findingsKey = form ? findingsItemKey(form) : null
    if (!findingsKey) return false
    const answer = answers.value[item.key]
    const note = answer?.type === 'yes_no' ? answer.note : null
    const existing = answers.value[findingsKey]
    const items: FindingDraft[] = existing?.type === 'findings' ? existing.items : []
    setAnswer(findingsKey, { type: 'findings', items: appendFinding(items, findingFromProblem(label, note, item.key, new Date())) })
    return true
  }

  function photosOf(slot: string) {
    return photos.value.filter((p) => p.slot === slot)
  }

  function syncPhotoAnswer(slot: string) {
    const list = photosOf(slot)
    if (list.length === 0) delete answers.value[slot]
    else answers.value[slot] = { type: 'photos', sha256: list.map((p) => p.sha256) }
    touch(slot)
  }

  function addPhoto(slot: string, bytes: Uint8Array, origin: api.PhotoOrigin = {}) {
    const id = draftId.value
    return activeQueue().perform(async (revision) => {
      const added = await api.addPhoto(id, slot, bytes, revision, origin)
      if (!photos.value.some((p) => p.sha256 === added.photo.sha256 && p.slot === slot)) photos.value.push(added.photo)
      syncPhotoAnswer(slot)
      return added.state
    })
  }

  function removePhoto(slot: string, sha256: string) {
    const id = draftId.value
    return activeQueue().perform(async (revision) => {
      const next = await api.removePhoto(id, slot, sha256, revision)
      photos.value = photos.value.filter((p) => !(p.slot === slot && p.sha256 === sha256))
      syncPhotoAnswer(slot)
      return next
    })
  }

  function acceptSignature(slot: string, signature: SignatureView) {
    signatures.value = [...signatures.value.filter((s) => s.meta.slot !== slot), signature]
    answers.value[slot] = { type: 'signature', signature: signature.meta }
    touch(slot)
  }

  function sign(slot: string, signerName: string, method: SignatureMethod, signature: Signature) {
    const id = draftId.value
    return activeQueue().perform(async (revision) => {
      const signed = await api.sign(id, slot, signerName, method, signature, revision)
      acceptSignature(slot, signed.signature)
      return signed.state
    })
  }

  function signWithPin(slot: string, account: string, pin: string, signature: Signature) {
    const id = draftId.value
    return activeQueue().perform(async (revision) => {
      const signed = await api.signWithPin(id, slot, account, pin, signature, revision)
      acceptSignature(slot, signed.signature)
      return signed.state
    })
  }

  function signThumbprint(slot: string, signerName: string, bytes: Uint8Array) {
    const id = draftId.value
    return activeQueue().perform(async (revision) => {
      const signed = await api.signThumbprint(id, slot, signerName, bytes, revision)
      acceptSignature(slot, signed.signature)
      return signed.state
    })
  }

  function signatureState(slot: string) {
    return state.value?.signatures.find((s) => s.slot === slot) ?? null
  }

  /** Writes what is pending, then submits; rejects with `incomplete` and its issues. */
  async function submit(): Promise<SubmitOutcome> {
    const q = activeQueue()
    submitTried.value = true
    q.retry()
    await q.idle()
    if (q.currentStatus === 'error' && q.lastError) throw q.lastError
    // Where the device is when the form is submitted, as evidence (or why it does not know).
    const outcome = await api.submitDraft(draftId.value, await fixForSubmit())
    useHouseholdsStore().stale = true
    return outcome
  }

  function retrySaving() { queue?.retry() }

  /** Waits until every change typed so far is written (or failed). */
  async function flush() {
    if (queue) await queue.idle()
  }

  /** Throws the draft away (after what is pending is written, so nothing races it). */
  async function discard() {
    await flush()
    await api.discardDraft(draftId.value)
    useHouseholdsStore().stale = true
  }

  return {
    view, answers, state, photos, signatures, saveStatus, saveError, touched, submitTried, reloadCount,
    draftId, visibleIssues, overall,
    open, openTask, setAnswer, touch, recordFinding, photosOf, addPhoto, removePhoto, sign, signWithPin, signThumbprint, signatureState, submit, retrySaving, flush, discard,
  }
})
