/**
 * What converter models do when they cannot, or can only partly, be answered, through the compiled
 * binary: /ping is 200 only for a model that answers; a broken one is 503 with its reason (logged once,
 * however many Workers); a warm-up that failed only on its synthetic record still serves; values the
 * model rejects, and inputs that disagree, are 4xx naming them without ONNX Runtime's internals.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { GraphBuilder } from '../src/onnx/builder'
import { ModelProto } from '../src/onnx/schema'
import { mlRoot, type Running, startServer, waitForLog } from './helpers/server'

const CORPUS = join(import.meta.dir, 'fixtures/converters')
const corpus = (name: string) => readFileSync(join(CORPUS, `${name}.onnx`))
const running: Running[] = []
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()))
})

async function serve(model: Uint8Array, env: Record<string, string> = {}, ready = true) {
  const s = await startServer(
    mlRoot({ 'model.onnx': model }),
    { MODEL_SERVER_WORKERS: '1', ...env },
    { waitReady: ready },
  )
  running.push(s)
  return s
}

const post = (s: Running, body: string, type = 'application/json', accept = 'application/json') =>
  fetch(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': type, accept }, body })

interface Answer {
  error: string
  predictions: any[]
}
const answer = async (r: Response) => (await r.json()) as Answer

const count = (text: string, needle: string) => text.split(needle).length - 1

/** ReduceSum over everything: one number for the whole batch, so no record gets its own answer. */
function batchSumModel(): Uint8Array {
  return new GraphBuilder()
    .input('x', 'float32', ['N', 3])
    .node('ReduceSum', ['x'], ['total'], { keepdims: 0 })
    .output('total', 'float32', [])
    .toBytes()
}

/** ids - 5 looked up in a 3-row table: the warm-up's ids 0 and 1 are out of range, ids 5..7 are fine. */
function offsetLookupModel(): Uint8Array {
  return new GraphBuilder()
    .input('ids', 'int64', ['N'])
    .initializer('five', { dtype: 'int64', dims: [], values: [5n] })
    .initializer('table', { dtype: 'float32', dims: [3, 2], values: [1, 2, 3, 4, 5, 6] })
    .node('Sub', ['ids', 'five'], ['row'])
    .node('Gather', ['table', 'row'], ['embedded'], { axis: 0 })
    .output('embedded', 'float32', ['N', 2])
    .toBytes()
}

/** Token ids and their mask, sharing the named dimension "sequence". */
function tokensModel(): Uint8Array {
  return new GraphBuilder()
    .input('input_ids', 'int64', ['batch', 'sequence'])
    .input('attention_mask', 'int64', ['batch', 'sequence'])
    .node('Mul', ['input_ids', 'attention_mask'], ['masked'])
    .output('masked', 'int64', ['batch', 'sequence'])
    .toBytes()
}

/** skl2onnx's to_onnx of a DataFrame: one [N, 1] input per column (object, bool, float64, int64). */
function frameModel(): Uint8Array {
  return new GraphBuilder()
    .input('name', 'string', ['N', 1])
    .input('flag', 'bool', ['N', 1])
    .input('x', 'float64', ['N', 1])
    .input('n', 'int64', ['N', 1])
    .node('Cast', ['flag'], ['flag_f'], { to: 11 })
    .node('Cast', ['n'], ['n_f'], { to: 11 })
    .node('Concat', ['flag_f', 'x', 'n_f'], ['numbers'], { axis: 1 })
    .node('Identity', ['name'], ['echo'])
    .output('echo', 'string', ['N', 1])
    .output('numbers', 'float64', ['N', 3])
    .toBytes()
}

/** A tensor output beside a seq(tensor(float)) one, which onnxruntime-node cannot return. */
function sequenceOutputModel(): Uint8Array {
  const bytes = new GraphBuilder()
    .input('x', 'float32', ['N', 2])
    .node('Identity', ['x'], ['y'])
    .node('SequenceConstruct', ['x'], ['parts'])
    .output('y', 'float32', ['N', 2])
    .output('parts', 'float32', ['N', 2])
    .toBytes()
  const model = ModelProto.decode(bytes) as unknown as { graph: { output: Array<{ type: unknown }> } }
  model.graph.output[1].type = { sequence_type: { elem_type: { tensor_type: { elem_type: 1 } } } }
  return ModelProto.encode(model as never).finish()
}

