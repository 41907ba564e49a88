// The steps of the office pages' end-to-end script about what the office decides: review is the
// district's, the over-limit house is 不合格 with 面积超标, the district's policy, and batch
// approval. office.e2e.mjs runs them in their place; every page at a phone's and a laptop's size
// is layout.mjs's.
import assert from 'node:assert/strict'
import {
  OWN_TOWNSHIP, TOWNSHIP_USER, apiJson, byTestId, choose, clearToasts, clickMenu, confirmBox, openHousehold,
  screenshot, settled, state, step, tableRow, toast, typeMilestone,
} from './lib.mjs'

// The district reviews: a township user reads the queue; the server refuses their approval.
export async function townshipReadsReview() {
  const page = state.page
  await step(`review is the district's: ${TOWNSHIP_USER} reads the queue, cannot approve (403 admin_only)`, async () => {
    const queue = await apiJson('/review')
    assert.ok(queue.submissions.length > 0, 'submissions wait for review')
    await clickMenu('review')
    await settled('[data-testid="review-table"]')
    await page.locator('[data-testid="review-table"] .el-table__body tr.el-table__row').first().waitFor({ timeout: 20_000 })
    assert.equal(await page.locator('[data-testid="review-table"] .el-table__body tr.el-table__row').count(), queue.submissions.length, 'the township sees its queue')
    assert.equal(await byTestId('review-approve').count(), 0, 'no approve button for a township user')
    assert.equal(await byTestId('review-return').count(), 0, 'no return button for a township user')
    assert.match(await byTestId('review-by-district').first().innerText(), /由区县办公室审核/)
    assert.match(await byTestId('review-read-only').innerText(), /区县办公室/)
    await screenshot('township-review')
    // And the server refuses it, whatever the page shows.
    const refused = await page.evaluate(async (id) => {
      const r = await fetch(`/api/office/review/${encodeURIComponent(id)}`, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-Anju-Office': '1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ decision: 'approved', note: null }),
      })
      return { status: r.status, body: await r.json().catch(() => null) }
    }, queue.submissions[0].submission_id)
    assert.equal(refused.status, 403, `a township user's approval: ${JSON.stringify(refused)}`)
    assert.equal(refused.body?.error, 'admin_only')
    assert.equal((await apiJson('/review')).submissions.length, queue.submissions.length, 'nothing was decided')
  })
}

