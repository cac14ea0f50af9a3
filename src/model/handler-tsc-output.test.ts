import { describe, expect, test } from 'bun:test'
import { describeTypeErrors, exportPosition, parseTscOutput, type WrapperLine } from './handler-tsc-output'

const handlerPath = '/opt/ml/model/code/handler.ts'
const source = `import type { Outputs } from 'byoc'
export const contentTypes = ['image/png']
export async function preprocess(records: string) {
  return records
}
export { helper as postprocess }
export default {
  encode(answer: unknown, accept: number) {},
}
`
const lines = new Map<number, WrapperLine>([
  [5, { from: 'named', key: 'preprocess' }],
  [6, { from: 'default', key: 'encode' }],
])
const at = { cwd: '/tmp/byoc-typecheck-x', lines, handlerPath, source }

describe('parseTscOutput', () => {
  test("tsc's file(line,col) becomes path:line:col, relative paths resolved against the check's folder", () => {
    const out = "../../opt/ml/model/code/handler.ts(4,10): error TS2339: Property 'nope' does not exist on type 'X'.\n"
    expect(parseTscOutput(out, at)).toEqual([`${handlerPath}:4:10: Property 'nope' does not exist on type 'X'`])
  })

  test("an error in the wrapper names the export, at the handler's line that declares it, with tsc's elaboration", () => {
    const out = [
      "check.ts(5,14): error TS2322: Type '(records: string) => Promise<string>' is not assignable to type 'Y'.",
      "  Type 'Promise<string>' is not assignable to type 'Maybe<Feeds>'.",
      "check.ts(6,14): error TS2322: Type '(answer: unknown, accept: number) => void' is not assignable to type 'Z'.",
      "  Types of parameters 'accept' and 'accept' are incompatible.",
      '',
    ].join('\n')
    expect(parseTscOutput(out, at)).toEqual([
      `${handlerPath}:3:23: export "preprocess" does not match byoc's Handler type: Type '(records: string) => Promise<string>' is not assignable to type 'Y'. Type 'Promise<string>' is not assignable to type 'Maybe<Feeds>'`,
      `${handlerPath}:8:3: default export's "encode" does not match byoc's Handler type: Type '(answer: unknown, accept: number) => void' is not assignable to type 'Z'. Types of parameters 'accept' and 'accept' are incompatible`,
    ])
  })

  test("the handler's own errors come first (one without a file first of all), in line order; other files after", () => {
    const out = [
      '/opt/ml/model/code/util.ts(2,1): error TS1005: b',
      `${handlerPath}(9,1): error TS1005: c`,
      `${handlerPath}(2,5): error TS1005: d`,
      'error TS5083: Cannot read file x.',
    ].join('\n')
    expect(parseTscOutput(out, at)).toEqual([
      `${handlerPath}: Cannot read file x`,
      `${handlerPath}:2:5: d`,
      `${handlerPath}:9:1: c`,
      '/opt/ml/model/code/util.ts:2:1: b',
    ])
  })

  test('implicit-any errors (noImplicitAny is on for inference only) are left out with their elaborations', () => {
    const out = [
      `${handlerPath}(3,34): error TS7006: Parameter 'records' implicitly has an 'any' type.`,
      `${handlerPath}(1,21): error TS7016: Could not find a declaration file for module 'pngjs/lib/png.js'.`,
      "  Try `npm i --save-dev @types/pngjs` if it exists or add a new declaration (.d.ts) file containing `declare module 'pngjs/lib/png.js';`",
      `${handlerPath}(4,3): error TS2322: Type 'string' is not assignable to type 'number'.`,
      `${handlerPath}(5,3): error TS7041: The containing arrow function captures the global value of 'this'.`,
    ].join('\n')
    expect(parseTscOutput(out, at)).toEqual([
      `${handlerPath}:4:3: Type 'string' is not assignable to type 'number'`,
      `${handlerPath}:5:3: The containing arrow function captures the global value of 'this'`,
    ])
  })

  test('an unresolved byoc import says how to get the types', () => {
    const out = `${handlerPath}(1,30): error TS2307: Cannot find module './byoc' or its corresponding type declarations.`
    expect(parseTscOutput(out, at)[0]).toContain("byoc handler-types > code/byoc.d.ts`, or import type from 'byoc'")
  })

  test('a long elaboration is clipped', () => {
    const out = `check.ts(5,14): error TS2322: ${'x'.repeat(1000)}`
    expect(parseTscOutput(out, at)[0].length).toBeLessThan(500)
  })
})

describe('exportPosition', () => {
  test('declarations, export lists and default-export members; 1:1 when not found', () => {
    expect(exportPosition(source, { from: 'named', key: 'contentTypes' })).toEqual({ line: 2, col: 14 })
    expect(exportPosition(source, { from: 'named', key: 'postprocess' })).toEqual({ line: 6, col: 20 })
    expect(exportPosition(source, { from: 'default', key: 'encode' })).toEqual({ line: 8, col: 3 })
    expect(exportPosition(source, { from: 'named', key: 'invoke' })).toEqual({ line: 1, col: 1 })
  })
})

test('describeTypeErrors names five errors, then how many more, and the setting that skips the check', () => {
  const errors = Array.from({ length: 7 }, (_, i) => `${handlerPath}:${i + 1}:1: e${i}`)
  const message = describeTypeErrors(handlerPath, errors)
  expect(message).toStartWith(
    `handler ${handlerPath} does not type-check (BYOC_HANDLER_TYPECHECK=false skips the check): `,
  )
  expect(message).toContain('e4; and 2 more')
  expect(message).not.toContain('e5')
})