describe('health', () => {
  test('a model whose outputs do not keep records apart: /ping 503 with the reason, logged once for 2 Workers', async () => {
    const s = await serve(batchSumModel(), { MODEL_SERVER_WORKERS: '2' }, false)
    const log = await waitForLog(s, /model failed to load/, 10_000)
    const ping = await fetch(`${s.url}/ping`)
    expect(ping.status).toBe(503)
    const reason = await ping.text()
    expect(reason).toContain('cannot answer a well-formed request')
    expect(reason).toContain('output "total" has shape []')
    expect(count(log, 'cannot answer a well-formed request')).toBe(1)
    // A refused POST still counts the bytes that came.
    const body = '1,2,3\n'
    const res = await post(s, body, 'text/csv')
    expect(res.status).toBe(503)
    expect((await answer(res)).error).toContain('cannot answer a well-formed request')
    expect(await waitForLog(s, /POST \/invocations 503/)).toContain(`POST /invocations 503`)
    expect(s.log()).toMatch(new RegExp(`POST /invocations 503 \\S+ in=${body.length} `))
  })

  test('a warm-up that fails only on its synthetic ids: served, the failure logged once as such', async () => {
    const s = await serve(offsetLookupModel())
    const log = s.log()
    expect(count(log, 'warm-up with a synthetic record failed')).toBe(1)
    expect(log).toContain("Gather node '")
    const res = await post(s, JSON.stringify({ instances: [6, 7] }))
    expect(res.status).toBe(200)
    expect((await answer(res)) as unknown).toEqual({
      predictions: [
        [3, 4],
        [5, 6],
      ],
    })
    // The same id range a real client can break: 400, in words, without ONNX Runtime's source paths.
    const bad = await post(s, JSON.stringify({ instances: [1] }))
    expect(bad.status).toBe(400)
    const { error } = await answer(bad)
    expect(error).toStartWith("the model rejected an input value: Gather node '")
    expect(error).toContain('out of data bounds')
    expect(error).not.toMatch(/\.cc:\d|onnxruntime_src|::/)
    expect(s.log()).not.toContain('\u001b[')
  })

  test('the bare binary serves a text pipeline with the en_US.UTF-8 its build put beside it', async () => {
    const installed = spawnSync('locale', ['-a'])
      .stdout?.toString()
      .split('\n')
      .some((l) => /^en_US\.utf-?8$/i.test(l))
    const s = await serve(corpus('skl_pipeline_countvectorizer_mnb_text'))
    const res = await post(s, 'Strong WIND and Rain tonight!\n', 'text/csv', 'text/csv')
    expect(res.status).toBe(200)
    expect(await res.text()).toStartWith('weather,')
    // On a host that has the locale the system's is used and nothing is said.
    expect(s.log().includes('en_US.UTF-8 is not installed: using the copy beside the executable')).toBe(!installed)
  })

  test('a text pipeline on a host without en_US.UTF-8: 503 saying what to install', async () => {
    // With LOCPATH set glibc looks nowhere else, so this holds on a host that has the locale too.
    const s = await serve(corpus('skl_pipeline_countvectorizer_mnb_text'), { LOCPATH: '/nonexistent' }, false)
    const log = await waitForLog(s, /model failed to load/, 10_000)
    const reason = await (await fetch(`${s.url}/ping`)).text()
    expect(reason).toContain('needs the locale en_US.UTF-8')
    expect(reason).toContain('apt-get install locales && localedef -i en_US -f UTF-8 en_US.UTF-8')
    expect(reason).toContain('LOCPATH=DIR')
    expect(reason).not.toMatch(/onnxruntime_src|\.cc:\d/)
    expect(count(log, 'needs the locale')).toBe(1)
    // ONNX Runtime's own coloured line for the same failure is not there; byoc's plain one is.
    expect(log).not.toContain('\u001b[')
  })
})

