import { describe, expect, test } from 'bun:test'
import { cleanOrtMessage, runFailure } from './ort-message'

describe('cleanOrtMessage', () => {
  test('drops source paths and C++ signatures, keeps the words', () => {
    const raw =
      'Exception during initialization: /onnxruntime_src/onnxruntime/core/providers/cpu/text/string_normalizer.cc:235 onnxruntime::StringNormalizer::Locale::Locale(const std::string&)::<lambda()> Failed to construct locale with name:en_US.UTF-8\n'
    expect(cleanOrtMessage(raw)).toBe(
      'Exception during initialization: Failed to construct locale with name:en_US.UTF-8',
    )
  })
  test('names the failing node plainly', () => {
    const raw =
      "Non-zero status code returned while running Concat node. Name:'/Concat' Status Message: concatbase.h:133 PrepareForComputeImpl Non concat axis dimensions must match: Axis 0 has mismatched dimensions of 1 and 2"
    expect(cleanOrtMessage(raw)).toBe(
      "Concat node '/Concat': Non concat axis dimensions must match: Axis 0 has mismatched dimensions of 1 and 2",
    )
  })
})

describe('runFailure', () => {
  test('an index outside a table is the client value: 400', () => {
    const e = runFailure(
      new Error(
        "Non-zero status code returned while running Gather node. Name:'/emb/Gather' Status Message: indices element out of data bounds, idx=12 must be within the inclusive range [-10,9]",
      ),
    )
    expect(e.status).toBe(400)
    expect(e.message).toBe(
      "the model rejected an input value: Gather node '/emb/Gather': indices element out of data bounds, idx=12 must be within the inclusive range [-10,9]",
    )
  })
  test('anything else is the model: 500', () => {
    expect(runFailure(new Error('boom')).status).toBe(500)
  })
})
