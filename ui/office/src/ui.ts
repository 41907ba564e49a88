// Messages and confirmations in the language of the pages.
import { ElMessage, ElMessageBox } from 'element-plus'
import { errorText } from './api'
import { i18n, language } from './i18n'

export function showError(error: unknown) {
  ElMessage({ type: 'error', message: errorText(error, language()), showClose: true, duration: 6000 })
}

export function showSuccess(message: string) {
  ElMessage({ type: 'success', message })
}

/** Ask before something that cannot be undone; resolves true when confirmed. */
export async function confirmAction(message: string, danger = false): Promise<boolean> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(message, t('common.confirmTitle'), {
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      type: danger ? 'warning' : 'info',
      confirmButtonClass: danger ? 'el-button--danger confirm-ok' : 'confirm-ok',
    })
    return true
  } catch {
    return false
  }
}
