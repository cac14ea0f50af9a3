/**
 * `byoc extract-archive <dir>` (archive-process.ts runs it in a child process). Its own entrypoint of the
 * executable, so tar stays out of the bundle that every `byoc` start loads before its first line runs.
 */
import { extractModelArchive } from './extract-archive'

/** Writes the extracted paths as JSON to stdout; the exit code says whether it worked. */
export async function runExtraction(dir: string): Promise<number> {
  try {
    process.stdout.write(JSON.stringify(await extractModelArchive(dir)))
    return 0
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
