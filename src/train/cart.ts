/**
 * CART decision trees as scikit-learn's DecisionTreeClassifier/Regressor grow them: depth-first, or
 * best-first by impurity decrease when max_leaf_nodes is set; the same stopping rules (max_depth,
 * min_samples_split, min_samples_leaf, min_impurity_decrease, pure nodes). Rows are presorted once per
 * feature (radix sort); each split stably partitions every feature's order, so a node's rows stay sorted
 * and contiguous and no node ever sorts again.
 */
import { type Criterion, type Split, Splitter } from './cart-split'
import { permutation, rng } from './random'
import { ColumnSorter } from './sort'
import { splitThreshold } from './thresholds'
import { type Tree, TreeBuilder } from './tree'

export interface CartData {
  rows: number
  cols: Float32Array[]
  /** Classification: class index per row and the class count; regression: the target. */
  classes?: Int32Array
  k?: number
  target?: Float64Array
}

export interface CartOptions {
  criterion: Criterion
  maxDepth: number | null
  maxLeafNodes: number | null
  minSamplesSplit: number
  minSamplesLeaf: number
  minImpurityDecrease: number
  seed: number
  /** Awaited now and then: yields to the event loop (signals) and throws to stop. */
  checkpoint?: () => Promise<void>
}

const EPSILON = 2.220446049250313e-16

interface Rec {
  id: number
  start: number
  end: number
  depth: number
  stats: Float64Array
  impurity: number
  split: Split | null
  improvement: number
}

