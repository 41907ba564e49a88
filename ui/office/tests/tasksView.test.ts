import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TaskList } from '../src/bindings/TaskList'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  tasks: vi.fn(),
  planVisits: vi.fn(),
  places: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const TasksView = (await import('../src/views/TasksView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

type Row = TaskList['rows'][number]
const row = (over: Partial<Row>): Row => ({
  id: 't1', visit: 'demolition', visit_label: { zh: '旧房拆除核实', en: 'Demolition check' }, household_id: 'h1',
  household_number: '010001', head_name: '郑怀圣', township: '东河口镇', assignee: { zh: '李检查（区扶贫办）', en: 'Li' },
  due_on: '2026-12-15', state: 'open', overdue: false, days_left: 10, instructions: '拍摄同一位置前后照片',
  finding_description: null, outcome: null, planned_by: null, done_at: null, ...over,
})

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'tasks', component: { template: '<div />' } },
    { path: '/h/:id', name: 'household', component: { template: '<div />' } },
  ] })
  return mount(TasksView, { global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('TasksView', () => {
  it('lists planned visits and re-checks, overdue ones red, and says how many are open and late', async () => {
    vi.mocked(api.places).mockResolvedValue({ townships: [], sites: [], inspectors: [], sample_rule: null } as never)
    vi.mocked(api.tasks).mockResolvedValue({
      rows: [
        row({ id: 't1', overdue: true, days_left: -3 }),
        row({ id: 't2', visit: 'recheck', finding_description: '排水沟未通', instructions: null }),
        row({ id: 't3', state: 'done', outcome: 'confirmed', visit: 'recheck' }),
      ],
      open: 2, overdue: 1, damaged: [],
    })
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="tasks-summary"]').text()).toBe('未完成 2 项，逾期 1 项')
    const states = wrapper.findAll('[data-testid="task-state"]')
    expect(states.map((s) => s.text())).toEqual(['逾期 3 天', '还剩 10 天', '已完成'])
    const rows = wrapper.findAll('.el-table__body tr.el-table__row')
    expect(rows[0].classes()).toContain('row-overdue')
    expect(rows[1].classes()).not.toContain('row-overdue')
    expect(wrapper.findAll('[data-testid="task-visit"]').map((v) => v.text())).toEqual(['旧房拆除核实', '整改复查', '整改复查'])
    expect(rows[1].text()).toContain('排水沟未通')
    wrapper.unmount()
  })

  it('plans a visit for the households listed, and says which were planned already', async () => {
    vi.mocked(api.places).mockResolvedValue({
      townships: [], sites: [], sample_rule: null,
      inspectors: [{ name: 'li', display: { zh: '李检查（区扶贫办）', en: 'Li' } }],
    } as never)
    vi.mocked(api.tasks).mockResolvedValue({ rows: [], open: 0, overdue: 0, damaged: [] })
    vi.mocked(api.planVisits).mockResolvedValue({ planned: 1, already_open: ['010002'] })
    const wrapper = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="plan-visits"]').trigger('click')
    await flushPromises()
    const confirm = () => document.querySelector<HTMLButtonElement>('[data-testid="plan-confirm"]')
    expect(confirm()?.disabled).toBe(true)
    const vm = wrapper.vm as unknown as { plan: { inspector: string; households: string; due_on: string; instructions: string } }
    Object.assign((wrapper.vm as unknown as { $: { setupState: typeof vm } }).$.setupState.plan, {
      inspector: 'li', households: '010001，010002', due_on: '2026-12-20', instructions: ' 拍前后照片 ',
    })
    await flushPromises()
    expect(confirm()?.disabled).toBe(false)
    confirm()?.click()
    await flushPromises()
    expect(api.planVisits).toHaveBeenCalledWith({
      visit: 'demolition', inspector: 'li', households: ['010001', '010002'], due_on: '2026-12-20', instructions: '拍前后照片',
    })
    expect(document.body.textContent).toContain('010002 已有同类未完成任务')
    wrapper.unmount()
  })
})
