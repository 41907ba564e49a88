import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import type { TeamView } from '../src/bindings/TeamView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  team: vi.fn(),
  setMemberPin: vi.fn(),
}))
const api = await import('../src/api')
const { i18n, setLocale } = await import('../src/i18n')
const TeamCard = (await import('../src/components/TeamCard.vue')).default

function team(chenPin: boolean): TeamView {
  return {
    name: '区级验收一组',
    members: [
      { account: 'chen', full_name: '陈立华', department: 'poverty', pin_set: chenPin, locked_until: null },
      { account: 'li', full_name: '李晓峰', department: 'reform', pin_set: true, locked_until: null },
      { account: 'sun', full_name: '孙志强', department: 'housing', pin_set: true, locked_until: '2026-12-06T01:00:00Z' },
    ],
    missing: ['land'],
  }
}

describe('the acceptance team on a shared phone', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('zh-CN')
    vi.mocked(api.setMemberPin).mockReset()
  })

  it('lists the members, what the team lacks and who is locked out', async () => {
    vi.mocked(api.team).mockResolvedValue(team(false))
    const wrapper = mount(TeamCard, { global: { plugins: [i18n, Vant] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.text()).toContain('区级验收一组')
    expect(wrapper.text()).toContain('尚缺：国土局')
    expect(wrapper.find('[data-testid="team-member-chen"]').text()).toContain('扶贫办')
    expect(wrapper.find('[data-testid="set-pin-chen"]').text()).toBe('设置PIN')
    expect(wrapper.find('[data-testid="set-pin-li"]').text()).toBe('修改PIN')
    expect(wrapper.find('[data-testid="team-member-sun"]').text()).toContain('PIN已锁定')
    wrapper.unmount()
  })

  it('says so when the phone holds no team', async () => {
    vi.mocked(api.team).mockResolvedValue(null)
    const wrapper = mount(TeamCard, { global: { plugins: [i18n, Vant] } })
    await flushPromises()
    expect(wrapper.find('[data-testid="team-none"]').text()).toContain('不在验收组中')
    wrapper.unmount()
  })

  it('a member sets a PIN with their own password; a mismatch is caught before asking the office', async () => {
    vi.mocked(api.team).mockResolvedValue(team(false))
    vi.mocked(api.setMemberPin).mockResolvedValue(team(true))
    const wrapper = mount(TeamCard, { global: { plugins: [i18n, Vant] }, attachTo: document.body })
    await flushPromises()
    await wrapper.find('[data-testid="set-pin-chen"]').trigger('click')
    await flushPromises()
    const input = (id: string) => document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input, input[data-testid="${id}"]`)
    const type = async (id: string, value: string) => {
      const el = input(id)
      if (!el) throw new Error(`no ${id}`)
      el.value = value
      el.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    const save = () => document.querySelector<HTMLButtonElement>('[data-testid="member-pin-save"]')?.click()
    await type('member-password', '演示密码')
    await type('member-pin', '864213')
    await type('member-pin-again', '864214')
    save()
    await flushPromises()
    expect(document.querySelector('[data-testid="member-pin-error"]')?.textContent).toBe('两次输入的PIN不一致')
    expect(api.setMemberPin).not.toHaveBeenCalled()
    await type('member-pin-again', '864213')
    save()
    await flushPromises()
    expect(api.setMemberPin).toHaveBeenCalledWith('chen', '演示密码', '864213')
    expect(wrapper.find('[data-testid="set-pin-chen"]').text()).toBe('修改PIN')
    wrapper.unmount()
  })
})
