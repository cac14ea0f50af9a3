/**
 * Whether a model Worker is inside an ONNX Runtime run, shared with the pool through one Int32 in a
 * SharedArrayBuffer. terminate() during a run aborts the whole process, so the pool never does that; but
 * a Worker stuck in JavaScript (a handler that loops) never reads the pool's `retire` either. The pool
 * may terminate it once it claims the guard at zero: the claim and the Worker's entry into a run are one
 * atomic step each, so they cannot both win.
 */

const CONDEMNED = -1

export function newRunGuard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4))
}

/** Worker side, before a run: false once the pool has condemned this Worker. */
export function enterRun(guard: Int32Array | undefined): boolean {
  if (!guard) return true
  for (;;) {
    const n = Atomics.load(guard, 0)
    if (n === CONDEMNED) return false
    if (Atomics.compareExchange(guard, 0, n, n + 1) === n) return true
  }
}

export function leaveRun(guard: Int32Array | undefined): void {
  if (guard) Atomics.sub(guard, 0, 1)
}

/** Pool side: true when no run is in progress, and none can start from now on (safe to terminate). */
export function condemn(guard: Int32Array): boolean {
  return Atomics.compareExchange(guard, 0, 0, CONDEMNED) === 0 || Atomics.load(guard, 0) === CONDEMNED
}
