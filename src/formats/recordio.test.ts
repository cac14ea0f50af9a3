import { describe, expect, test } from 'bun:test'
import { failure, plain } from '../../test/fixtures/codec-testing'
import { decodeRecordIO, encodeRecordIO, frame, frames } from './recordio'

/**
 * Hand-checked bytes of one Record {features {"values": Float32Tensor {values: [1.5, -2]}}}:
 * Float32Tensor: 0a 08 | 00 00 c0 3f | 00 00 00 c0          (field 1 packed, 8 bytes)      = 10 bytes
 * Value:         12 0a | <tensor>                            (field 2 float32_tensor)       = 12 bytes
 * map entry:     0a 06 "values" | 12 0c <value>              (key 1, value 2)               = 22 bytes
 * Record:        0a 16 <entry>                               (field 1 features)             = 24 bytes
 */
const PAYLOAD = [
  0x0a, 0x16, 0x0a, 0x06, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x73, 0x12, 0x0c, 0x12, 0x0a, 0x0a, 0x08, 0x00, 0x00, 0xc0,
  0x3f, 0x00, 0x00, 0x00, 0xc0,
]
const FRAME = new Uint8Array([0x0a, 0x23, 0xd7, 0xce, 24, 0, 0, 0, ...PAYLOAD]) // 24 bytes: no padding

describe('RecordIO-protobuf', () => {
  test('decodes hand-written bytes', () => {
    const d = decodeRecordIO(FRAME)
    expect(d.records).toBe(1)
    expect(plain(d.tensors)).toEqual({ dtype: 'float32', shape: [1, 2], values: [1.5, -2] })
  })
  test('the encoder writes exactly those bytes for that record', () => {
    const out = encodeRecordIO({
      records: 1,
      outputs: [{ name: 'y', dtype: 'float32', dims: [1, 2], data: new Float32Array([1.5, -2]) }],
    })
    expect(Array.from(out)).toEqual(Array.from(FRAME))
  })
  test('frames pad to 4 bytes; several records round-trip, outputs side by side', () => {
    expect(frame(new Uint8Array(5)).length).toBe(16)
    const out = encodeRecordIO({
      records: 3,
      outputs: [
        { name: 'score', dtype: 'float32', dims: [3], data: new Float32Array([0.25, 0.5, 0.75]) },
        { name: 'label', dtype: 'int64', dims: [3, 1], data: new BigInt64Array([1n, 0n, 1n]) },
      ],
    })
    expect(frames(out).length).toBe(3)
    expect(plain(decodeRecordIO(out).tensors)).toEqual({
      dtype: 'float32',
      shape: [3, 2],
      values: [0.25, 1, 0.5, 0, 0.75, 1],
    })
  })
  test('errors: bad magic, truncation, records of different widths, string outputs', () => {
    expect(failure(() => decodeRecordIO(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))).toEqual({
      status: 400,
      message: 'record 1: RecordIO magic number missing at byte 0',
    })
    expect(failure(() => decodeRecordIO(FRAME.subarray(0, 20))).message).toBe('record 1: RecordIO payload is truncated')
    const two = encodeRecordIO({
      records: 1,
      outputs: [{ name: 'y', dtype: 'float32', dims: [1, 3], data: new Float32Array(3) }],
    })
    const mixed = new Uint8Array([...FRAME, ...two])
    expect(failure(() => decodeRecordIO(mixed)).message).toBe('record 2 has 3 values, expected 2')
    expect(
      failure(() => encodeRecordIO({ records: 1, outputs: [{ name: 'l', dtype: 'string', dims: [1], data: ['a'] }] }))
        .status,
    ).toBe(406)
    expect(failure(() => decodeRecordIO(new Uint8Array(0))).message).toBe('empty body')
  })
})

describe('client-declared shapes', () => {
  // Protobuf by hand: Record{features: {"values": Value{float32_tensor: {values, keys, shape}}}}.
  const varint = (n: number) => {
    const out: number[] = []
    while (n > 127) {
      out.push((n & 127) | 128)
      n = Math.floor(n / 128)
    }
    return [...out, n]
  }
  const field = (tag: number, bytes: number[]) => [tag, ...varint(bytes.length), ...bytes]
  function sparseRecord(shape: number): Uint8Array {
    const tensor = [...field(0x0a, [0, 0, 0x80, 0x3f]), ...field(0x12, [0]), ...field(0x1a, varint(shape))]
    const value = field(0x12, tensor)
    const entry = [...field(0x0a, [...new TextEncoder().encode('values')]), ...field(0x12, value)]
    const payload = field(0x0a, entry)
    const pad = (4 - (payload.length % 4)) % 4
    const frame = new Uint8Array(8 + payload.length + pad)
    const view = new DataView(frame.buffer)
    view.setUint32(0, 0xced7230a, true)
    view.setUint32(4, payload.length, true)
    frame.set(payload, 8)
    return frame
  }
  const options = (features: number | null) => ({ csvHeader: 'absent' as const, textInput: false, features })

  test('a sparse record is widened to its shape, missing entries NaN', () => {
    const d = decodeRecordIO(sparseRecord(3), options(3))
    const t = d.tensors as { values: Float32Array; shape: number[] }
    expect(t.shape).toEqual([1, 3])
    expect(t.values[0]).toBe(1)
    expect(Number.isNaN(t.values[2])).toBe(true)
  })
  test('a shape beyond the model, or beyond the cap when the model is not fixed, is a 400 before any allocation', () => {
    expect(() => decodeRecordIO(sparseRecord(150_000_000), options(4))).toThrow('the model takes 4')
    expect(() => decodeRecordIO(sparseRecord(150_000_000), options(null))).toThrow('at most 1000000')
  })
})
