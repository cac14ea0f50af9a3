import { describe, expect, test } from 'bun:test'
import { failure, NUMERIC, utf8 } from '../../test/fixtures/codec-testing'
import { CODECS, decoderFor, encoderFor } from './index'
import { canonicalType, DECODABLE_TYPES, ENCODABLE_TYPES, MEDIA_TYPES, mediaTypeIndex } from './media-types'

describe('codec table', () => {
  test('the codec at each index speaks the media type at that index, so wire indices agree', () => {
    expect(CODECS.map((c) => c.type)).toEqual([...MEDIA_TYPES])
    for (const t of MEDIA_TYPES) expect(CODECS[mediaTypeIndex(t)].type).toBe(t)
    expect(mediaTypeIndex('image/png')).toBe(-1)
  })
  test('the advertised lists are exactly the types with a decoder / an encoder', () => {
    expect([...DECODABLE_TYPES]).toEqual(CODECS.filter((c) => c.decode).map((c) => c.type))
    expect([...ENCODABLE_TYPES]).toEqual(CODECS.filter((c) => c.encode).map((c) => c.type))
    expect(ENCODABLE_TYPES[0]).toBe('text/csv')
  })
  test('aliases fold to their canonical type', () => {
    expect(canonicalType('application/x-jsonlines')).toBe('application/jsonlines')
    expect(canonicalType(' Application/X-NDJSON ')).toBe('application/jsonlines')
    expect(canonicalType('TEXT/X-LIBSVM')).toBe('text/libsvm')
    expect(canonicalType('text/csv')).toBe('text/csv')
  })
  test('decoders resolve aliases and parameters', () => {
    expect(decoderFor('text/csv; charset=utf-8')(utf8('1,2'), NUMERIC).records).toBe(1)
    expect(decoderFor('application/x-jsonlines')(utf8('[1]\n[2]'), NUMERIC).records).toBe(2)
    expect(decoderFor('TEXT/X-LIBSVM')(utf8('1 1:1'), NUMERIC).records).toBe(1)
  })
  test('unknown Content-Type is 415 listing the supported ones', () => {
    const f = failure(() => decoderFor('image/png'))
    expect(f.status).toBe(415)
    expect(f.message).toContain('image/png')
    expect(f.message).toContain('text/csv')
  })
  test('no libsvm encoder: 406; JSON lines encodes one line per record', () => {
    const out = encoderFor('application/jsonl')({
      records: 1,
      outputs: [{ name: 'y', dtype: 'float32', dims: [1], data: new Float32Array([1]) }],
    })
    expect(out).toBe('1\n')
    expect(failure(() => encoderFor('text/libsvm')).status).toBe(406)
  })
})
