// A page's data as the office sends it: loading, the error to show (LoadError offers a
// retry), and only the latest request's answer kept when filters change quickly.
import { ref, type Ref } from 'vue'

export interface Loader<T> {
  data: Ref<T | null>
  loading: Ref<boolean>
  error: Ref<unknown>
  /** Ask again; an answer to an earlier request that arrives later is dropped. */
  load: () => Promise<void>
}

/** `fetch` asks the office; `onLoaded` sees each answer that is kept (before `data` is set). */
export function useLoader<T>(fetch: () => Promise<T>, onLoaded?: (value: T) => void): Loader<T> {
  const data = ref(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref<unknown>(null)
  let serial = 0
  async function load(): Promise<void> {
    const mine = ++serial
    loading.value = true
    error.value = null
    try {
      const value = await fetch()
      if (mine === serial) {
        onLoaded?.(value)
        data.value = value
      }
    } catch (e) {
      if (mine === serial) error.value = e
    } finally {
      if (mine === serial) loading.value = false
    }
  }
  return { data, loading, error, load }
}
