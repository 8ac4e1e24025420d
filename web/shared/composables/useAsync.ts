import { shallowRef, type Ref, type ShallowRef } from 'vue'

export interface AsyncState<T> {
  data: ShallowRef<T | undefined>
  error: Ref<unknown>
  loading: Ref<boolean>
  run: () => Promise<void>
}

// One loader with its loading and error state; a newer run wins over an
// older one still in flight (fast filter typing must not show stale rows).
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>): AsyncState<T> {
  const data = shallowRef<T>()
  const error = shallowRef<unknown>()
  const loading = shallowRef(false)
  let current: AbortController | undefined

  async function run() {
    current?.abort()
    const controller = new AbortController()
    current = controller
    loading.value = true
    error.value = undefined
    try {
      const value = await load(controller.signal)
      if (current === controller) data.value = value
    } catch (e) {
      if (current === controller && !(e instanceof DOMException && e.name === 'AbortError')) error.value = e
    } finally {
      if (current === controller) loading.value = false
    }
  }

  return { data, error, loading, run }
}
