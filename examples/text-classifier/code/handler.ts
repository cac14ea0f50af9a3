/**
 * Text -> token ids and attention mask for a transformer-style classifier (inputs "input_ids" and
 * "attention_mask", int64 [N, L]; output "logits" [N, 2]). The vocabulary is code/vocab.txt, one token a
 * line, BERT style: its line number is its id. Clients send JSON: "some text", ["text", ...] or
 * {"inputs": [...]}; or text/plain, one text a line. The answer is one {label, score} per text.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Feeds, ModelContext, Outputs, RequestContext } from 'byoc'

const MAX_TOKENS = 64
const LABELS = ['negative', 'positive']

// Filled by load(), once per model Worker.
let vocab = new Map<string, number>()
let special = { pad: 0, unk: 1, cls: 2, sep: 3 }

export function load(ctx: ModelContext): void {
  const lines = readFileSync(join(ctx.codeDir, 'vocab.txt'), 'utf8').split('\n')
  vocab = new Map(lines.map((token, id) => [token.trim(), id]))
  const id = (t: string) => {
    const found = vocab.get(t)
    if (found === undefined) throw new Error(`vocab.txt has no ${t} token`)
    return found
  }
  special = { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]') }
  ctx.log.info(`vocabulary of ${vocab.size} tokens`)
}

export function decode(body: Uint8Array, contentType: string, ctx: RequestContext): string[] {
  const text = new TextDecoder().decode(body)
  if (contentType === 'text/plain') return text.split('\n').filter((line) => line.trim())
  if (contentType !== 'application/json') ctx.error(415, 'send application/json or text/plain')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    ctx.error(400, 'the body is not JSON')
  }
  const texts = typeof value === 'string' ? [value] : ((value as { inputs?: unknown })?.inputs ?? value)
  if (!Array.isArray(texts) || !texts.length || texts.some((t) => typeof t !== 'string'))
    ctx.error(400, 'send a string, an array of strings, or {"inputs": [strings]}')
  return texts as string[]
}

function tokenize(text: string): number[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const ids = words.map((w) => vocab.get(w) ?? special.unk).slice(0, MAX_TOKENS - 2)
  return [special.cls, ...ids, special.sep]
}

export function preprocess(texts: string[]): Feeds {
  const tokens = texts.map(tokenize)
  const length = Math.max(...tokens.map((t) => t.length))
  const ids = new BigInt64Array(texts.length * length).fill(BigInt(special.pad))
  const mask = new BigInt64Array(texts.length * length)
  tokens.forEach((t, r) => {
    t.forEach((id, i) => {
      ids[r * length + i] = BigInt(id)
      mask[r * length + i] = 1n
    })
  })
  const dims = [texts.length, length]
  return { input_ids: { data: ids, dims }, attention_mask: { data: mask, dims } }
}

export function postprocess(outputs: Outputs, texts: string[]) {
  const logits = outputs.logits.data as Float32Array
  return texts.map((_, r) => {
    const [a, b] = [logits[r * 2], logits[r * 2 + 1]]
    const positive = 1 / (1 + Math.exp(a - b))
    const k = positive >= 0.5 ? 1 : 0
    return { label: LABELS[k], score: Number((k ? positive : 1 - positive).toFixed(4)) }
  })
}

// byoc reads only its own types; text/plain reaches decode() because it is declared here.
export const contentTypes = ['text/plain']
