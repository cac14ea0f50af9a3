import { describe, expect, test } from 'bun:test'
import { codecs, decodableTypes, decoderFor, encodableTypes, encoderFor } from './index'
import { failure, NUMERIC, utf8 } from './testing'

describe('codec table', () => {
  test('decodes every advertised type; aliases and parameters resolve', () => {
    expect(decodableTypes).toEqual(
      expect.arrayContaining([
        'text/csv',
        'application/json',
        'application/jsonlines',
        'application/x-npy',
        'text/libsvm',
      ]),
    )
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
  test('encoders: csv first, no libsvm; unknown is 406', () => {
    expect(encodableTypes[0]).toBe('text/csv')
    expect(encodableTypes).not.toContain('text/libsvm')
    const out = encoderFor('application/jsonl')({
      records: 1,
      outputs: [{ name: 'y', dtype: 'float32', dims: [1], data: new Float32Array([1]) }],
    })
    expect(out).toBe('1\n')
    expect(failure(() => encoderFor('text/libsvm')).status).toBe(406)
    for (const [type, codec] of codecs) expect(codec.type).toBe(type)
  })
})
