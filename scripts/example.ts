/**
 * The README's first command: train the example model on iris from local_test/test_dir with the compiled
 * binary, then serve it on :8080 (or $PORT), as SageMaker would run the image. Works on a copy of
 * test_dir under .byoc-tmp/ so the repository stays clean.
 */
import { cpSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const binary = join(root, 'dist/byoc')
const work = join(root, '.byoc-tmp/example')
const port = process.env.PORT ?? '8080'

if (!existsSync(binary)) throw new Error(`${binary} is missing: run "bun run build" first`)
rmSync(work, { recursive: true, force: true })
cpSync(join(root, 'local_test/test_dir'), work, { recursive: true })

const env = { ...process.env, BYOC_ML_ROOT: work, SAGEMAKER_BIND_TO_PORT: port }
console.log(`$ BYOC_ML_ROOT=${work} dist/byoc train`)
const trained = Bun.spawnSync([binary, 'train'], { env, stdout: 'inherit', stderr: 'inherit' })
if (trained.exitCode !== 0) {
  const failure = join(work, 'output/failure')
  console.error(
    `training failed (exit ${trained.exitCode})${existsSync(failure) ? `: ${await Bun.file(failure).text()}` : ''}`,
  )
  process.exit(1)
}

console.log(`$ BYOC_ML_ROOT=${work} SAGEMAKER_BIND_TO_PORT=${port} dist/byoc serve`)
const server = Bun.spawn([binary, 'serve'], { env, stdout: 'inherit', stderr: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill('SIGTERM'))
for (let i = 0; i < 200; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/ping`).then(
    (r) => r.ok,
    () => false,
  )
  if (ok) {
    console.log(
      `\nServing. Try:\n  curl -s -H 'Content-Type: text/csv' --data-binary @local_test/payload.csv localhost:${port}/invocations\n` +
        `  curl -s -H 'Content-Type: application/json' -H 'Accept: application/json' -d '{"instances": [[5.1, 3.5, 1.4, 0.2]]}' localhost:${port}/invocations\n` +
        'Stop with Ctrl-C.\n',
    )
    break
  }
  await Bun.sleep(50)
}
process.exit(await server.exited)
