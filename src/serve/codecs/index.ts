/**
 * The codec table: canonical media type → codec (see media-type.ts for aliases). The HTTP layer asks
 * decoderFor(request type) and encoderFor(negotiated type); lists feed 415/406 messages and negotiate().
 */
import { errors } from '../../errors'
import { canonicalType } from '../media-type'
import { csvCodec } from './csv'
import { jsonCodec } from './json'
import { jsonLinesCodec } from './jsonlines'
import { libsvmCodec } from './libsvm'
import { npyCodec } from './npy'
import { recordIOCodec } from './recordio'
import type { Codec, DecodedBody, DecodeOptions, EncodeInput } from './types'

export const codecs: ReadonlyMap<string, Codec> = new Map(
  [csvCodec, jsonCodec, jsonLinesCodec, npyCodec, recordIOCodec, libsvmCodec].map((c) => [c.type, c]),
)

/** Types accepted as Content-Type, in the order error messages list them. */
export const decodableTypes: readonly string[] = [...codecs.values()]
  .filter((c) => c.decode)
  .map((c) => c.type)
/** Types a response can be written in; text/csv first (the fallback when nothing else applies). */
export const encodableTypes: readonly string[] = [...codecs.values()]
  .filter((c) => c.encode)
  .map((c) => c.type)

export type Decoder = (body: Uint8Array, options: DecodeOptions) => DecodedBody
export type Encoder = (input: EncodeInput) => Uint8Array | string

/** The decoder for a Content-Type (parameters and case ignored, aliases folded); 415 when unknown. */
export function decoderFor(type: string): Decoder {
  const decode = codecs.get(canonicalType(type.split(';')[0]))?.decode
  if (!decode) throw errors.unsupportedMediaType(type, decodableTypes)
  return decode
}

/** The encoder for a (negotiated) response type; 406 when there is none. */
export function encoderFor(type: string): Encoder {
  const encode = codecs.get(canonicalType(type.split(';')[0]))?.encode
  if (!encode) throw errors.notAcceptable(type, encodableTypes)
  return encode
}