export async function growCart(data: CartData, o: CartOptions): Promise<Tree> {
  const n = data.rows
  const F = data.cols.length
  const classification = data.classes !== undefined
  const k = classification ? data.k! : 0
  const width = classification ? k : 1
  const order = new Int32Array(F * n)
  const sorter = new ColumnSorter(n)
  for (let f = 0; f < F; f++) sorter.argsort(data.cols[f], order.subarray(f * n, (f + 1) * n))
  const splitter = new Splitter(
    { n, cols: data.cols, order, classes: data.classes ?? null, target: data.target ?? null, k },
    o.criterion,
    o.minSamplesLeaf,
  )
  const goLeft = new Uint8Array(n)
  const tmp = new Int32Array(n)
  const random = rng(o.seed)
  const builder = new TreeBuilder(width)
  const maxDepth = o.maxDepth ?? Infinity
  const minSplit = Math.max(o.minSamplesSplit, 2 * o.minSamplesLeaf)

  const statsOf = (start: number, end: number): Float64Array => {
    const s = new Float64Array(classification ? k : 2)
    for (let i = start; i < end; i++) {
      const r = order[i]
      if (classification) s[data.classes![r]]++
      else {
        const t = data.target![r]
        s[0] += t
        s[1] += t * t
      }
    }
    return s
  }
  const impurityOf = (s: Float64Array, cnt: number): number => {
    if (!classification) return Math.max(0, s[1] / cnt - (s[0] / cnt) ** 2)
    let acc = 0
    for (let c = 0; c < k; c++) {
      const p = s[c] / cnt
      acc += o.criterion === 'gini' ? p * p : p > 0 ? -p * Math.log2(p) : 0
    }
    return o.criterion === 'gini' ? 1 - acc : acc
  }

  /** Creates a node and, unless it must be a leaf, finds its best split. */
  const record = (start: number, end: number, depth: number, stats: Float64Array): Rec => {
    const cnt = end - start
    const impurity = impurityOf(stats, cnt)
    const rec: Rec = { id: builder.add(), start, end, depth, stats, impurity, split: null, improvement: 0 }
    if (depth >= maxDepth || cnt < minSplit || impurity <= EPSILON) return rec
    splitter.reset()
    const features = permutation(F, random)
    for (let j = 0; j < F; j++) splitter.scan(features[j], start, end, stats)
    const b = splitter.best
    if (b.feature < 0) return rec
    // weighted impurity decrease, as scikit-learn reports and compares it
    // proxy = Σ n_child·impurity_child (classification) or -Σ sum²/n (squared error, up to Σ y²)
    const childImpurity = (classification ? b.proxy : b.proxy + stats[1]) / cnt
    rec.improvement = (cnt / n) * (impurity - childImpurity)
    if (rec.improvement + EPSILON < o.minImpurityDecrease) return rec
    rec.split = { ...b }
    return rec
  }

  const finishLeaf = (rec: Rec) => {
    const cnt = rec.end - rec.start
    if (classification)
      builder.setValue(
        rec.id,
        Array.from(rec.stats, (c) => c / cnt),
      )
    else builder.setValue(rec.id, [rec.stats[0] / cnt])
  }

  /** Partitions every feature's order of the node into left then right; returns the two children. */
  const divide = (rec: Rec): [Rec, Rec] => {
    const s = rec.split!
    const { start, end } = rec
    const base = s.feature * n
    const splitCol = data.cols[s.feature]
    const last = splitCol[order[base + end - 1]]
    const missingSeen = last !== last
    for (let i = start; i < end; i++) goLeft[order[base + i]] = 0
    for (let i = start; i < start + s.presentLeft; i++) goLeft[order[base + i]] = 1
    if (s.missingLeft) {
      for (let i = end - 1; i >= start && splitCol[order[base + i]] !== splitCol[order[base + i]]; i--)
        goLeft[order[base + i]] = 1
    }
    let mid = start
    for (let f = 0; f < F; f++) {
      const b = f * n
      let w = b + start
      let t = 0
      for (let i = b + start; i < b + end; i++) {
        const r = order[i]
        if (goLeft[r]) order[w++] = r
        else tmp[t++] = r
      }
      order.set(tmp.subarray(0, t), w)
      mid = w - b
    }
    const threshold = s.above === Infinity ? Infinity : splitThreshold(s.below, s.above)
    const left = record(start, mid, rec.depth + 1, statsOf(start, mid))
    const right = record(mid, end, rec.depth + 1, statsOf(mid, end))
    // a value missing at training time goes where most rows went (scikit-learn's rule)
    const missingLeft = s.missingLeft || (!missingSeen && mid - start >= end - mid)
    builder.split(rec.id, s.feature, threshold, left.id, right.id, missingLeft)
    return [left, right]
  }

  let last = performance.now()
  let count = 0
  const maybePause = async () => {
    if (o.checkpoint && ++count % 32 === 0 && performance.now() - last > 50) {
      await o.checkpoint()
      last = performance.now()
    }
  }

  const root = record(0, n, 0, statsOf(0, n))
  if (o.maxLeafNodes === null) {
    const stack = [root]
    while (stack.length) {
      const rec = stack.pop()!
      if (!rec.split) finishLeaf(rec)
      else {
        const [l, r] = divide(rec)
        stack.push(r, l)
      }
      await maybePause()
    }
  } else {
    const heap = new MaxHeap<Rec>((a, b) => a.improvement > b.improvement)
    heap.push(root)
    let splits = o.maxLeafNodes - 1
    while (heap.size) {
      const rec = heap.pop()!
      if (!rec.split || splits <= 0) finishLeaf(rec)
      else {
        splits--
        const [l, r] = divide(rec)
        heap.push(l)
        heap.push(r)
      }
      await maybePause()
    }
  }
  return builder.finish()
}

class MaxHeap<T> {
  private a: T[] = []
  constructor(private higher: (x: T, y: T) => boolean) {}
  get size() {
    return this.a.length
  }
  push(v: T) {
    const a = this.a
    a.push(v)
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1
      if (!this.higher(a[i], a[p])) break
      ;[a[i], a[p]] = [a[p], a[i]]
      i = p
    }
  }
  pop(): T | undefined {
    const a = this.a
    const top = a[0]
    const last = a.pop()!
    if (a.length) {
      a[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.higher(a[l], a[m])) m = l
        if (r < a.length && this.higher(a[r], a[m])) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m], a[i]]
        i = m
      }
    }
    return top
  }
}
