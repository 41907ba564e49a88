// Location as evidence: reasons, fixes, the shared watch, distance and the words shown.
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as geo from '../src/geo'

type Success = (p: GeolocationPosition) => void
type Failure = (e: GeolocationPositionError) => void

function position(latitude: number, longitude: number, accuracy = 12, timestamp = Date.now()): GeolocationPosition {
  return { coords: { latitude, longitude, accuracy, altitude: null, altitudeAccuracy: null, heading: null, speed: null }, timestamp } as GeolocationPosition
}

/** What an end-to-end test injects into the webview, as a fake. */
function install(getCurrentPosition: (ok: Success, fail: Failure, options?: PositionOptions) => void) {
  const watch = { ok: null as Success | null, fail: null as Failure | null }
  const fake = {
    getCurrentPosition: vi.fn(getCurrentPosition),
    watchPosition: vi.fn((ok: Success, fail: Failure) => { watch.ok = ok; watch.fail = fail; return 7 }),
    clearWatch: vi.fn(),
  }
  Object.defineProperty(navigator, 'geolocation', { value: fake, configurable: true })
  return { fake, watch }
}

afterEach(() => {
  Object.defineProperty(navigator, 'geolocation', { value: undefined, configurable: true })
  geo.currentFix.value = null
})

describe('geo', () => {
  it('maps the error codes to reasons', () => {
    expect(geo.reasonOf({ code: 1 })).toBe('denied')
    expect(geo.reasonOf({ code: 2 })).toBe('unavailable')
    expect(geo.reasonOf({ code: 3 })).toBe('timeout')
    expect(geo.reasonOf(new Error('x'))).toBe('unavailable')
  })

  it('answers unavailable without a geolocation API', async () => {
    expect(await geo.getFix()).toEqual({ kind: 'no_fix', reason: 'unavailable' })
  })

  it('asks with high accuracy, a time-out and a maximum age, and records the fix', async () => {
    const { fake } = install((ok) => ok(position(31.765, 116.51, 12.4, Date.UTC(2026, 11, 5, 2))))
    const fix = await geo.getFix()
    expect(fix).toEqual({ kind: 'position', latitude: 31.765, longitude: 116.51, accuracy_m: 12.4, fixed_at: '2026-12-05T02:00:00.000Z' })
    expect(fake.getCurrentPosition.mock.calls[0][2]).toEqual({ enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 })
    if (fix.kind !== 'position') throw new Error('no fix')
    expect(geo.formatPosition(fix)).toBe('31.7650°N 116.5100°E ±12 m')
    expect(geo.formatPosition({ ...fix, latitude: -33.9, longitude: -70.6 })).toBe('33.9000°S 70.6000°W ±12 m')
  })

  it('records a refusal and a time-out with their reasons', async () => {
    install((_ok, fail) => fail({ code: 1 } as GeolocationPositionError))
    expect(await geo.getFix()).toEqual({ kind: 'no_fix', reason: 'denied' })
    install((_ok, fail) => fail({ code: 3 } as GeolocationPositionError))
    expect(await geo.getFix()).toEqual({ kind: 'no_fix', reason: 'timeout' })
    install((ok) => ok(position(Number.NaN, 1)))
    expect(await geo.getFix()).toEqual({ kind: 'no_fix', reason: 'unavailable' })
  })

  it('gives up when the webview never answers', async () => {
    vi.useFakeTimers()
    install(() => {})
    const pending = geo.getFix(1000)
    await vi.advanceTimersByTimeAsync(2000)
    expect(await pending).toEqual({ kind: 'no_fix', reason: 'timeout' })
    vi.useRealTimers()
  })

  it('shares one watch and uses its fresh fix for a capture', async () => {
    const { fake, watch } = install((ok) => ok(position(1, 1)))
    geo.startWatch()
    geo.startWatch()
    expect(fake.watchPosition).toHaveBeenCalledTimes(1)
    watch.ok?.(position(31.765, 116.51))
    expect(await geo.fixForCapture()).toMatchObject({ kind: 'position', latitude: 31.765 })
    expect(fake.getCurrentPosition).not.toHaveBeenCalled()
    // A time-out of the watch keeps a fresh position; a refusal replaces it.
    watch.fail?.({ code: 3 } as GeolocationPositionError)
    expect(geo.currentFix.value).toMatchObject({ kind: 'position' })
    watch.fail?.({ code: 1 } as GeolocationPositionError)
    expect(geo.currentFix.value).toEqual({ kind: 'no_fix', reason: 'denied' })
    // A refusal stands: asking again would be refused again.
    expect(await geo.fixForCapture()).toEqual({ kind: 'no_fix', reason: 'denied' })
    expect(fake.getCurrentPosition).not.toHaveBeenCalled()
    // After a time-out the capture asks again.
    watch.fail?.({ code: 3 } as GeolocationPositionError)
    expect(await geo.fixForCapture()).toMatchObject({ kind: 'position', latitude: 1 })
    geo.stopWatch()
    expect(fake.clearWatch).not.toHaveBeenCalled()
    geo.stopWatch()
    expect(fake.clearWatch).toHaveBeenCalledWith(7)
  })

  it('does not wait again once a silent watch has used up its time-out', async () => {
    vi.useFakeTimers()
    const { fake } = install(() => {})
    geo.startWatch()
    await vi.advanceTimersByTimeAsync(geo.FIX_TIMEOUT_MS + 1)
    expect(await geo.fixForCapture()).toEqual({ kind: 'no_fix', reason: 'timeout' })
    expect(fake.getCurrentPosition).not.toHaveBeenCalled()
    geo.stopWatch()
    vi.useRealTimers()
  })

  it('measures the distance to the house as the office does', () => {
    const house = { latitude: 31.765, longitude: 116.51 }
    expect(geo.distanceM(house, { latitude: 31.766, longitude: 116.51 })).toBeCloseTo(111.19, 1)
    const far: geo.PositionFix = { kind: 'position', latitude: 31.768, longitude: 116.51, accuracy_m: 5, fixed_at: '2026-12-05T02:00:00Z' }
    expect(geo.distanceToHouse(far, house)).toBe(334)
    expect(geo.distanceToHouse(far, null)).toBeNull()
    expect(geo.distanceToHouse({ kind: 'no_fix', reason: 'denied' }, house)).toBeNull()
    expect(geo.formatCameraTime('2026-05-03T10:12:40')).toBe('2026-05-03 10:12')
  })
})