// The over-limit household (面积超标): 不合格 once the district has reviewed it; its 面积超标 waits for the
// district's written reason; it cannot move in.
export async function overLimitHousehold() {
  const page = state.page
  await step('the over-limit household: 不合格 with 面积超标 once the district has reviewed it; closing 面积超标 needs a written reason', async () => {
    // Found by what the office made of it: the acceptance over the cap.
    const households = (await apiJson(`/households?${new URLSearchParams({ township: OWN_TOWNSHIP, limit: '500' })}`)).rows
    const over = households.find((r) => r.over_cap)
    assert.ok(over, `a household of ${OWN_TOWNSHIP} is over the area cap`)
    const queue = await apiJson('/review')
    const pending = queue.submissions.find((x) => x.household_id === over.id && x.kind === 'acceptance')
    if (pending) {
      // Not yet reviewed: the queue shows today's verdict 不合格 and 面积超标; the district approves the record of the visit.
      assert.equal(pending.verdict, 'fail')
      await clickMenu('review')
      await settled('[data-testid="review-table"]')
      const row = tableRow('review-table', `[data-testid="review-approve"][data-submission-id="${pending.submission_id}"]`).first()
      await row.waitFor({ timeout: 20_000 })
      const verdict = row.locator('[data-testid="review-verdict"]')
      assert.equal(await verdict.getAttribute('data-verdict'), 'fail')
      assert.equal(await verdict.getAttribute('data-over-cap'), 'true')
      assert.match(await verdict.innerText(), /不合格[\s\S]*面积超标/)
      assert.match(await row.locator('[data-testid="judgement-policy"]').innerText(), /第\d+版政策/)
      await row.locator('.el-table__expand-icon').click()
      const judgement = row.locator('xpath=following-sibling::tr[1]').locator('[data-testid="review-judgement"]')
      await judgement.waitFor({ timeout: 10_000 })
      assert.match(await judgement.innerText(), /按第\d+版政策评定/)
      await screenshot('review-over-cap')
      await row.locator('[data-testid="review-approve"]').click()
      await byTestId('review-drawer').locator('[data-testid="review-record"]').waitFor({ timeout: 15_000 })
      await byTestId('review-approve-confirm').click()
      const box = page.locator('.el-message-box')
      await box.waitFor({ timeout: 10_000 })
      assert.match(await box.innerText(), /不合格.*不计为已验收/, 'the confirmation says what approving a failed acceptance means')
      await clearToasts()
      await confirmBox()
      assert.match(await toast('success'), /已通过/)
    } else {
      console.log(`  ${over.number}'s acceptance was reviewed by an earlier run`)
    }

    // Listed under 不合格, with its tags.
    await clickMenu('households')
    await settled('[data-testid="households-table"]')
    await choose('filter-status', '不合格')
    const line = page.locator('[data-testid="households-table"] .el-table__body tr.el-table__row', {
      has: page.locator(`[data-testid="household-number"]:text-is("${over.number}")`),
    }).first()
    await line.waitFor({ timeout: 20_000 }).catch(() => { throw new Error(`${over.number} is not listed under 不合格`) })
    assert.equal((await line.locator('[data-testid="household-status"]').innerText()).trim(), '不合格')
    assert.equal((await line.locator('[data-testid="over-cap"]').innerText()).trim(), '面积超标')
    await screenshot('households-failed')

    await openHousehold(over.number)
    const header = byTestId('household-header')
    assert.equal(await header.locator('[data-testid="household-status"]').getAttribute('data-status'), 'failed')
    assert.equal((await header.locator('[data-testid="household-status"]').innerText()).trim(), '不合格')
    assert.equal(await header.locator('[data-testid="household-verdict"]').getAttribute('data-verdict'), 'fail')
    assert.equal((await header.locator('[data-testid="over-cap"]').innerText()).trim(), '面积超标')
    const detail = await apiJson(`/households/${over.id}`)
    assert.equal(detail.row.accepted, false, 'not counted as accepted')
    // Its 面积超标: raised by the office, critical; the district closes it only with its reason.
    const area = detail.findings.find((f) => f.origin === 'area_over_cap' && f.state !== 'closed')
    assert.ok(area, 'an open 面积超标 finding')
    const findingRow = tableRow('findings-table', `[data-testid="finding-state"][data-finding-id="${area.id}"]`).first()
    assert.equal((await findingRow.locator('[data-testid="finding-origin"]').innerText()).trim(), '办公室自动')
    assert.equal((await findingRow.locator('[data-testid="finding-critical"]').innerText()).trim(), '关键项')
    const close = findingRow.locator('[data-testid="finding-action-closed"]')
    assert.equal((await close.innerText()).trim(), '区县决定销号')
    await close.click()
    await byTestId('finding-district-decision').waitFor({ timeout: 10_000 })
    await byTestId('finding-confirm').click()
    await page.locator('[data-testid="finding-dialog"] .el-form-item.is-error').waitFor({ timeout: 5_000 })
      .catch(() => { throw new Error('closing 面积超标 without a reason was not stopped') })
    assert.match(await page.locator('[data-testid="finding-dialog"] .el-form-item.is-error').innerText(), /区县决定的理由/)
    await screenshot('over-cap-decision')
    await page.locator('[data-testid="finding-dialog"] .el-dialog__footer button', { hasText: '取消' }).click()
    assert.equal((await apiJson(`/households/${over.id}`)).findings.find((f) => f.id === area.id)?.state, area.state, 'nothing was closed')
    await page.keyboard.press('Escape').catch(() => undefined)
    // 先验收、后入住: it cannot move in, and the refusal says why.
    const { today } = await apiJson('/dashboard')
    await typeMilestone('moved_in_on', today)
    await clearToasts()
    await byTestId('milestones-save').click()
    const message = await toast('error')
    assert.match(message, /此户目前为“不合格”/, `the refusal says its status: "${message}"`)
    await screenshot('household-over-cap')
    const board = await apiJson('/dashboard')
    assert.ok(board.total.failed >= 1 && board.total.over_cap >= 1, `the dashboard counts it: ${JSON.stringify({ failed: board.total.failed, over_cap: board.total.over_cap })}`)
    console.log(`  ${over.number}: 不合格, 面积超标; ${message}`)
  })
}

