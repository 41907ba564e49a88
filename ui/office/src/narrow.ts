// Whether the window is as narrow as a phone (390 px wide): descriptions then take one column.
import { onBeforeUnmount, onMounted, ref } from 'vue'

export const NARROW_PX = 640

export function useNarrow(limit = NARROW_PX) {
  const narrow = ref(typeof window !== 'undefined' && window.innerWidth < limit)
  const update = () => { narrow.value = window.innerWidth < limit }
  onMounted(() => { update(); window.addEventListener('resize', update) })
  onBeforeUnmount(() => window.removeEventListener('resize', update))
  return narrow
}
