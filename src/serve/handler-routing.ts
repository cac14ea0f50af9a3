/**
 * Media types for a model with a handler, decided on the HTTP thread like byoc's own (415/406 without a
 * trip to a Worker): a handler widens them with the types it declares (`contentTypes`, `accepts`), or to
 * any type when it reads (decode, invoke) or writes (encode) without declaring.
 */
import { errors } from '../errors'
import { DECODABLE_TYPES, ENCODABLE_TYPES, mediaTypeIndex } from '../formats/media-types'
import type { HandlerInfo } from '../model/handler-load'
import { CUSTOM_TYPE } from '../model/handler-meta'
import { negotiate, parseMediaType } from './media-type'

const ANY = '*/*'

/** Throws 415 unless byoc or the handler reads `type`. */
export function checkRequestType(type: string, handler: HandlerInfo | null): void {
  if (DECODABLE_TYPES.includes(type)) return
  if (handler && (handler.contentTypes.includes(ANY) || handler.contentTypes.includes(type))) return
  throw errors.unsupportedMediaType(type, handler ? [...DECODABLE_TYPES, ...handler.contentTypes] : DECODABLE_TYPES)
}

/** The response type: byoc's negotiation over its types plus the handler's; 406 when none fits. */
export function responseType(accept: string | null, fallback: string, handler: HandlerInfo | null): string {
  if (!handler?.accepts.length) return negotiate(accept, ENCODABLE_TYPES, fallback)
  const declared = handler.accepts.filter((t) => t !== ANY)
  try {
    return negotiate(accept, [...ENCODABLE_TYPES, ...declared], fallback)
  } catch (error) {
    // An encode() that writes any type gets the first concrete type the client listed.
    const first = accept ? parseMediaType(accept.split(',')[0]).type : ''
    if (!handler.accepts.includes(ANY) || !/^[^*/]+\/[^*/]+$/.test(first)) throw error
    return first
  }
}

/** The wire index of a canonical type: byoc's own, or CUSTOM_TYPE (its name travels in the meta). */
export const wireType = (type: string) => {
  const i = mediaTypeIndex(type)
  return i < 0 ? CUSTOM_TYPE : i
}
