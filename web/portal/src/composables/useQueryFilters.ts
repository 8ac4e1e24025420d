import { computed } from 'vue'
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router'

// A list's filters live in the address (so a dashboard number links to the
// list behind it, and back/forward and bookmarks work): read from the
// route's query, written with router.replace.
export function useQueryFilters<K extends string>(keys: readonly K[]) {
  const route = useRoute()
  const router = useRouter()

  const values = computed(() => {
    const out = {} as Record<K, string>
    for (const k of keys) {
      const v = route.query[k]
      out[k] = typeof v === 'string' ? v : ''
    }
    return out
  })

  async function set(changes: Partial<Record<K, string>>) {
    const query: LocationQueryRaw = { ...route.query }
    for (const [k, v] of Object.entries(changes) as [K, string | undefined][]) {
      if (v) query[k] = v
      else delete query[k]
    }
    await router.replace({ query })
  }

  return { values, set }
}
