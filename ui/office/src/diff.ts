// Side by side comparison of two texts (a conflict's stored and incoming pretty JSON), line by
// line: a longest common subsequence, then runs of removed and added lines paired into rows.

export interface SideLine {
  /** 1-based line number in its own text. */
  no: number
  text: string
}

export type RowKind = 'same' | 'changed' | 'removed' | 'added'

export interface DiffRow {
  kind: RowKind
  left: SideLine | null
  right: SideLine | null
}

type Op = { op: 'same'; a: number; b: number } | { op: 'del'; a: number } | { op: 'ins'; b: number }

/** Above this many line pairs the texts are compared line against line at the same place. */
const MAX_CELLS = 4_000_000

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length
  const m = b.length
  if (n * m > MAX_CELLS) {
    const ops: Op[] = []
    for (let i = 0; i < Math.max(n, m); i++) {
      if (i < n && i < m && a[i] === b[i]) ops.push({ op: 'same', a: i, b: i })
      else {
        if (i < n) ops.push({ op: 'del', a: i })
        if (i < m) ops.push({ op: 'ins', b: i })
      }
    }
    return ops
  }
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const w = m + 1
  const lengths = new Uint32Array((n + 1) * w)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * w + j] = a[i] === b[j]
        ? lengths[(i + 1) * w + j + 1] + 1
        : Math.max(lengths[(i + 1) * w + j], lengths[i * w + j + 1])
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) { ops.push({ op: 'same', a: i++, b: j++ }) }
    else if (lengths[(i + 1) * w + j] >= lengths[i * w + j + 1]) ops.push({ op: 'del', a: i++ })
    else ops.push({ op: 'ins', b: j++ })
  }
  while (i < n) ops.push({ op: 'del', a: i++ })
  while (j < m) ops.push({ op: 'ins', b: j++ })
  return ops
}

function lines(text: string): string[] {
  const out = text.replace(/\r\n?/g, '\n').split('\n')
  if (out.length > 1 && out[out.length - 1] === '') out.pop()
  return out
}

/** The rows of a side by side view of `stored` (left) and `incoming` (right). */
export function sideBySide(stored: string, incoming: string): DiffRow[] {
  const a = lines(stored)
  const b = lines(incoming)
  const rows: DiffRow[] = []
  let dels: number[] = []
  let inss: number[] = []
  const flush = () => {
    const pairs = Math.max(dels.length, inss.length)
    for (let k = 0; k < pairs; k++) {
      const l = k < dels.length ? { no: dels[k] + 1, text: a[dels[k]] } : null
      const r = k < inss.length ? { no: inss[k] + 1, text: b[inss[k]] } : null
      rows.push({ kind: l && r ? 'changed' : l ? 'removed' : 'added', left: l, right: r })
    }
    dels = []
    inss = []
  }
  for (const op of lcsOps(a, b)) {
    if (op.op === 'same') {
      flush()
      rows.push({ kind: 'same', left: { no: op.a + 1, text: a[op.a] }, right: { no: op.b + 1, text: b[op.b] } })
    } else if (op.op === 'del') dels.push(op.a)
    else inss.push(op.b)
  }
  flush()
  return rows
}

/** How many rows differ. */
export function changedRows(rows: DiffRow[]): number {
  return rows.filter((r) => r.kind !== 'same').length
}

/**
 * Long unchanged stretches folded away: keeps `context` rows around every difference and
 * replaces each longer same-run by one marker with the count it hides.
 */
export function foldSame(rows: DiffRow[], context = 3): (DiffRow | { kind: 'fold'; hidden: number })[] {
  const keep = rows.map((r) => r.kind !== 'same')
  const near = keep.map((_, i) => {
    for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++) if (keep[k]) return true
    return false
  })
  const out: (DiffRow | { kind: 'fold'; hidden: number })[] = []
  let hidden = 0
  rows.forEach((r, i) => {
    if (near[i]) {
      if (hidden) out.push({ kind: 'fold', hidden })
      hidden = 0
      out.push(r)
    } else hidden++
  })
  if (hidden) out.push({ kind: 'fold', hidden })
  return out
}
