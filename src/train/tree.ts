/**
 * A binary decision tree in flat typed arrays, the in-memory model both algorithms grow and the shape the
 * ONNX export walks. Node 0 is the root; a row goes left when x[feature] <= threshold (float32), and a
 * missing value (NaN) goes left only where missingLeft is set, exactly as the exported model decides.
 */
export interface Tree {
  /** Feature of each split node, -1 for a leaf. */
  feature: Int32Array
  threshold: Float32Array
  left: Int32Array
  right: Int32Array
  missingLeft: Uint8Array
  /** `width` values per node (class probabilities, or one regression value / boosting weight); set on leaves. */
  value: Float64Array
  width: number
}

/** Index of the leaf a row (features at x[offset..]) falls into. */
export function leafOf(tree: Tree, x: Float32Array, offset: number): number {
  const { feature, threshold, left, right, missingLeft } = tree
  let node = 0
  let f: number
  while ((f = feature[node]) >= 0) {
    const v = x[offset + f]
    node = v <= threshold[node] ? left[node] : v !== v && missingLeft[node] ? left[node] : right[node]
  }
  return node
}

export function countLeaves(tree: Tree): number {
  let n = 0
  for (let i = 0; i < tree.feature.length; i++) if (tree.feature[i] < 0) n++
  return n
}

export function depthOf(tree: Tree, node = 0): number {
  return tree.feature[node] < 0 ? 0 : 1 + Math.max(depthOf(tree, tree.left[node]), depthOf(tree, tree.right[node]))
}

/** Grows a tree node by node; arrays double as needed. */
export class TreeBuilder {
  private n = 0
  private cap = 64
  private t: Tree

  constructor(readonly width: number) {
    this.t = this.alloc(this.cap)
  }

  private alloc(cap: number): Tree {
    return {
      feature: new Int32Array(cap).fill(-1),
      threshold: new Float32Array(cap),
      left: new Int32Array(cap),
      right: new Int32Array(cap),
      missingLeft: new Uint8Array(cap),
      value: new Float64Array(cap * this.width),
      width: this.width,
    }
  }

  /** A new node, a leaf until split() makes it a split. */
  add(): number {
    if (this.n === this.cap) {
      const old = this.t
      this.cap *= 2
      this.t = this.alloc(this.cap)
      this.t.feature.set(old.feature)
      this.t.threshold.set(old.threshold)
      this.t.left.set(old.left)
      this.t.right.set(old.right)
      this.t.missingLeft.set(old.missingLeft)
      this.t.value.set(old.value)
    }
    return this.n++
  }

  split(node: number, feature: number, threshold: number, left: number, right: number, missingLeft: boolean): void {
    this.t.feature[node] = feature
    this.t.threshold[node] = threshold
    this.t.left[node] = left
    this.t.right[node] = right
    this.t.missingLeft[node] = missingLeft ? 1 : 0
  }

  /** Makes a split node a leaf again (pruning). */
  unsplit(node: number): void {
    this.t.feature[node] = -1
  }

  setValue(node: number, values: ArrayLike<number>): void {
    for (let k = 0; k < this.width; k++) this.t.value[node * this.width + k] = values[k]
  }

  /** The tree so far, as grown (node ids as given by add(), pruned nodes still present). */
  get current(): Tree {
    return this.t
  }

  get size(): number {
    return this.n
  }

  /** The finished tree, unreachable (pruned) nodes removed and the rest renumbered depth-first. */
  finish(): Tree {
    const t = this.t
    const out = this.alloc(this.n)
    let next = 0
    const copy = (node: number): number => {
      const id = next++
      for (let k = 0; k < this.width; k++) out.value[id * this.width + k] = t.value[node * this.width + k]
      if (t.feature[node] >= 0) {
        out.feature[id] = t.feature[node]
        out.threshold[id] = t.threshold[node]
        out.missingLeft[id] = t.missingLeft[node]
        out.left[id] = copy(t.left[node])
        out.right[id] = copy(t.right[node])
      }
      return id
    }
    copy(0)
    return {
      feature: out.feature.slice(0, next),
      threshold: out.threshold.slice(0, next),
      left: out.left.slice(0, next),
      right: out.right.slice(0, next),
      missingLeft: out.missingLeft.slice(0, next),
      value: out.value.slice(0, next * this.width),
      width: this.width,
    }
  }
}
