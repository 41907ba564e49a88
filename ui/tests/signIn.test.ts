// The first sign-in over HTTPS shows the code of the certificate the app now trusts, to be
// compared with the office's, while the households download.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { SessionInfo } from '../src/bindings/SessionInfo'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  signIn: vi.fn(),
  // The download never ends here: the screen stays on it.
  syncNow: vi.fn(() => new Promise(() => {})),
  syncStatus: vi.fn(async () => null),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const SignInView = (await import('../src/views/SignInView.vue')).default

const signedIn = (code: string | null): SessionInfo => ({
  server_url: 'https://192.168.1.10:8443',
  user: { name: 'li', role: 'inspector', department: 'reform', township: null },
  signed_in: true,
  device_id: '0190a3f0-0000-7000-8000-000000000000',
  certificate_code: code,
})

async function signInWith(code: string | null) {
  vi.mocked(api.signIn).mockResolvedValue(signedIn(code))
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div />' } },
    { path: '/households', name: 'households', component: { template: '<div />' } },
  ] })
  const wrapper = mount(SignInView, { global: { plugins: [i18n, Vant, router] } })
  await wrapper.find('[data-testid="server-url"] input').setValue('https://192.168.1.10:8443')
  await wrapper.find('[data-testid="user-name"] input').setValue('li')
  await wrapper.find('[data-testid="password"] input').setValue('anju-demo')
  await wrapper.find('[data-testid="sign-in-button"]').trigger('click')
  await flushPromises()
  return wrapper
}

describe('SignInView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.signIn).mockReset()
  })

  it('shows the trusted certificate\'s code to compare after a sign-in over HTTPS', async () => {
    const wrapper = await signInWith('00C8-8D1A-715C-5FB9')
    const note = wrapper.find('[data-testid="certificate-code-first"]')
    expect(note.exists()).toBe(true)
    expect(note.text()).toContain('00C8-8D1A-715C-5FB9')
    expect(note.text()).toContain('安全与审计')
    expect(wrapper.find('[data-testid="sync-progress"]').exists()).toBe(true)
  })

  it('shows none over plain HTTP', async () => {
    const wrapper = await signInWith(null)
    expect(wrapper.find('[data-testid="sync-progress"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="certificate-code-first"]').exists()).toBe(false)
  })

  it('offers to cancel the first download', async () => {
    const wrapper = await signInWith(null)
    expect(wrapper.find('[data-testid="sign-in-sync-cancel"]').exists()).toBe(true)
  })

  it('says at once that the server cannot be reached, in the language shown', async () => {
    vi.mocked(api.signIn).mockRejectedValue({ code: 'unreachable',
      message: '服务器无法连接（已尝试1次）：请检查服务器地址和网络 / the server cannot be reached (1 attempts): check the server address', issues: [] })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] })
    const wrapper = mount(SignInView, { global: { plugins: [i18n, Vant, router] } })
    await wrapper.find('[data-testid="server-url"] input').setValue('http://10.255.255.1:8080')
    await wrapper.find('[data-testid="user-name"] input').setValue('li')
    await wrapper.find('[data-testid="password"] input').setValue('anju-demo')
    await wrapper.find('[data-testid="sign-in-button"]').trigger('click')
    await flushPromises()
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toContain('服务器无法连接')
    expect(alert.text()).not.toContain('cannot be reached')
    expect(wrapper.find('[data-testid="sign-in-button"]').classes()).not.toContain('van-button--loading')
  })
})
