/**
 * Builds dist/byoc: one executable holding the app, its Workers and the ONNX Runtime addon, plus
 * dist/libonnxruntime.so.1 beside it (the addon's dependency; see src/model/runtime-library.ts), and,
 * where this machine can compile it, dist/locale/en_US.UTF-8 (for text models on hosts without that
 * locale; see src/model/locale.ts), and dist/typescript: TypeScript's native compiler with what it needs to
 * type-check a model's handler at start (see src/model/handler-typecheck.ts).
 */

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { $ } from 'bun'

const root = join(import.meta.dir, '..')
const dist = join(root, 'dist')
mkdirSync(dist, { recursive: true })

// Each a bundle of its own, loaded only when used (src/entrypoints.ts names them for the code).
const entrypoints = [
  'src/cli.ts',
  'src/serve/serve.ts',
  'src/train/train.ts',
  'src/model/worker-entry.ts',
  'src/model/prepare-entry.ts',
  'src/model/extract-entry.ts',
]
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
// glibc's own compiler and the locale sources (Debian: the `locales` package); the image installs the
// locale itself, so a build without them only lacks the bare binary's fallback.
const locale = join(dist, 'locale')
if (!existsSync(join(locale, 'en_US.UTF-8', 'LC_CTYPE'))) {
  mkdirSync(locale, { recursive: true })
  const made = await $`localedef -i en_US -f UTF-8 ${join(locale, 'en_US.UTF-8')}`.nothrow().quiet()
  // localedef exits 1 for warnings with the locale written.
  if (!existsSync(join(locale, 'en_US.UTF-8', 'LC_CTYPE')))
    console.log(
      `no dist/locale: localedef failed (${made.stderr.toString().trim().split('\n')[0] || made.exitCode}); text models then need en_US.UTF-8 installed`,
    )
}
// The checker: tsc 7 (one static binary) with the lib files it reads from its own folder, es* only (a
// handler runs in Bun, not a browser; lib.d.ts, unused, is how tsc finds its folder); the type packages
// of `types: ["bun-types"]`, declarations only, in the node_modules the generated tsconfig names as its
// typeRoot; and byoc's Handler type.
const checker = join(dist, 'typescript')
rmSync(checker, { recursive: true, force: true })
const tsLib = join(root, 'node_modules/@typescript/typescript-linux-x64/lib')
mkdirSync(checker, { recursive: true })
for (const file of readdirSync(tsLib))
  if (file === 'tsc' || /^lib\.(es|decorators|d\.ts$)/.test(file)) copyFileSync(join(tsLib, file), join(checker, file))
for (const pkg of ['bun-types', '@types/node', 'undici-types'])
  for (const file of readdirSync(join(root, 'node_modules', pkg), { recursive: true, encoding: 'utf8' }))
    if (file.endsWith('.d.ts') || file === 'package.json') {
      mkdirSync(dirname(join(checker, 'node_modules', pkg, file)), { recursive: true })
      copyFileSync(join(root, 'node_modules', pkg, file), join(checker, 'node_modules', pkg, file))
    }
copyFileSync(join(root, 'types/handler.d.ts'), join(checker, 'byoc.d.ts'))
console.log(
  `built dist/byoc, dist/libonnxruntime.so.1, dist/typescript${existsSync(join(locale, 'en_US.UTF-8')) ? ' and dist/locale' : ''}`,
)
