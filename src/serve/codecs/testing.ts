/** Test helpers shared by the codec tests (not used at run time). */
import { ByocError } from '../../errors'
import type { DecodedBody, DecodedTensor, DecodeOptions } from './types'

export const NUMERIC: DecodeOptions = { csvHeader: 'absent', textInput: false }
export const AUTO: DecodeOptions = { csvHeader: 'auto', textInput: false }
export const TEXT: DecodeOptions = { csvHeader: 'absent', textInput: true }

export const utf8 = (s: string) => new TextEncoder().encode(s)
export const text = (b: Uint8Array | string) => (typeof b === 'string' ? b : new TextDecoder().decode(b))

/** The ByocError a call throws (fails the test when it throws nothing or something else). */
export function failure(fn: () => unknown): { status: number; message: string } {
  try {
    fn()
  } catch (e) {
    if (e instanceof ByocError) return { status: e.status, message: e.message }
    throw e
  }
  throw new Error('expected a ByocError, nothing was thrown')
}

/** The one unnamed tensor of a decoded body, values as a plain array for toEqual. */
export function plain(t: DecodedBody['tensors']): { dtype: string; shape: number[]; values: unknown[] } {
  const u = t as DecodedTensor
  return { dtype: u.dtype, shape: u.shape, values: Array.from(u.values as ArrayLike<unknown>) }
}
