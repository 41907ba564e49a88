import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TaskView } from '../src/bindings/TaskView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  listTasks: vi.fn(),
}))
const api = await import('../src/api')
const { i18n, setLocale } = await import('../src/i18n')
const TasksView = (await import('../src/views/TasksView.vue')).default

// Vant's nav bar measures its height in a timer after it mounts: let it run before the
// environment goes (a timer left behind failed a run with `window is not defined`).
afterAll(() => new Promise((resolve) => setTimeout(resolve, 400)))

function task(over: Partial<TaskView>, id: string): TaskView {
  return {
    task: {
      id, visit: 'recheck', household_id: `h-${id}`, finding_id: `f-${id}`, finding_description: '排水沟未通',
      item_label: { zh: '排水设施', en: 'Drainage' }, rectification_note: '排水沟已修通', instructions: null, planned_by: null,
      due_on: '2026-12-12', created_at: '2026-12-05T02:00:00Z',
    },
    head_name: '郑怀圣', household_number: '010001', village: '长岭村', days_left: 7, overdue: false,
    draft_id: null, submitted: false,
    ...over,
  }
}

describe('the task list', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('zh-CN')
  })

  it('shows each re-check with its problem, what the township did and its due date; overdue ones red', async () => {
    vi.mocked(api.listTasks).mockResolvedValue([
      task({ days_left: -2, overdue: true }, 't1'),
      task({}, 't2'),
      { ...task({ submitted: true }, 't3'), task: { ...task({}, 't3').task, finding_description: '排水设施：排水沟未通' } },
      { ...task({}, 't4'), task: { ...task({}, 't4').task, visit: 'demolition', finding_id: null, finding_description: null, item_label: null,
        rectification_note: null, instructions: '拍摄同一位置前后照片', planned_by: { zh: '王主任（区扶贫办）', en: 'Wang' } } },
    ])
    const router = createRouter({ history: createMemoryHistory(), routes: [
      { path: '/tasks', name: 'tasks', component: { template: '<div />' } },
      { path: '/household/:id/form/:kind', name: 'form', component: { template: '<div />' } },
    ] })
    await router.push('/tasks')
    const wrapper = mount(TasksView, { global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    const items = wrapper.findAll('[data-testid="task-item"]')
    expect(items).toHaveLength(4)
    expect(items[3].find('[data-testid="task-visit"]').text()).toBe('旧房拆除核实')
    expect(items[3].find('[data-testid="task-instructions"]').text()).toBe('拍摄同一位置前后照片')
    expect(items[3].text()).toContain('布置人：王主任（区扶贫办）')
    expect(items[3].find('[data-testid="task-finding"]').exists()).toBe(false)
    expect(items[0].classes()).toContain('overdue')
    expect(items[0].find('[data-testid="task-due"]').text()).toBe('逾期 2 天')
    expect(items[1].classes()).not.toContain('overdue')
    expect(items[1].find('[data-testid="task-due"]').text()).toBe('还剩 7 天')
    expect(items[2].find('[data-testid="task-submitted"]').text()).toBe('已提交，待同步')
    expect(items[0].find('[data-testid="task-finding"]').text()).toBe('排水设施：排水沟未通')
    // A description that already names its item is not prefixed twice.
    expect(items[2].find('[data-testid="task-finding"]').text()).toBe('排水设施：排水沟未通')
    expect(items[0].text()).toContain('乡镇整改情况：排水沟已修通')
    expect(wrapper.text()).toContain('共 4 项，逾期 1 项')
    expect(items[0].find('[data-testid="task-visit"]').text()).toBe('整改复查')

    await items[0].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('form')
    expect(router.currentRoute.value.params).toMatchObject({ id: 'h-t1', kind: 'recheck' })
    expect(router.currentRoute.value.query).toMatchObject({ task: 't1' })
    wrapper.unmount()
  })

  it('says when there is nothing to do', async () => {
    vi.mocked(api.listTasks).mockResolvedValue([])
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] })
    const wrapper = mount(TasksView, { global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    expect(wrapper.text()).toContain('没有待办任务')
    wrapper.unmount()
  })
})
