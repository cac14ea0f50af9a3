/**
 * ONNX Runtime's own telemetry stays off in the served binary (src/model/ort-telemetry.ts): no device id
 * or cache under $HOME/.cache/Microsoft and no debug log in /tmp after a request has been answered.
 */
import { expect, test } from 'bun:test'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { linearClassifierModel } from './fixtures/models'
import { mlRoot, startServer } from './helpers/server'

test('serving a model leaves no ONNX Runtime telemetry files behind', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byoc-home-'))
  const s = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) }), {
    HOME: home,
  })
  try {
    const res = await fetch(`${s.url}/invocations`, {
      method: 'POST',
      body: '1,2,3,4\n',
      headers: { 'content-type': 'text/csv' },
    })
    expect(res.status).toBe(200)
    expect(existsSync(join(home, '.cache', 'Microsoft'))).toBe(false)
    expect(existsSync(`/tmp/mat-debug-${s.proc.pid}.log`)).toBe(false)
  } finally {
    await s.stop()
  }
})