// The district's policy: the version in force in words, a file with a typo refused at its line, a new
// version (the rectification deadline between 30 and 20 days) published and in force.
export async function policyPage() {
  const page = state.page
  await step('policy: the version in force in words; a file with a typo is refused at its line; a new version is published and in force', async () => {
    const before = await apiJson('/policy')
    const current = before.versions.find((v) => v.in_force)
    assert.ok(current, 'a policy is in force')
    await clickMenu('policy')
    const inForce = page.locator(`[data-testid="policy-in-force"][data-version="${current.version}"]`)
    await inForce.waitFor({ timeout: 20_000 }).catch(() => { throw new Error(`the page does not show version ${current.version} in force`) })
    const summary = inForce.locator('[data-testid="policy-summary"]')
    if (current.province) assert.match(await summary.innerText(), new RegExp(current.province))
    assert.equal(await summary.locator('[data-testid="policy-caps"] tbody tr').count(), current.caps.length, 'every cap rule in the table')
    assert.match(await summary.locator('[data-testid="policy-caps"]').innerText(), /人均 25 m²/, 'the national cap')
    assert.equal(await summary.locator('[data-testid="policy-rectification-days"]').getAttribute('data-days'), String(current.rectification_days))
    assert.equal((await summary.locator('[data-testid="policy-tolerance"]').innerText()).trim(), current.spot_check_tolerance)
    assert.equal(await summary.locator('[data-testid="policy-critical-items"] li').count(), current.critical_items.length)
    assert.equal(await page.locator('[data-testid="policy-history"] .el-table__body tr.el-table__row').count(), before.versions.length, 'every version in the history')

    // The editor starts from the version in force, taking effect today.
    const editor = page.locator('textarea[data-testid="policy-file"]')
    const text = await editor.inputValue()
    const draft = JSON.parse(text)
    assert.equal(draft.effective_from, before.today, 'the new version takes effect today')
    assert.match(await byTestId('policy-date-hint').innerText(), new RegExp(before.today))
    const days = draft.policy.rectification_days
    const next = days === 20 ? 30 : 20

    // A typo: refused at its line, nothing saved.
    const typo = text.replace('"rectification_days"', '"rectification_dayz"')
    const typoLine = typo.split('\n').findIndex((l) => l.includes('rectification_dayz')) + 1
    await editor.fill(typo)
    await byTestId('policy-check').click()
    await byTestId('policy-error').waitFor({ timeout: 15_000 }).catch(() => { throw new Error('the typo was not refused') })
    assert.equal(await byTestId('policy-error').getAttribute('data-line'), String(typoLine), 'the error names the line of the typo')
    const message = (await byTestId('policy-error-message').innerText()).trim()
    assert.match(message, new RegExp(`^第${typoLine}行第\\d+列：.*rectification_dayz`), `the message: ${message}`)
    assert.match(await byTestId('policy-error-line').innerText(), /"rectification_dayz"/, 'the line is quoted')
    assert.equal((await apiJson('/policy')).versions.length, before.versions.length, 'a check saves nothing')
    await screenshot('policy-typo')

    // The change: checked, then published.
    const changed = text.replace(`"rectification_days": ${days}`, `"rectification_days": ${next}`)
    assert.notEqual(changed, text, 'the file has rectification_days')
    await editor.fill(changed)
    assert.equal(await byTestId('policy-error').count(), 0, 'editing clears the refusal')
    await byTestId('policy-check').click()
    const preview = byTestId('policy-preview')
    await preview.waitFor({ timeout: 15_000 }).catch(() => { throw new Error('the corrected file was not checked') })
    const version = Math.max(...before.versions.map((v) => v.version)) + 1
    assert.equal(await preview.getAttribute('data-version'), String(version), `it would be version ${version}`)
    assert.equal(await preview.locator('[data-testid="policy-rectification-days"]').getAttribute('data-days'), String(next))
    await screenshot('policy-checked')
    await clearToasts()
    await byTestId('policy-publish').click()
    const box = page.locator('.el-message-box')
    await box.waitFor({ timeout: 10_000 })
    assert.match(await box.innerText(), new RegExp(`发布第${version}版政策，自${before.today}起生效`))
    await confirmBox()
    assert.match(await toast('success'), new RegExp(`已发布第${version}版政策`))
    const now = page.locator(`[data-testid="policy-in-force"][data-version="${version}"]`)
    await now.waitFor({ timeout: 15_000 }).catch(() => { throw new Error(`version ${version} is not shown in force`) })
    assert.equal(await now.locator('[data-testid="policy-rectification-days"]').getAttribute('data-days'), String(next))
    const standings = await page.locator('[data-testid="policy-history"] [data-testid="policy-standing"]').evaluateAll((tags) => tags.map((t) => t.getAttribute('data-standing')))
    assert.equal(standings[0], 'in_force', 'the newest version is in force')
    assert.ok(standings.slice(1).every((x) => x === 'past'), `the others are replaced: ${standings}`)
    const after = await apiJson('/policy')
    assert.equal(after.versions[0].version, version)
    assert.equal(after.versions[0].in_force, true)
    assert.equal(after.versions[0].rectification_days, next)
    await screenshot('policy')
    console.log(`  policy version ${version}: rectification ${days} → ${next} days, in force from ${before.today}`)
  })
}

