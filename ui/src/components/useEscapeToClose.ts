// A viewer that covers the screen closes with Esc on a desktop keyboard (on a phone it
// closes by a tap). The listener is there only while the viewer is open.
import { onBeforeUnmount, watch, type Ref } from 'vue'

export function useEscapeToClose(open: Ref<boolean>) {
  function onKey(event: KeyboardEvent) {
    if (event.key === 'Escape' || event.key === 'Esc') open.value = false
  }
  watch(open, (now) => {
    if (now) window.addEventListener('keydown', onKey)
    else window.removeEventListener('keydown', onKey)
  })
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
