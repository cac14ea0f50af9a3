/**
 * Raises the listen backlog of the server's socket. Bun.serve listens with a backlog of 512 and does not
 * let it be chosen; a burst of more connections than that overflows the accept queue, and the kernel's
 * dropped handshakes cost the clients a 1 s SYN retransmit (SageMaker wants a connection accepted within
 * 250 ms). Linux lets listen() be called again on a listening socket to change the backlog, so the socket
 * is found (its inode in /proc/net/tcp*, the fd in /proc/self/fd) and listen(fd, n) called through libc.
 * The kernel caps n at net.core.somaxconn. Anything missing (no /proc, no glibc) leaves Bun's backlog.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** The backlog set, or a reason it was not. */
export function raiseListenBacklog(port: number, backlog: number): number | string {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/)
      // local_address is c[1], st is c[3] (0A = LISTEN), inode is c[9].
      if (c.length > 9 && c[1].endsWith(hex) && c[3] === '0A') inodes.add(c[9])
    }
  }
  if (!inodes.size) return 'listening socket not found in /proc/net/tcp'
  const fds: number[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (m && inodes.has(m[1])) fds.push(Number(fd))
    } catch {}
  }
  if (!fds.length) return 'listening socket not found in /proc/self/fd'
  try {
    const { dlopen, FFIType } = require('bun:ffi') as typeof import('bun:ffi')
    const libc = dlopen('libc.so.6', { listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } })
    try {
      for (const fd of fds) if (libc.symbols.listen(fd, backlog) !== 0) return `listen(${fd}, ${backlog}) failed`
    } finally {
      libc.close()
    }
  } catch (error) {
    return `libc not available: ${(error as Error).message}`
  }
  return backlog
}