describe('outputs', () => {
  test('BYOC_OUTPUTS picks the label of a ZipMap classifier; the probabilities are not computed into the answer', async () => {
    const s = await serve(corpus('skl_sgd_log_binary_strings'), { BYOC_OUTPUTS: 'output_label' })
    const res = await post(s, '0.4,-1.6,0.05,0.7,-0.7\n', 'text/csv', 'text/csv')
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/^(approved|rejected)\n$/)
    expect(s.log()).toContain('output output_probability: float32 [?, 2] (not returned)')
  })

  test('BYOC_OUTPUTS=output_probability: JSON gives each record its map of class → probability', async () => {
    const s = await serve(corpus('skl_sgd_log_binary_strings'), { BYOC_OUTPUTS: 'output_probability' })
    const res = await post(s, JSON.stringify({ instances: [[0.4, -1.6, 0.05, 0.7, -0.7]] }))
    const [p] = (await answer(res)).predictions ?? []
    expect(Object.keys(p)).toEqual(['approved', 'rejected'])
    expect(p.approved + p.rejected).toBeCloseTo(1, 5)
  })

  test('a sequence output is left out with a warning naming it; choosing it stops the start naming it', async () => {
    const s = await serve(sequenceOutputModel())
    expect(s.log()).toContain('output "parts" is seq(tensor(float)), which onnxruntime-node cannot return: left out')
    const res = await post(s, JSON.stringify({ instances: [[1, 2]] }))
    expect((await answer(res)).predictions as unknown).toEqual([[1, 2]])
    const chosen = await serve(sequenceOutputModel(), { BYOC_OUTPUTS: 'parts' }, false)
    await waitForLog(chosen, /model failed to load/, 10_000)
    expect(await (await fetch(`${chosen.url}/ping`)).text()).toContain(
      'output "parts" is seq(tensor(float)), which onnxruntime-node cannot return',
    )
  })
})

describe('inputs that disagree', () => {
  test('input_ids of 3 tokens with an attention_mask of 2: 400 naming both, before ONNX Runtime runs', async () => {
    const s = await serve(tokensModel())
    const res = await post(s, JSON.stringify({ inputs: { input_ids: [[1, 2, 3]], attention_mask: [[1, 1]] } }))
    expect(res.status).toBe(400)
    expect((await answer(res)).error).toBe(
      'inputs "input_ids" and "attention_mask" share the dimension "sequence" but differ in it: "input_ids" has 3, "attention_mask" has 2 (shapes [batch, sequence] and [batch, sequence])',
    )
    const ok = await post(s, JSON.stringify({ inputs: { input_ids: [[1, 2, 3]], attention_mask: [[1, 1, 0]] } }))
    expect((await answer(ok)).predictions as unknown).toEqual([[1, 2, 0]])
  })

  test('named inputs with different record counts: 400 naming them', async () => {
    const s = await serve(corpus('torch_two_inputs_embedding'))
    const res = await post(s, JSON.stringify({ inputs: { features: [[0, 0, 0, 0, 0, 0]], category: [1, 2] } }))
    expect(res.status).toBe(400)
    const { error } = await answer(res)
    expect(error).toContain("'category'")
    expect(error).toContain("'features'")
  })

  test("pandas' to_csv of a frame with text, bool, float and int columns: header by name, columns by dtype", async () => {
    const s = await serve(frameModel())
    const res = await post(s, 'flag,name,x,n\nTrue,"ab, c",1.5,2\nFalse,d,-3,0\n', 'text/csv', 'text/csv')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('"ab, c",1,1.5,2\nd,0,-3,0\n')
    const json = await post(s, JSON.stringify({ instances: [{ name: 'e', flag: true, x: 2, n: 7 }] }))
    expect((await answer(json)).predictions).toEqual([{ echo: 'e', numbers: [1, 2, 7] }])
  })

  test('a DataFrame row with a bad number names the CSV column and the model input', async () => {
    const s = await serve(corpus('skl_pipeline_columntransformer_rf_frame'))
    const res = await post(s, 'color,material,width,weight,pieces\nred,wood,wide,6.5,5\n', 'text/csv')
    expect(res.status).toBe(400)
    expect((await answer(res)).error).toBe(
      'row 1, column 3 ("width"): "wide" is not a number (input "width" takes float32)',
    )
    const frac = await post(
      s,
      JSON.stringify({ instances: [{ color: 'red', material: 'wood', width: 1, weight: 2, pieces: 2.5 }] }),
    )
    expect(frac.status).toBe(400)
    expect((await answer(frac)).error).toContain('field "pieces"')
  })
})
