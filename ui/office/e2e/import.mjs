// The roster import's help for a new user: the template to fill in, read back by the same
// preview a real roster gets (its example row is valid), and an empty file named as such.
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ARTIFACTS, byTestId, chooseFile, clickMenu, saveDownload, screenshot, state, step } from './lib.mjs'

export async function importHelp() {
  const page = state.page
  await step('import: the template downloads and its example row previews without an error; an empty file says so', async () => {
    await clickMenu('import')
    // In a folder of its own: the Rust side reads every .xlsx beside the others as an export.
    await mkdir(join(ARTIFACTS, 'import'), { recursive: true })
    const { bytes, file: named } = await saveDownload('import-template', join('import', 'roster-template.xlsx'))
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', `${named} is an XLSX (a ZIP)`)
    await chooseFile(byTestId('import-drop'), named)
    await byTestId('import-preview').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => document.querySelector('[data-testid="import-errors-count"]')?.textContent.trim() === '0',
      null, { timeout: 10_000 }).catch(async () => {
      throw new Error(`the template's example row has errors: ${await byTestId('import-preview').innerText()}`)
    })
    await screenshot('import-template-preview')

    await clickMenu('households', 'households')
    await clickMenu('import')
    const empty = join(ARTIFACTS, 'import', 'empty-roster.csv')
    await writeFile(empty, '')
    await chooseFile(byTestId('import-drop'), empty)
    await byTestId('import-empty').waitFor({ timeout: 15_000 })
    assert.match(await byTestId('import-empty').innerText(), /文件是空的/)
    assert.equal(await page.getByRole('button', { name: '重试' }).count(), 0, 'no 重试 for an empty file')
    await screenshot('import-empty')
  })
}
