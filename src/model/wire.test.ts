import { describe, expect, test } from 'bun:test'
import { MEDIA_TYPES, errorText, packAnswers, packRequests, unpackAnswers, unpackRequests } from './wire'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('wire', () => {
  test('requests round-trip in order, bodies intact, including empty ones', () => {
    const requests = [
      { id: 1, contentType: 'text/csv', accept: 'application/json', body: bytes('1,2,3\n') },
      { id: 70000, contentType: 'application/x-npy', accept: 'text/csv', body: new Uint8Array([0x93, 0, 255]) },
      { id: 3, contentType: 'application/jsonlines', accept: 'application/jsonlines', body: new Uint8Array() },
    ]
    const back = unpackRequests(packRequests(requests))
    expect(back.map((r) => [r.id, r.contentType, r.accept, [...r.body]])).toEqual(requests.map((r) => [r.id, r.contentType, r.accept, [...r.body]]))
  })
  test('answers carry results as bytes and errors as status plus message', () => {
    const back = unpackAnswers(
      packAnswers([
        { id: 9, status: 200, records: 2, contentType: 'text/csv', body: '0\n1\n' },
        { id: 10, status: 400, records: 0, contentType: '', body: 'row 2 has 5 fields, expected 4' },
        { id: 11, status: 200, records: 1, contentType: 'application/x-npy', body: new Uint8Array([1, 2]) },
      ]),
    )
    expect(back[0]).toMatchObject({ id: 9, status: 200, records: 2, contentType: 'text/csv' })
    expect(new TextDecoder().decode(back[0].body)).toBe('0\n1\n')
    expect(back[1]).toMatchObject({ id: 10, status: 400 })
    expect(errorText(back[1].body)).toBe('row 2 has 5 fields, expected 4')
    expect([...back[2].body]).toEqual([1, 2])
  })
  test('every codec media type has a wire index, and an unknown one is refused', () => {
    expect(MEDIA_TYPES).toContain('text/csv')
    expect(() => packRequests([{ id: 1, contentType: 'image/png', accept: 'text/csv', body: new Uint8Array() }])).toThrow('image/png')
  })
})
