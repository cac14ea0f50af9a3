/**
 * Writes a small hand-made iris classifier to test_dir/model/model.onnx, for trying `serve` without
 * running `train` first. It classifies by petal length alone (column 3): ≤ 2.45 → 0 (setosa),
 * ≤ 4.85 → 1 (versicolor), else 2 (virginica) — 143 of the 150 iris rows right.
 *
 *   bun local_test/make_demo_model.ts [MODEL_DIR]      (default: local_test/test_dir/model)
 *
 * Outputs 'label' int64 [N] and 'probabilities' float32 [N, 3], so a CSV answer line is
 * `label,p0,p1,p2`. scripts/container-test.sh predicts the same labels with awk: keep the two in step.
 */
import { join } from 'node:path'
import { linearClassifierModel, writeModel } from '../test/fixtures/models.ts'

// logits: class 0 = 0; class 1 = 10·pl − 24.5 (> 0 past 2.45); class 2 = 20·pl − 73 (> class 1 past
// 4.85). Iris values have one decimal, so none sits on a boundary where float rounding could decide.
const weights = [
  [0, 0, 0, 0],
  [0, 0, 10, 0],
  [0, 0, 20, 0],
]
const bias = [0, -24.5, -73]

const dir = process.argv[2] ?? join(import.meta.dir, 'test_dir', 'model')
const path = join(dir, 'model.onnx')
await writeModel(path, linearClassifierModel({ features: 4, classes: 3, weights, bias }))
console.log(`wrote ${path}`)
