/**
 * Entry point of the `byoc` executable: SageMaker runs `byoc serve` for endpoints and batch transform
 * and `byoc train` for training jobs.
 */
import { EXTRACT_ENTRY_URL, prestartModelWorker, SERVE_ENTRY_URL, TRAIN_ENTRY_URL } from './entrypoints'
import { VERSION } from './version'

const USAGE = `usage: byoc <serve|train|handler-types> | --help | --version

  serve          answer SageMaker hosting requests (/ping, /invocations) for the ONNX model in /opt/ml/model
  train          train a model from /opt/ml/input and write it to /opt/ml/model
  handler-types  print the TypeScript types of a model handler (code/handler.ts), to save as code/handler.d.ts

Environment: BYOC_ML_ROOT relocates /opt/ml; see README.md for every variable.`

export async function main(argv: string[]): Promise<number | null> {
  const verb = argv[0]
  switch (verb) {
    case 'serve': {
      // Until serve() installs its own handlers nothing has been accepted, so stopping is exiting 0 (rather
      // than the default action's 143 while the server's bundle, the config and the port are still loading).
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0))
      // First of all: the model Worker's start-up overlaps everything the HTTP thread does before it needs it,
      // loading the server's own bundle included (entrypoints.ts).
      prestartModelWorker()
      const { serve }: typeof import('./serve/serve') = await import(SERVE_ENTRY_URL)
      await serve()
      return null // runs until a signal stops it
    }
    case 'train': {
      const { train }: typeof import('./train/train') = await import(TRAIN_ENTRY_URL)
      return await train()
    }
    case 'extract-archive': {
      // Internal: `byoc serve` runs the model archive's extraction in a child process (archive-process.ts).
      const { runExtraction }: typeof import('./model/extract-entry') = await import(EXTRACT_ENTRY_URL)
      return await runExtraction(argv[1] ?? '.')
    }
    case 'handler-types': {
      const { HANDLER_TYPES } = await import('./handler-types')
      process.stdout.write(HANDLER_TYPES)
      return 0
    }
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return 0
    case '--version':
    case '-v':
      process.stdout.write(`byoc ${VERSION}\n`)
      return 0
    default:
      process.stderr.write(`${verb === undefined ? 'missing verb' : `unknown verb "${verb}"`}\n${USAGE}\n`)
      return 2
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2))
  if (code !== null) process.exit(code)
}
