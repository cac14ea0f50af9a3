/** Request bodies as text: UTF-8 (a leading BOM is dropped), and an empty body is a client error. */
import { errors } from '../errors'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Decodes a text body; 400 "empty body" when it holds nothing but whitespace. */
export function bodyText(body: Uint8Array): string {
  let text: string
  try {
    text = decoder.decode(body) // strips one leading U+FEFF (ignoreBOM defaults to false)
  } catch {
    throw errors.badInput('body is not valid UTF-8 text')
  }
  if (isBlank(text)) throw errors.badInput('empty body')
  return text
}

export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return false
  }
  return true
}

/** Index just past the last character that is not whitespace or a line break. */
export function trimmedEnd(text: string): number {
  let end = text.length
  while (end > 0) {
    const c = text.charCodeAt(end - 1)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break
    end--
  }
  return end
}

/** "1 field" / "5 fields". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
