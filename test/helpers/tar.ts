/** Crafts tar archives byte by byte (ustar), so tests can build the hostile entries real tools refuse. */
import { gzipSync } from 'node:zlib'

export interface Entry {
  name: string
  data?: Uint8Array | string
  /** '0' file, '2' symlink, '1' hard link, '3' char device */
  type?: '0' | '1' | '2' | '3'
  link?: string
}

export function tarGz(entries: Entry[]): Uint8Array {
  const blocks: Uint8Array[] = []
  for (const e of entries) {
    const data = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : (e.data ?? new Uint8Array())
    const h = new Uint8Array(512)
    const put = (s: string, off: number, len: number) => h.set(new TextEncoder().encode(s).subarray(0, len), off)
    put(e.name, 0, 100)
    put('0000644\0', 100, 8)
    put('0000000\0', 108, 8)
    put('0000000\0', 116, 8)
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12)
    put('00000000000\0', 136, 12)
    put('        ', 148, 8)
    put(e.type ?? '0', 156, 1)
    put(e.link ?? '', 157, 100)
    put('ustar\0', 257, 6)
    put('00', 263, 2)
    const sum = h.reduce((a, b) => a + b, 0)
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512))
  }
  blocks.push(new Uint8Array(1024))
  const total = blocks.reduce((a, b) => a + b.length, 0)
  const out = new Uint8Array(total)
  let off = 0
  for (const b of blocks) {
    out.set(b, off)
    off += b.length
  }
  return gzipSync(out)
}
