/**
 * The hosting contract over real HTTP: the compiled dist/byoc serving models built by src/onnx.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { decodeRecordIO, encodeRecordIO } from '../src/formats/recordio'
import {
  boolModel,
  fixedBatchModel,
  float64Model,
  identityClassifier,
  int64Model,
  stringModel,
  twoInputModel,
} from './fixtures/models'
import { npyBytes, parseNpy } from './helpers/npy'
import { mlRoot, type Running, startServer, waitForLog } from './helpers/server'

// Class k wins when feature k is largest.
const classifier = identityClassifier(4, 3)

let server: Running
beforeAll(async () => {
  server = await startServer(mlRoot({ 'model.onnx': classifier }))
})
afterAll(async () => {
  await server.stop()
})

const post = (body: string | Uint8Array, headers: Record<string, string>, path = '/invocations') =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers })

describe('routes', () => {
  test('GET /ping is 200 with an empty body once the model is warm', async () => {
    const res = await fetch(`${server.url}/ping`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })
  test('GET /execution-parameters has exactly the three keys, as integers', async () => {
    const body = (await (await fetch(`${server.url}/execution-parameters`)).json()) as any
    expect(Object.keys(body).sort()).toEqual(['BatchStrategy', 'MaxConcurrentTransforms', 'MaxPayloadInMB'])
    expect(body.BatchStrategy).toBe('MULTI_RECORD')
    expect(Number.isInteger(body.MaxConcurrentTransforms) && body.MaxConcurrentTransforms >= 1).toBe(true)
    expect(body.MaxPayloadInMB).toBe(6)
  })
  test('unknown route is 404 with a JSON error', async () => {
    const res = await fetch(`${server.url}/nope`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error).toContain('/invocations')
  })
  test('the log has the startup lines and one line per request with the inference id', async () => {
    await post('0,0,1,0\n', { 'content-type': 'text/csv', 'x-amzn-sagemaker-inference-id': 'abc-123' })
    const log = await waitForLog(server, /inference-id=abc-123/)
    expect(log).toContain('input  input: float32 [N, 4]')
    expect(log).toContain('output probabilities: float32 [N, 3]')
    expect(log).toMatch(/execution provider cpu; \d+ workers x \d+ intra-op threads/)
    expect(log).toContain('no GPU visible: running on CPU')
    expect(log).toMatch(/POST \/invocations 200 [\d.]+ms in=8 out=\d+ inference-id=abc-123/)
  })
})

describe('request formats', () => {
  test('text/csv: 150 rows give 150 lines, in order, each ending in a newline', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => {
      const r = [0, 0, 0, 0]
      r[i % 3] = 5
      return r.join(',')
    })
    const res = await post(rows.join('\n'), { 'content-type': 'text/csv', accept: 'text/csv' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/csv')
    const text = await res.text()
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.split('\n').slice(0, -1)
    expect(lines).toHaveLength(150)
    lines.forEach((line, i) => {
      expect(line.split(',')[0]).toBe(String(i % 3))
    })
  })
  test('text/csv with parameters and upper case, RFC 4180 quoting, CRLF', async () => {
    const res = await post('"0","0","1","0"\r\n"1",0,0,0\r\n', {
      'content-type': 'Text/CSV; charset=utf-8',
      accept: 'text/csv',
    })
    expect(res.status).toBe(200)
    expect((await res.text()).split('\n').map((l) => l.split(',')[0])).toEqual(['2', '0', ''])
  })
  test('the ContentType header variant is accepted', async () => {
    const res = await post('0,1,0,0\n', { ContentType: 'text/csv', accept: 'text/csv' } as any)
    expect(res.status).toBe(200)
    expect((await res.text()).split(',')[0]).toBe('1')
  })
  test('application/json instances', async () => {
    const res = await post(
      JSON.stringify({
        instances: [
          [0, 0, 3, 0],
          [4, 0, 0, 0],
        ],
      }),
      { 'content-type': 'application/json' },
    )
    expect(res.headers.get('content-type')).toStartWith('application/json')
    const body = (await res.json()) as any
    expect(body.predictions.map((p: any) => p.label)).toEqual([2, 0])
    expect(body.predictions[0].probabilities).toHaveLength(3)
  })
  test('application/json bare nested array', async () => {
    const body = (await (
      await post('[[0,9,0,0]]', { 'content-type': 'application/json', accept: 'application/json' })
    ).json()) as any
    expect(body.predictions[0].label).toBe(1)
  })
  test('application/jsonlines in and out: one line per record', async () => {
    const res = await post('[0,0,2,0]\n[2,0,0,0]\n[0,2,0,0]\n', {
      'content-type': 'application/jsonlines',
      accept: 'application/jsonlines',
    })
    expect(res.status).toBe(200)
    const lines = (await res.text()).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((l) => JSON.parse(l).label)).toEqual([2, 0, 1])
  })
  test('application/x-npy in and out', async () => {
    const req = npyBytes('<f4', [2, 4], new Float32Array([0, 0, 0, 0, 0, 7, 0, 0]).buffer)
    const res = await post(req, { 'content-type': 'application/x-npy', accept: 'application/x-npy' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-npy')
    const arr = parseNpy(new Uint8Array(await res.arrayBuffer()))
    expect(arr.shape[0]).toBe(2)
    // label then three probabilities per record
    expect(arr.values[arr.shape[1]]).toBe(1)
  })
  test('float64 npy in Fortran order is transposed to records', async () => {
    // records [[0,0,0,5],[0,0,6,0]] stored column-major
    const fortran = new Float64Array([0, 0, 0, 0, 0, 6, 5, 0])
    const res = await post(npyBytes('<f8', [2, 4], fortran.buffer, true), {
      'content-type': 'application/x-npy',
      accept: 'text/csv',
    })
    expect((await res.text()).split('\n').map((l) => l.split(',')[0])).toEqual(['0', '2', ''])
  })
  test('text/libsvm: 1-based sparse features, missing ones NaN', async () => {
    const res = await post('1 3:7\n0 1:2 2:0 3:0 4:0\n', { 'content-type': 'text/x-libsvm', accept: 'text/csv' })
    expect(res.status).toBe(200)
    // The first record has a NaN in the features the model sees, so its label is whatever argmax makes
    // of NaN; the second record is unambiguous.
    expect((await res.text()).split('\n')[1].split(',')[0]).toBe('0')
  })
  test('text/libsvm is widened to the model and a client-chosen huge index is a 400, not an allocation', async () => {
    const narrow = await post('1 2:5\n', { 'content-type': 'text/libsvm', accept: 'text/csv' })
    expect(narrow.status).toBe(200)
    const huge = await post('1 300000000:1\n', { 'content-type': 'text/libsvm', accept: 'application/json' })
    expect(huge.status).toBe(400)
    expect(((await huge.json()) as any).error).toContain("beyond the model's 4 features")
  })
  test('application/x-recordio-protobuf in and out', async () => {
    const body = encodeRecordIO({
      records: 2,
      outputs: [{ name: 'values', dtype: 'float32', dims: [2, 4], data: new Float32Array([0, 0, 3, 0, 0, 3, 0, 0]) }],
    })
    const res = await post(body, {
      'content-type': 'application/x-recordio-protobuf',
      accept: 'application/x-recordio-protobuf',
    })
    expect(res.status).toBe(200)
    const decoded = decodeRecordIO(new Uint8Array(await res.arrayBuffer()))
    expect(decoded.records).toBe(2)
    const t = decoded.tensors as { values: Float64Array; shape: number[] }
    expect(t.shape).toEqual([2, 4])
    expect([t.values[0], t.values[4]]).toEqual([2, 1])
  })
  test('missing Accept answers in the request type; */* too', async () => {
    for (const accept of [undefined, '*/*']) {
      const headers: Record<string, string> = { 'content-type': 'application/jsonlines' }
      if (accept) headers.accept = accept
      const res = await post('[0,0,1,0]\n', headers)
      expect(res.headers.get('content-type')).toStartWith('application/jsonlines')
    }
  })
  test('Accept q-values are honoured', async () => {
    const res = await post('0,0,1,0\n', {
      'content-type': 'text/csv',
      accept: 'text/csv;q=0.5, application/json;q=0.9',
    })
    expect(res.headers.get('content-type')).toStartWith('application/json')
  })
  test('the CSV header row is detected and skipped', async () => {
    const res = await post('a,b,c,d\n0,0,1,0\n', { 'content-type': 'text/csv', accept: 'text/csv' })
    expect((await res.text()).split('\n').length).toBe(2)
  })
})

