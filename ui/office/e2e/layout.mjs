// Every office page at a 1366×768 office screen and on a 390×844 phone, checked by the boxes
// of its elements rather than by eye: nothing wider than the window, every action button
// inside the window and inside its table (pinned, not scrolled off), on top where it is drawn
// (not under a pinned column), and every column with a header whose text is not cut.
import assert from 'node:assert/strict'
import { BASE, state, step, screenshot, waitRoute, apiJson } from './lib.mjs'

export const SIZES = [['laptop', 1366, 768], ['phone', 390, 844]]

/** The pages an administrator has, by route name and hash path. */
async function everyPage() {
  const households = await apiJson('/households?limit=1')
  const first = households.rows?.[0]?.id
  assert.ok(first, 'a household to open')
  return [
    ['dashboard', ''], ['households', 'households'], ['household', `households/${first}`],
    ['review', 'review'], ['findings', 'findings'], ['assignments', 'assignments'],
    ['samples', 'samples'], ['import', 'import'], ['tasks', 'tasks'], ['old-houses', 'old-houses'],
    ['forms', 'forms'], ['policy', 'policy'], ['reports', 'reports'], ['integrations', 'integrations'],
    ['security', 'security'],
  ]
}

/** Wait until no loading mask is left anywhere and the page has stopped moving. */
async function settledPage() {
  const page = state.page
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-loading-mask')]
    .some((m) => getComputedStyle(m).display !== 'none'), null, { timeout: 20_000 })
  await page.waitForTimeout(600)
}

/** What is wrong with the page's layout, in words; empty when it fits. */
async function layoutProblems(name) {
  return state.page.evaluate(async (pageName) => {
    const problems = []
    const width = window.innerWidth
    const overflow = document.documentElement.scrollWidth - width
    if (overflow > 1) problems.push(`${pageName}: the page is ${overflow}px wider than the window`)
    const visible = (el) => {
      const r = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none'
    }
    const label = (el) => (el.innerText || el.getAttribute('aria-label') || el.className || '').toString().trim().slice(0, 30)
    // Action buttons: buttons in table rows and in the cards that replace tables on a phone.
    const actions = [...document.querySelectorAll(
      '.el-table__body button, .el-table__body .el-link, [data-testid="card-list"] button, .row-action, [data-test="action"]')]
      .filter(visible).slice(0, 40)
    for (const button of actions) {
      button.scrollIntoView({ block: 'center', inline: 'nearest' })
      await new Promise((resolve) => requestAnimationFrame(resolve))
      const r = button.getBoundingClientRect()
      const what = `${pageName}: the action "${label(button)}"`
      if (r.left < -1 || r.right > width + 1) {
        problems.push(`${what} is outside the window (${Math.round(r.left)}–${Math.round(r.right)} of ${width}px)`)
        continue
      }
      // On a phone's cards a button is for a finger: 44 px at least.
      if (button.closest('[data-testid="card-list"]') && (r.height < 43.5 || r.width < 43.5)) {
        problems.push(`${what} is too small for a finger (${Math.round(r.width)}×${Math.round(r.height)}px)`)
      }
      const table = button.closest('.el-table')
      if (table) {
        // The part of the table one sees: its scrolling body's box.
        const body = table.querySelector('.el-table__body-wrapper .el-scrollbar__wrap') ?? table
        const t = body.getBoundingClientRect()
        if (r.left < t.left - 1 || r.right > t.right + 1) {
          problems.push(`${what} is cut off by its table (${Math.round(r.left)}–${Math.round(r.right)}, table ${Math.round(t.left)}–${Math.round(t.right)})`)
          continue
        }
      }
      const x = Math.min(Math.max(r.left + r.width / 2, 0), width - 1)
      const y = Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1)
      const top = document.elementFromPoint(x, y)
      // A tooltip or the sticky page header may lie over a button scrolled under it; only
      // a table's own cell covering it is a clipped action.
      if (top && !button.contains(top) && !top.contains(button) && top.closest('.el-table') === table && table) {
        problems.push(`${what} is covered by "${label(top)}"`)
      }
    }
    // Column headers: every column that shows something has a header, and it is not cut.
    for (const table of document.querySelectorAll('.el-table')) {
      if (!visible(table)) continue
      const testId = table.closest('[data-testid]')?.dataset.testid ?? table.dataset.testid ?? 'a table'
      for (const th of table.querySelectorAll('.el-table__header th')) {
        if (!visible(th) || th.classList.contains('el-table-column--selection')) continue
        const cell = th.querySelector('.cell')
        const text = (cell?.innerText ?? '').trim()
        const index = th.cellIndex
        const hasContent = [...table.querySelectorAll('.el-table__body tr')].some((tr) => {
          const td = tr.cells[index]
          return td && ((td.innerText ?? '').trim() !== '' || td.querySelector('img, svg, button, .el-tag'))
        })
        if (!text && hasContent && !th.querySelector('.el-checkbox')) {
          problems.push(`${pageName}: ${testId} has a column without a header (column ${index + 1})`)
        }
        if (cell && text && cell.scrollWidth > cell.clientWidth + 2) {
          problems.push(`${pageName}: ${testId}'s header "${text}" is cut (${cell.scrollWidth} > ${cell.clientWidth}px)`)
        }
      }
    }
    window.scrollTo(0, 0)
    return problems
  }, name)
}

/** Every page at both sizes: screenshots named by page and size, and no layout problem. */
export async function everyPageFits() {
  const page = state.page
  const pages = await everyPage()
  for (const [size, width, height] of SIZES) {
    await step(`every page fits a ${size} (${width}×${height}): no clipped action, column or header`, async () => {
      await page.setViewportSize({ width, height })
      const problems = []
      for (const [route, path] of pages) {
        await page.goto(`${BASE}/#/${path}`)
        await waitRoute(route, 20_000)
        await settledPage()
        problems.push(...await layoutProblems(route))
        await screenshot(`${route}-${size}`)
      }
      assert.deepEqual(problems, [], `layout problems at ${width}×${height}:\n  ${problems.join('\n  ')}`)
    })
  }
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** On a phone the menu is reached by a button and names its entries, not only icons. */
export async function phoneMenuHasLabels() {
  const page = state.page
  await step('on a phone the menu opens from a button and every entry has a label', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${BASE}/#/`)
    await waitRoute('dashboard')
    await settledPage()
    await page.locator('[data-testid="menu-toggle"]').click()
    const entries = page.locator('[data-testid^="menu-"]:visible:not([data-testid="menu-toggle"])')
    await entries.first().waitFor({ timeout: 10_000 })
    const texts = await entries.allInnerTexts()
    assert.ok(texts.length >= 8, `the phone's menu lists the pages (${texts.length})`)
    for (const text of texts) assert.ok(text.trim().length >= 2, `every menu entry has a label: ${JSON.stringify(texts)}`)
    await screenshot('menu-phone')
    await page.keyboard.press('Escape')
    await page.setViewportSize({ width: 1440, height: 900 })
  })
}
