import { computed, shallowRef } from 'vue'
import { useAsync } from '@shared/composables/useAsync'
import type { Page } from '../api/types'

// A list paged by the API's cursors (`next_after`): forward with the cursor
// of the page shown, back along the cursors already walked. A new filter or
// sort starts again at the first page.
export function useCursorList<T>(fetchPage: (after: string | undefined, signal: AbortSignal) => Promise<Page<T>>) {
  const cursors = shallowRef<(string | undefined)[]>([undefined])
  const state = useAsync((signal) => fetchPage(cursors.value[cursors.value.length - 1], signal))

  const items = computed(() => state.data.value?.items ?? [])
  const page = computed(() => cursors.value.length)
  const hasNext = computed(() => Boolean(state.data.value?.next_after))
  const hasPrevious = computed(() => cursors.value.length > 1)

  async function next() {
    const after = state.data.value?.next_after
    if (!after) return
    cursors.value = [...cursors.value, after]
    await state.run()
  }

  async function previous() {
    if (cursors.value.length < 2) return
    cursors.value = cursors.value.slice(0, -1)
    await state.run()
  }

  async function reset() {
    cursors.value = [undefined]
    await state.run()
  }

  return { ...state, items, page, hasNext, hasPrevious, next, previous, reset, reload: state.run }
}
