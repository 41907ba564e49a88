import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { TeamView } from '../src/bindings/TeamView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  teams: vi.fn(),
  setTeam: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const TeamsCard = (await import('../src/components/TeamsCard.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const team: TeamView = {
  id: 't1', name: '区级验收一组', missing: ['住建局'],
  members: [
    { account: 'chen', full_name: '陈立华', department: '扶贫办', pin_set_at: '2026-12-05T02:00:00Z' },
    { account: 'zhao', full_name: '赵国平', department: '国土局', pin_set_at: null },
  ],
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('the district acceptance teams', () => {
  it('shows each team, what it lacks and whose PIN is set, never a PIN', async () => {
    vi.mocked(api.teams).mockResolvedValue([team])
    const wrapper = mount(TeamsCard, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await flushPromises()
    const card = wrapper.find('[data-testid="team-区级验收一组"]')
    expect(card.text()).toContain('尚缺：住建局')
    expect(card.find('[data-testid="pin-set-chen"]').text()).toMatch(/^已设置（2026-12-05/)
    expect(card.find('[data-testid="pin-missing-zhao"]').text()).toBe('尚未设置')
    wrapper.unmount()
  })

  it('sets a team from member logins separated as people type them', async () => {
    vi.mocked(api.teams).mockResolvedValue([])
    vi.mocked(api.setTeam).mockResolvedValue(team)
    const wrapper = mount(TeamsCard, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.text()).toContain('尚无验收组')
    await wrapper.find('[data-testid="team-new"]').trigger('click')
    await flushPromises()
    const type = async (id: string, value: string) => {
      const el = document.querySelector<HTMLInputElement>(`input[data-testid="${id}"], [data-testid="${id}"] input`)
      if (!el) throw new Error(`no ${id}`)
      el.value = value
      el.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    await type('team-name', ' 区级验收一组 ')
    await type('team-members', 'chen，li、zhao  sun')
    document.querySelector<HTMLButtonElement>('[data-testid="team-save"]')?.click()
    await flushPromises()
    expect(api.setTeam).toHaveBeenCalledWith({ name: '区级验收一组', members: ['chen', 'li', 'zhao', 'sun'] })
    wrapper.unmount()
  })
})
