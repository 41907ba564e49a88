import { describe, expect, it, vi } from 'vitest'
import type { Answer } from '../src/bindings/Answer'
import type { DraftState } from '../src/bindings/DraftState'
import { SaveQueue, type SaveStatus } from '../src/form/saveQueue'

function state(revision: number): DraftState {
  return { draft_id: 'd1', revision, updated_at: '2024-01-01T00:00:00Z', issues: [], progress: [], hidden: [], signatures: [] }
}

const text = (value: string): Answer => ({ type: 'text', value })

interface Call { key: string, answer: Answer | null, revision: number, resolve: (s: DraftState) => void, reject: (e: unknown) => void }

/** A fake save_answer whose calls the test answers one by one. */
function fakeSend() {
  const calls: Call[] = []
  const send = vi.fn((key: string, answer: Answer | null, revision: number) =>
    new Promise<DraftState>((resolve, reject) => { calls.push({ key, answer, revision, resolve, reject }) }))
  return { calls, send }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('SaveQueue', () => {
  it('sends one save at a time, each with the revision the last one returned', async () => {
    const { calls, send } = fakeSend()
    const queue = new SaveQueue({ revision: 5, send })
    queue.save('a', text('1'))
    queue.save('b', text('2'))
    await tick()
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ key: 'a', revision: 5 })
    calls[0].resolve(state(6))
    await tick()
    expect(calls).toHaveLength(2)
    expect(calls[1]).toMatchObject({ key: 'b', revision: 6 })
    calls[1].resolve(state(7))
    await queue.idle()
    expect(queue.currentRevision).toBe(7)
    expect(send).toHaveBeenCalledTimes(2)
  })

  it('sends only the latest value of a key changed while a save is in flight', async () => {
    const { calls, send } = fakeSend()
    const queue = new SaveQueue({ revision: 1, send })
    queue.save('name', text('张'))
    await tick()
    queue.save('name', text('张三'))
    queue.save('name', text('张三丰'))
    queue.save('other', text('x'))
    calls[0].resolve(state(2))
    await tick()
    expect(calls[1]).toMatchObject({ key: 'name', answer: text('张三丰'), revision: 2 })
    calls[1].resolve(state(3))
    await tick()
    expect(calls[2]).toMatchObject({ key: 'other', revision: 3 })
    calls[2].resolve(state(4))
    await queue.idle()
    expect(calls).toHaveLength(3)
  })

  it('reports saving while anything is pending, then saved', async () => {
    const { calls, send } = fakeSend()
    const statuses: SaveStatus[] = []
    const states: number[] = []
    const queue = new SaveQueue({ revision: 1, send, onStatus: (s) => statuses.push(s), onState: (s) => states.push(s.revision) })
    expect(queue.currentStatus).toBe('saved')
    queue.save('a', text('1'))
    expect(queue.currentStatus).toBe('saving')
    await tick()
    queue.save('a', text('2'))
    calls[0].resolve(state(2))
    await tick()
    expect(queue.currentStatus).toBe('saving')
    calls[1].resolve(state(3))
    await queue.idle()
    expect(queue.currentStatus).toBe('saved')
    expect(statuses).toEqual(['saving', 'saved'])
    expect(states).toEqual([2, 3])
  })

  it('reports an error, keeps the value and sends it again on retry', async () => {
    const { calls, send } = fakeSend()
    const queue = new SaveQueue({ revision: 1, send })
    queue.save('a', text('1'))
    await tick()
    calls[0].reject({ code: 'store', message: '磁盘已满 / Disk full', issues: [] })
    await queue.idle()
    expect(queue.currentStatus).toBe('error')
    expect(queue.lastError?.code).toBe('store')
    expect(queue.pendingKeys).toEqual(['a'])
    queue.retry()
    await tick()
    expect(calls[1]).toMatchObject({ key: 'a', answer: text('1'), revision: 1 })
    calls[1].resolve(state(2))
    await queue.idle()
    expect(queue.currentStatus).toBe('saved')
    expect(queue.lastError).toBeNull()
  })

  it('does not resend an old value when a newer one came while the failing save was in flight', async () => {
    const { calls, send } = fakeSend()
    const queue = new SaveQueue({ revision: 1, send })
    queue.save('a', text('old'))
    await tick()
    queue.save('a', text('new'))
    calls[0].reject('offline')
    await queue.idle()
    expect(queue.pendingValue('a')).toEqual(text('new'))
  })

  it('on stale_revision reloads, then sends the pending values with the reloaded revision', async () => {
    const { calls, send } = fakeSend()
    const reload = vi.fn(async () => 40)
    const queue = new SaveQueue({ revision: 3, send, reload })
    queue.save('a', text('1'))
    queue.save('b', text('2'))
    await tick()
    calls[0].reject({ code: 'stale_revision', message: '已过期 / stale', issues: [] })
    await tick(); await tick()
    expect(reload).toHaveBeenCalledTimes(1)
    expect(calls[1]).toMatchObject({ key: 'a', answer: text('1'), revision: 40 })
    calls[1].resolve(state(41))
    await tick()
    expect(calls[2]).toMatchObject({ key: 'b', revision: 41 })
    calls[2].resolve(state(42))
    await queue.idle()
    expect(queue.currentStatus).toBe('saved')
  })

  it('gives up after repeated stale revisions instead of looping', async () => {
    const send = vi.fn(async () => { throw { code: 'stale_revision', message: 'x', issues: [] } })
    const reload = vi.fn(async () => 1)
    const queue = new SaveQueue({ revision: 1, send, reload })
    queue.save('a', text('1'))
    await queue.idle()
    expect(queue.currentStatus).toBe('error')
    expect(reload).toHaveBeenCalledTimes(3)
    expect(send).toHaveBeenCalledTimes(4)
  })

  it('runs operations after the pending answers, with the current revision', async () => {
    const { calls, send } = fakeSend()
    const queue = new SaveQueue({ revision: 1, send })
    const seen: number[] = []
    queue.save('a', text('1'))
    const done = queue.perform(async (revision) => { seen.push(revision); return state(revision + 1) })
    await tick()
    expect(seen).toEqual([])
    calls[0].resolve(state(2))
    await done
    expect(seen).toEqual([2])
    expect(queue.currentRevision).toBe(3)
  })

  it('rejects a failing operation with a CommandError and goes on', async () => {
    const send = vi.fn(async (_k: string, _a: Answer | null, revision: number) => state(revision + 1))
    const queue = new SaveQueue({ revision: 1, send })
    await expect(queue.perform(async () => { throw '照片损坏 / Bad photo' })).rejects.toEqual({ code: 'unknown', message: '照片损坏 / Bad photo', issues: [] })
    queue.save('a', text('1'))
    await queue.idle()
    expect(queue.currentStatus).toBe('saved')
    expect(queue.currentRevision).toBe(2)
  })
})
