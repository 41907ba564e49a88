// Downloads of exports and PDFs: fetched (so a refusal shows as a message, not as a page of
// JSON, and the button can show progress while a PDF is being made), then saved by the browser.
import { errorFromReply, toOfficeError } from './api'

/** The file name from a Content-Disposition header (RFC 6266: filename* wins), or null. */
export function fileNameFrom(disposition: string | null): string | null {
  if (!disposition) return null
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''))
    } catch {
      // A broken encoding: try the plain name.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition)
  if (plain) return (plain[2] ?? plain[1]).trim()
  return null
}

export interface DownloadProgress {
  received: number
  /** From Content-Length; null when the server streams without one. */
  total: number | null
}

/** Fetch a file and hand it to the browser as a download. Resolves with the name saved. */
export async function download(
  href: string,
  fallbackName: string,
  onProgress?: (p: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<string> {
  let reply: Response
  try {
    reply = await fetch(href, { credentials: 'same-origin', headers: { 'X-Anju-Office': '1' }, signal })
  } catch (error) {
    throw toOfficeError(error)
  }
  if (!reply.ok) throw errorFromReply(reply.status, await reply.text().catch(() => ''))
  const length = Number(reply.headers.get('Content-Length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  const chunks: Uint8Array[] = []
  let received = 0
  onProgress?.({ received, total })
  if (reply.body) {
    const reader = reply.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      received += value.length
      onProgress?.({ received, total })
    }
  } else {
    const all = new Uint8Array(await reply.arrayBuffer())
    chunks.push(all)
    received = all.length
    onProgress?.({ received, total })
  }
  const type = reply.headers.get('Content-Type') ?? 'application/octet-stream'
  const blob = new Blob(chunks as BlobPart[], { type })
  const name = fileNameFrom(reply.headers.get('Content-Disposition')) ?? fallbackName
  const objectUrl = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = objectUrl
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000)
  return name
}

/** "1.2 MB" and the like. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
