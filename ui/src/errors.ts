import type { CommandError } from './bindings/CommandError'
import { localise, toCommandError } from './api'
import { currentLanguage } from './i18n'

/** A command error in plain words, in the language shown. */
export function errorText(error: CommandError | unknown): string {
  const e = toCommandError(error)
  return localise(e.message, currentLanguage())
}
