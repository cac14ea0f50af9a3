/**
 * One boosted regression tree grown on gradient histograms, depth-wise as XGBoost's `hist` does: each
 * level's nodes split on their best bin boundary; the smaller child's histogram is built from its rows and
 * the larger child's is the parent's minus it. Leaves get η·(−G/(H+λ)); splits gaining less than `gamma`
 * are then pruned bottom-up, as XGBoost's pruner does.
 */
import type { Bins } from './bins'
import {
  type BinSplit,
  buildHistogram,
  findSplit,
  type HistParams,
  leafWeight,
  newHistogram,
  subtractHistogram,
} from './histogram'
import { type Tree, TreeBuilder } from './tree'

export interface GrowParams extends HistParams {
  maxDepth: number
  gamma: number
  eta: number
}

interface Node {
  id: number
  start: number
  end: number
  G: number
  H: number
  /** null for nodes at the depth limit, which are never split. */
  hist: Float64Array | null
  split: BinSplit | null
}

export class HistTreeGrower {
  private pool: Float64Array[] = []
  private tmp: Int32Array

  constructor(
    private bins: Bins,
    private p: GrowParams,
  ) {
    this.tmp = new Int32Array(bins.rows)
  }

  private hist(): Float64Array {
    const h = this.pool.pop()
    if (h) {
      h.fill(0)
      return h
    }
    return newHistogram(this.bins)
  }

  /**
   * Grows a tree on rows (partitioned in place); returns it and calls `leaf(start, end, value)` for every
   * final leaf's segment of `rows`, so the caller can update the margins of the rows trained on.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    rows: Int32Array,
    feats: Int32Array,
    leaf: (start: number, end: number, value: number) => void,
  ): Tree {
    const { bins, p } = this
    const builder = new TreeBuilder(1)
    const gains: number[] = []
    const segments: number[] = []
    const make = (start: number, end: number, G: number, H: number, hist: Float64Array | null): Node => {
      const id = builder.add()
      builder.setValue(id, [p.eta * leafWeight(G, H, p)])
      segments[id * 2] = start
      segments[id * 2 + 1] = end
      return { id, start, end, G, H, hist, split: null }
    }
    let G = 0
    let H = 0
    for (let i = 0; i < rows.length; i++) {
      G += grad[rows[i]]
      H += hess[rows[i]]
    }
    const rootHist = this.hist()
    buildHistogram(rootHist, bins, rows, 0, rows.length, grad, hess, feats)
    const maxDepth = p.maxDepth > 0 ? p.maxDepth : 64
    let level = [make(0, rows.length, G, H, rootHist)]
    for (let depth = 0; level.length; depth++) {
      const next: Node[] = []
      for (const node of level) {
        node.split = node.hist ? findSplit(node.hist, bins, node.G, node.H, feats, p) : null
        if (!node.split) {
          if (node.hist) this.pool.push(node.hist)
          continue
        }
        const s = node.split
        const mid = this.partition(rows, node.start, node.end, s)
        const cuts = bins.cuts[s.feature]
        const threshold = s.bin < cuts.length ? cuts[s.bin] : Infinity
        let lh: Float64Array | null = null
        let rh: Float64Array | null = null
        if (depth + 1 < maxDepth) {
          // build the smaller child's histogram; the parent's becomes the larger child's by subtraction
          const leftSmaller = mid - node.start <= node.end - mid
          const small = this.hist()
          if (leftSmaller) buildHistogram(small, bins, rows, node.start, mid, grad, hess, feats)
          else buildHistogram(small, bins, rows, mid, node.end, grad, hess, feats)
          subtractHistogram(node.hist!, small)
          ;[lh, rh] = leftSmaller ? [small, node.hist] : [node.hist, small]
        } else this.pool.push(node.hist!) // the children are at the depth limit: leaves, no histogram needed
        const l = make(node.start, mid, s.GL, s.HL, lh)
        const r = make(mid, node.end, node.G - s.GL, node.H - s.HL, rh)
        builder.split(node.id, s.feature, threshold, l.id, r.id, s.defaultLeft)
        gains[node.id] = s.gain
        next.push(l, r)
      }
      level = next
    }
    // prune splits gaining less than gamma whose children are leaves (children come after parents)
    const t = builder.current
    if (p.gamma > 0)
      for (let id = builder.size - 1; id >= 0; id--)
        if (t.feature[id] >= 0 && t.feature[t.left[id]] < 0 && t.feature[t.right[id]] < 0 && gains[id] < p.gamma)
          builder.unsplit(id)
    const visit = (id: number) => {
      if (t.feature[id] < 0) leaf(segments[id * 2], segments[id * 2 + 1], t.value[id])
      else {
        visit(t.left[id])
        visit(t.right[id])
      }
    }
    visit(0)
    return builder.finish()
  }

  /** Moves the node's rows going left to the front of its segment; returns the boundary. */
  private partition(rows: Int32Array, start: number, end: number, s: BinSplit): number {
    const { columns, rows: n, missing } = this.bins
    const tmp = this.tmp
    const o = s.feature * n
    const bin = s.bin
    const defaultLeft = s.defaultLeft
    let w = start
    let t = 0
    for (let i = start; i < end; i++) {
      const r = rows[i]
      const c = columns[o + r]
      if (c === missing ? defaultLeft : c <= bin) rows[w++] = r
      else tmp[t++] = r
    }
    rows.set(tmp.subarray(0, t), w)
    return w
  }
}
