/**
 * Builds dist/byoc: one executable holding the app, its Workers and the ONNX Runtime addon, plus
 * dist/libonnxruntime.so.1 beside it (the addon's dependency; see src/model/runtime-library.ts).
 */

import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { $ } from 'bun'

const root = join(import.meta.dir, '..')
const dist = join(root, 'dist')
mkdirSync(dist, { recursive: true })

const entrypoints = ['src/cli.ts', 'src/model/worker-entry.ts']
const args = process.argv.slice(2)
// --bytecode moves JavaScript parsing to build time: `byoc --version` 50 -> 10 ms, exec to first /ping 200
// 190 -> 104 ms for a tree model (bench/RESULTS.md), for 5 MB more binary. It needs ESM output because
// cli.ts and worker.ts use top-level await. The compiled binary must not pick up a .env or bunfig.toml
// from whatever directory SageMaker (or a user) starts it in.
await $`bun build --compile --minify --bytecode --format=esm --sourcemap=none --no-compile-autoload-dotenv --no-compile-autoload-bunfig ${entrypoints} --outfile ${join(dist, 'byoc')} ${args}`.cwd(
  root,
)

const ortDir = join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64')
copyFileSync(join(ortDir, 'libonnxruntime.so.1'), join(dist, 'libonnxruntime.so.1'))
console.log('built dist/byoc and dist/libonnxruntime.so.1')
