// Every change is written as it is made, but at most one write is in flight per draft: the
// Rust side refuses a write whose expected revision is not the current one, so writes must go
// one after another, each with the revision the previous one returned. Changes that arrive
// while a write is in flight are coalesced per key: only the latest value is sent.
import type { Answer } from '../bindings/Answer'
import type { CommandError } from '../bindings/CommandError'
import type { DraftState } from '../bindings/DraftState'
import { toCommandError } from '../api'

export type SaveStatus = 'saved' | 'saving' | 'error'

export interface SaveQueueOptions {
  revision: number
  send: (key: string, answer: Answer | null, expectedRevision: number) => Promise<DraftState>
  /** Called after each successful write (and operation) with the new state. */
  onState?: (state: DraftState) => void
  onStatus?: (status: SaveStatus, error: CommandError | null) => void
  /** On stale_revision: reload the draft and return its revision; pending values are then re-sent. */
  reload?: () => Promise<number>
}

interface Operation {
  run: (revision: number) => Promise<DraftState>
  resolve: () => void
  reject: (error: CommandError) => void
}

const MAX_RELOADS_IN_A_ROW = 3

export class SaveQueue {
  private revision: number
  private readonly pending = new Map<string, Answer | null>()
  private readonly operations: Operation[] = []
  private running = false
  private status: SaveStatus = 'saved'
  private error: CommandError | null = null
  private idleWaiters: Array<() => void> = []

  constructor(private readonly options: SaveQueueOptions) {
    this.revision = options.revision
  }

  get currentRevision() { return this.revision }
  get currentStatus() { return this.status }
  get lastError() { return this.error }
  /** Keys whose latest value is not written yet. */
  get pendingKeys(): string[] { return [...this.pending.keys()] }
  hasPending(key: string) { return this.pending.has(key) }
  pendingValue(key: string) { return this.pending.get(key) }

  /** Records the latest value of an item and writes it as soon as the queue is free. */
  save(key: string, answer: Answer | null) {
    this.pending.set(key, answer)
    void this.pump()
  }

  /**
   * Runs a write that is not an answer (photo, signature) in the same line, after the pending
   * answers, so a signature covers what was typed before it. Resolves when it is written.
   */
  perform(run: (revision: number) => Promise<DraftState>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.operations.push({ run, resolve, reject })
      void this.pump()
    })
  }

  /** Sends again what failed (after an error). */
  retry() { void this.pump() }

  /** Resolves once nothing is pending or in flight (or the queue stopped on an error). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** A revision learnt elsewhere (the draft was reopened). */
  setRevision(revision: number) { this.revision = revision }

  private setStatus(status: SaveStatus, error: CommandError | null) {
    this.status = status
    this.error = error
    this.options.onStatus?.(status, error)
  }

  private accept(state: DraftState) {
    this.revision = state.revision
    this.options.onState?.(state)
  }

  private async pump() {
    if (this.running) return
    if (this.pending.size === 0 && this.operations.length === 0) return
    this.running = true
    this.setStatus('saving', null)
    let reloads = 0
    let failure: CommandError | null = null
    try {
      while (this.pending.size > 0 || this.operations.length > 0) {
        if (this.pending.size > 0) {
          const [key, answer] = this.pending.entries().next().value as [string, Answer | null]
          this.pending.delete(key)
          try {
            this.accept(await this.options.send(key, answer, this.revision))
            reloads = 0
          } catch (raw) {
            const error = toCommandError(raw)
            // Keep the value unless a newer one came in meanwhile.
            if (!this.pending.has(key)) this.restore(key, answer)
            if (error.code === 'stale_revision' && this.options.reload && reloads < MAX_RELOADS_IN_A_ROW) {
              reloads += 1
              try {
                this.revision = await this.options.reload()
                continue
              } catch (reloadError) {
                failure = toCommandError(reloadError)
                break
              }
            }
            failure = error
            break
          }
        } else {
          const operation = this.operations.shift() as Operation
          try {
            this.accept(await operation.run(this.revision))
            operation.resolve()
          } catch (raw) {
            // An operation's failure is its caller's to show; the answers go on.
            operation.reject(toCommandError(raw))
          }
        }
      }
    } finally {
      this.running = false
      this.setStatus(failure ? 'error' : 'saved', failure)
      const waiters = this.idleWaiters
      this.idleWaiters = []
      waiters.forEach((w) => w())
    }
  }

  /** Puts a value back at the front so it is the next one sent. */
  private restore(key: string, answer: Answer | null) {
    const rest = [...this.pending.entries()]
    this.pending.clear()
    this.pending.set(key, answer)
    rest.forEach(([k, v]) => this.pending.set(k, v))
  }
}
