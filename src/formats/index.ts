/**
 * The codec table: one codec per entry of MEDIA_TYPES, at the same index. The HTTP thread resolves a
 * request's types to indices (media-types.ts, with its 415/406); the model Worker indexes this table.
 */
import { errors } from '../errors'
import { csvCodec } from './csv'
import { jsonCodec } from './json'
import { jsonLinesCodec } from './jsonlines'
import { libsvmCodec } from './libsvm'
import { canonicalType, DECODABLE_TYPES, ENCODABLE_TYPES, MEDIA_TYPES, mediaTypeIndex } from './media-types'
import { npyCodec } from './npy'
import { recordIOCodec } from './recordio'
import type { Codec, DecodedBody, DecodeOptions, EncodeInput } from './types'

const byType = new Map(
  [csvCodec, jsonCodec, jsonLinesCodec, npyCodec, recordIOCodec, libsvmCodec].map((c) => [c.type, c]),
)

/** CODECS[i] speaks MEDIA_TYPES[i]. */
export const CODECS: readonly Codec[] = MEDIA_TYPES.map((type) => {
  const codec = byType.get(type)
  if (!codec) throw new Error(`media type ${type} has no codec`)
  return codec
})

export type Decoder = (body: Uint8Array, options: DecodeOptions) => DecodedBody
export type Encoder = (input: EncodeInput) => Uint8Array | string

/** The decoder for a Content-Type (parameters and case ignored, aliases folded); 415 when unknown. */
export function decoderFor(type: string): Decoder {
  const decode = CODECS[mediaTypeIndex(canonicalType(type.split(';')[0]))]?.decode
  if (!decode) throw errors.unsupportedMediaType(type, DECODABLE_TYPES)
  return decode
}

/** The encoder for a (negotiated) response type; 406 when there is none. */
export function encoderFor(type: string): Encoder {
  const encode = CODECS[mediaTypeIndex(canonicalType(type.split(';')[0]))]?.encode
  if (!encode) throw errors.notAcceptable(type, ENCODABLE_TYPES)
  return encode
}
