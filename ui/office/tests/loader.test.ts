import { describe, expect, it } from 'vitest'
import { useLoader } from '../src/loader'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('useLoader', () => {
  it('keeps the answer, and says it is loading meanwhile', async () => {
    const answer = deferred<number>()
    const seen: number[] = []
    const { data, loading, error, load } = useLoader(() => answer.promise, (v) => seen.push(v))
    const done = load()
    expect(loading.value).toBe(true)
    answer.resolve(7)
    await done
    expect([data.value, loading.value, error.value, seen]).toEqual([7, false, null, [7]])
  })

  it('keeps the error for the page to show, and clears it on the next try', async () => {
    let fail = true
    const { data, error, load } = useLoader(async () => {
      if (fail) throw new Error('office unreachable')
      return 'ok'
    })
    await load()
    expect((error.value as Error).message).toBe('office unreachable')
    expect(data.value).toBeNull()
    fail = false
    await load()
    expect([data.value, error.value]).toEqual(['ok', null])
  })

  it('drops an earlier request that answers after a later one', async () => {
    const first = deferred<string>()
    const second = deferred<string>()
    const answers = [first, second]
    const { data, loading, load } = useLoader(() => answers.shift()!.promise)
    const a = load()
    const b = load()
    second.resolve('new filter')
    await b
    first.resolve('old filter')
    await a
    expect(data.value).toBe('new filter')
    expect(loading.value).toBe(false)
  })
})
