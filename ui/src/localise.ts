/** Messages from the Rust side read "中文 / English": keep the half for the language shown. */
export function localise(message: string, language: string): string {
  const at = message.indexOf(' / ')
  if (at < 0) return message
  return language.startsWith('zh') ? message.slice(0, at) : message.slice(at + 3)
}
