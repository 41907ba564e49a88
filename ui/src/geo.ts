// Location as evidence: the device's position fix for each photo and each submission, through
// the webview's navigator.geolocation (WebKitGTK asks GeoClue on Linux; on Android and iOS the
// system WebView asks the platform, see docs/field-app-commands.md). A watch runs while a form
// with photo items is open, so a fix is ready when the shutter is pressed; with no fix the
// reason (denied, time-out, unavailable) is recorded instead.
//
// Tests inject positions by replacing navigator.geolocation's getCurrentPosition and
// watchPosition before the form opens (see the snippet in docs/field-app-commands.md).
import { ref, type Ref } from 'vue'
import type { Coordinates } from './bindings/Coordinates'
import type { Fix } from './bindings/Fix'
import type { NoFixReason } from './bindings/NoFixReason'

/** How long a capture or a submission waits for a fix before it records 超时. */
export const FIX_TIMEOUT_MS = 10_000
/** A fix this young is used as it is. */
export const FIX_MAX_AGE_MS = 60_000
/** Submitting waits less: the watch normally has a fix already. */
export const SUBMIT_TIMEOUT_MS = 3_000

export type PositionFix = Extract<Fix, { kind: 'position' }>

const OPTIONS: PositionOptions = { enableHighAccuracy: true, timeout: FIX_TIMEOUT_MS, maximumAge: FIX_MAX_AGE_MS }

/** GeolocationPositionError's codes: 1 PERMISSION_DENIED, 2 POSITION_UNAVAILABLE, 3 TIMEOUT. */
export function reasonOf(error: unknown): NoFixReason {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 1) return 'denied'
  if (code === 3) return 'timeout'
  return 'unavailable'
}

/** The fix as Rust records it; `null` when the browser gave numbers that are not a place. */
export function toFix(position: GeolocationPosition): Fix | null {
  const { latitude, longitude, accuracy } = position.coords
  const ok = Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90
    && Math.abs(longitude) <= 180 && Number.isFinite(accuracy) && accuracy >= 0 && accuracy <= 100_000
  if (!ok) return null
  const at = Number.isFinite(position.timestamp) ? position.timestamp : Date.now()
  return { kind: 'position', latitude, longitude, accuracy_m: accuracy, fixed_at: new Date(at).toISOString() }
}

const noFix = (reason: NoFixReason): Fix => ({ kind: 'no_fix', reason })

function geolocation(): Geolocation | null {
  return typeof navigator !== 'undefined' && navigator.geolocation ? navigator.geolocation : null
}

/** One fix now (or the reason there is none); never rejects. */
export function getFix(timeoutMs = FIX_TIMEOUT_MS): Promise<Fix> {
  const geo = geolocation()
  if (!geo) return Promise.resolve(noFix('unavailable'))
  return new Promise((resolve) => {
    let done = false
    const finish = (fix: Fix) => {
      if (done) return
      done = true
      clearTimeout(guard)
      resolve(fix)
    }
    // Some webviews never call back when the permission prompt is left open.
    const guard = setTimeout(() => finish(noFix('timeout')), timeoutMs + 500)
    try {
      geo.getCurrentPosition(
        (position) => finish(toFix(position) ?? noFix('unavailable')),
        (error) => finish(noFix(reasonOf(error))),
        { ...OPTIONS, timeout: timeoutMs },
      )
    } catch {
      finish(noFix('unavailable'))
    }
  })
}

/** The latest fix of the watch (or the reason it has none); `null` before the first answer. */
export const currentFix: Ref<Fix | null> = ref(null)
let watchers = 0
let watchId: number | null = null
/** When the watch started (ms): a watch silent for a whole time-out has answered 超时. */
let watchStartedAt: number | null = null

/** Starts the shared watch (counted: each caller stops it once). */
export function startWatch() {
  watchers += 1
  if (watchId !== null) return
  watchStartedAt = Date.now()
  const geo = geolocation()
  if (!geo) {
    currentFix.value = noFix('unavailable')
    return
  }
  try {
    watchId = geo.watchPosition(
      (position) => { currentFix.value = toFix(position) ?? noFix('unavailable') },
      (error) => {
        // A watch's time-out only means no new position yet: a good fix is kept until it ages.
        if (currentFix.value?.kind === 'position' && reasonOf(error) === 'timeout' && fresh(currentFix.value)) return
        currentFix.value = noFix(reasonOf(error))
      },
      OPTIONS,
    )
  } catch {
    currentFix.value = noFix('unavailable')
  }
}

export function stopWatch() {
  watchers = Math.max(0, watchers - 1)
  if (watchers > 0 || watchId === null) return
  geolocation()?.clearWatch(watchId)
  watchId = null
  watchStartedAt = null
}

function fresh(fix: Fix, now = Date.now()): boolean {
  return fix.kind === 'position' && now - Date.parse(fix.fixed_at) <= FIX_MAX_AGE_MS
}

/**
 * The fix for a photo just taken: the watch's when it is fresh; its refusal or unavailability
 * as it stands (asking again would get the same answer); else one asked for now, waiting no
 * longer than the watch has left of its time-out, so a silent webview delays no photo twice.
 */
export async function fixForCapture(timeoutMs = FIX_TIMEOUT_MS): Promise<Fix> {
  const known = currentFix.value
  if (known && fresh(known)) return known
  if (known?.kind === 'no_fix' && known.reason !== 'timeout') return known
  let wait = timeoutMs
  if (known === null && watchStartedAt !== null) {
    wait = Math.min(timeoutMs, FIX_TIMEOUT_MS - (Date.now() - watchStartedAt))
    if (wait <= 0) return noFix('timeout')
  }
  const fix = await getFix(wait)
  currentFix.value = fix
  return fix
}

/** The fix for a submission: the same, waiting less. */
export const fixForSubmit = () => fixForCapture(SUBMIT_TIMEOUT_MS)

const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle distance in metres (haversine), as anju_core::location computes it. */
export function distanceM(a: Coordinates, b: Coordinates): number {
  const rad = (d: number) => (d * Math.PI) / 180
  const dPhi = rad(b.latitude - a.latitude)
  const dLambda = rad(b.longitude - a.longitude)
  const h = Math.sin(dPhi / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLambda / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Metres from the house, rounded, when there is a fix and the house has coordinates. */
export function distanceToHouse(fix: Fix | null | undefined, house: Coordinates | null | undefined): number | null {
  if (!fix || fix.kind !== 'position' || !house) return null
  return Math.round(distanceM(fix, house))
}

/** `31.7650°N 116.5100°E ±12 m`, as the watermark writes it. */
export function formatPosition(fix: PositionFix): string {
  const ns = fix.latitude >= 0 ? 'N' : 'S'
  const ew = fix.longitude >= 0 ? 'E' : 'W'
  return `${Math.abs(fix.latitude).toFixed(4)}°${ns} ${Math.abs(fix.longitude).toFixed(4)}°${ew} ±${Math.round(fix.accuracy_m)} m`
}

/** A gallery photo's camera time (`2026-05-03T10:12:40`) as `2026-05-03 10:12`. */
export function formatCameraTime(time: string): string {
  return time.replace('T', ' ').slice(0, 16)
}