describe('errors', () => {
  test('ragged CSV is 400 naming the row', async () => {
    const res = await post('1,2,3,4\n1,2,3,4,5\n', { 'content-type': 'text/csv', accept: 'application/json' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatch(/row 2/)
  })
  test('non-numeric cell is 400 naming row and column, as one plain line when JSON is not accepted', async () => {
    const res = await post('1,2,3,4\n1,x,3,4\n', { 'content-type': 'text/csv', accept: 'text/csv' })
    expect(res.status).toBe(400)
    const text = await res.text()
    expect(text).toMatch(/row 2.*column 2|column 2.*row 2/)
    expect(text.trim().split('\n')).toHaveLength(1)
  })
  test('wrong feature count is 400 saying what the model expects', async () => {
    const res = await post('1,2,3\n', { 'content-type': 'text/csv' })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('expects 4')
  })
  test('unsupported Content-Type is 415', async () => {
    const res = await post('<x/>', { 'content-type': 'application/xml', accept: 'application/json' })
    expect(res.status).toBe(415)
    expect(((await res.json()) as any).error).toContain('text/csv')
  })
  test('unsatisfiable Accept is 406', async () => {
    const res = await post('1,2,3,4\n', { 'content-type': 'text/csv', accept: 'image/png' })
    expect(res.status).toBe(406)
  })
  test('malformed JSON is 400 and the server keeps answering', async () => {
    const res = await post('{"instances": [', { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).not.toContain('    at ')
    expect((await fetch(`${server.url}/ping`)).status).toBe(200)
  })
  test('pickled npy is refused with 400', async () => {
    const res = await post(npyBytes('|O', [1], new ArrayBuffer(8)), {
      'content-type': 'application/x-npy',
      accept: 'application/json',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toContain('pickle')
  })
  test('empty body is 400', async () => {
    const res = await post('', { 'content-type': 'text/csv', accept: 'application/json' })
    expect(res.status).toBe(400)
  })
})

describe('model input types', () => {
  test('integers outside what the input type holds exactly are a 400, not wrapped', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': int64Model() }))
    try {
      for (const body of ['[[9223372036854775807, 0, 0]]', '[[1e30, 0, 0]]', '[[9007199254740993, 0, 0]]']) {
        const res = await fetch(`${s.url}/invocations`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
        })
        expect(res.status).toBe(400)
        expect(((await res.json()) as any).error).toContain('int64')
      }
      const ok = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '[[9007199254740991, 0, -1]]',
        headers: { 'content-type': 'application/json', accept: 'text/csv' },
      })
      expect(await ok.text()).toBe('9007199254740990\n')
    } finally {
      await s.stop()
    }
  })
  const cases: Array<[string, Uint8Array, string, string, string]> = [
    [
      'two named inputs from JSON',
      twoInputModel(),
      'application/json',
      JSON.stringify({ inputs: { a: [[1, 2]], b: [[1, 1, 1]] } }),
      '33',
    ],
    ['two inputs from one CSV row, columns dealt in order', twoInputModel(), 'text/csv', '1,2,1,1,1\n', '33'],
    ['int64', int64Model(), 'text/csv', '1,2,3\n', '6'],
    ['string', stringModel(), 'text/csv', 'b\n', '2'],
    ['float64', float64Model(), 'application/json', '[[5.5, 2]]', '3.5'],
    ['bool', boolModel(), 'application/json', '[[true, true], [true, false]]', ''],
    ['fixed batch of one, two records run one at a time', fixedBatchModel(), 'text/csv', '1,1,1,1\n2,2,2,2\n', '4'],
  ]
  for (const [name, model, type, body, first] of cases) {
    test(name, async () => {
      const s = await startServer(mlRoot({ 'model.onnx': model }))
      try {
        const res = await fetch(`${s.url}/invocations`, {
          method: 'POST',
          body,
          headers: { 'content-type': type, accept: 'text/csv' },
        })
        const text = await res.text()
        expect(res.status).toBe(200)
        if (name === 'bool') expect(text).toBe('true\nfalse\n')
        else expect(text.split('\n')[0]).toBe(first)
        if (name.startsWith('fixed')) expect(text).toBe('4\n8\n')
      } finally {
        await s.stop()
      }
    })
  }
})
