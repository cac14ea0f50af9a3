/**
 * Runs the model archive's extraction in a child process (`byoc extract-archive <dir>`), so the HTTP thread
 * keeps answering /ping (503) and obeys SIGTERM however long or hostile the archive is, the extraction is
 * bounded in time (the child is killed), and the memory it took goes away with it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ARCHIVE_NAMES } from './archive-names'

export const EXTRACT_VERB = 'extract-archive'

let running: ReturnType<typeof Bun.spawn> | null = null

/** The command that runs this executable's `extract-archive` verb: the binary itself, or bun with the CLI source. */
function command(dir: string): string[] {
  const compiled = import.meta.url.startsWith('file:///$bunfs/')
  return compiled
    ? [process.execPath, EXTRACT_VERB, dir]
    : [process.execPath, join(import.meta.dir, '../cli.ts'), EXTRACT_VERB, dir]
}

/** Paths written (as extractModelArchive returns them), or null when there is no archive; throws with the child's reason. */
export async function extractInChild(modelDir: string, timeoutSeconds: number): Promise<string[] | null> {
  // No archive, nothing to start: a child is a whole second start of byoc, paid by every cold start.
  if (!ARCHIVE_NAMES.some((name) => existsSync(join(modelDir, name)))) return null
  const child = Bun.spawn(command(modelDir), {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  })
  running = child
  try {
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ])
    if (child.signalCode === 'SIGKILL')
      throw new Error(`extracting the model archive took longer than ${timeoutSeconds} s (BYOC_ARCHIVE_TIMEOUT)`)
    if (code !== 0) throw new Error(err.trim().split('\n').pop() || `archive extraction exited ${code}`)
    return JSON.parse(out) as string[] | null
  } finally {
    running = null
  }
}

/** For shutdown: a running extraction is stopped (its partial files are overwritten on the next start). */
export function stopExtraction(): void {
  running?.kill('SIGKILL')
}