// Batch approval: only records that raise nothing can be chosen, and approving them takes them
// off the queue in one go; what raises something stays for a decision one by one.
export async function batchApproval() {
  const page = state.page
  await step('batch approval of the records that raise nothing', async () => {
    const queue = await apiJson('/review')
    const clean = queue.submissions.filter((x) => x.raises_nothing)
    const raising = queue.submissions.filter((x) => !x.raises_nothing)
    assert.ok(clean.length > 0, `some waiting records raise nothing: ${JSON.stringify(queue.submissions.map((x) => [x.household_number, x.kind, x.raises_nothing]))}`)
    await clickMenu('review')
    await settled('[data-testid="review-table"]')
    // The selection boxes: enabled on the clean rows only.
    const boxes = page.locator('[data-testid="review-table"] .el-table__body tr.el-table__row .el-checkbox')
    await boxes.first().waitFor({ timeout: 15_000 })
    const enabled = await page.locator('[data-testid="review-table"] .el-table__body tr.el-table__row .el-checkbox:not(.is-disabled)').count()
    assert.equal(enabled, clean.length, 'only records that raise nothing can be chosen')
    await page.locator('[data-testid="review-table"] .el-table__header .el-checkbox').click()
    await page.waitForFunction((n) => document.querySelector('[data-testid="review-batch-approve"]')?.dataset.count === String(n), clean.length)
    await screenshot('review-batch-selected')
    await clearToasts()
    await byTestId('review-batch-approve').click()
    await confirmBox()
    assert.match(await toast('success'), /已通过|approved/)
    const after = await apiJson('/review')
    const left = new Set(after.submissions.map((x) => x.submission_id))
    for (const x of clean) assert.ok(!left.has(x.submission_id), `${x.household_number} ${x.kind} was approved`)
    for (const x of raising) assert.ok(left.has(x.submission_id), `${x.household_number} ${x.kind} still waits for a decision of its own`)
    await screenshot('review-after-batch')
  })
}
