import { describe, expect, test } from 'bun:test'
import { loadConfig, logFormatFrom } from './config'
import { StartupError } from './errors'

describe('loadConfig', () => {
  test('defaults are the SageMaker ones', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      mlRoot: '/opt/ml',
      modelDir: '/opt/ml/model',
      port: 8080,
      timeoutSeconds: 60,
      maxPayloadBytes: 6 * 1024 * 1024,
    })
    expect(c.payloadConfigured).toBe(false)
    expect(Object.isFrozen(c)).toBe(true)
  })
  test('BYOC_ML_ROOT relocates the tree; SM_MODEL_DIR moves the model dir alone', () => {
    expect(loadConfig({ BYOC_ML_ROOT: '/tmp/x' })).toMatchObject({
      modelDir: '/tmp/x/model',
      outputDir: '/tmp/x/output',
    })
    expect(loadConfig({ BYOC_ML_ROOT: '/tmp/x', SM_MODEL_DIR: '/m' })).toMatchObject({
      modelDir: '/m',
      inputDir: '/tmp/x/input',
    })
  })
  test('multi-model: SAGEMAKER_MULTI_MODEL, models under <ml root>/models, memory budget and Worker cap', () => {
    expect(loadConfig({})).toMatchObject({ multiModel: false, modelsDir: '/opt/ml/models', mmeMemoryBytes: null })
    expect(
      loadConfig({
        SAGEMAKER_MULTI_MODEL: 'true',
        BYOC_ML_ROOT: '/tmp/x',
        BYOC_MME_MEMORY_BYTES: '1000000',
        BYOC_MME_MAX_WORKERS: '3',
      }),
    ).toMatchObject({ multiModel: true, modelsDir: '/tmp/x/models', mmeMemoryBytes: 1_000_000, mmeMaxWorkers: 3 })
    expect(() => loadConfig({ BYOC_MME_MEMORY_BYTES: 'lots' })).toThrow(/BYOC_MME_MEMORY_BYTES="lots"/)
  })
  test('BYOC_HANDLER_LOAD_TIMEOUT: seconds, 300 by default, validated', () => {
    expect(loadConfig({}).handlerLoadTimeoutSeconds).toBe(300)
    expect(loadConfig({ BYOC_HANDLER_LOAD_TIMEOUT: '2.5' }).handlerLoadTimeoutSeconds).toBe(2.5)
    expect(() => loadConfig({ BYOC_HANDLER_LOAD_TIMEOUT: '0' })).toThrow(
      /BYOC_HANDLER_LOAD_TIMEOUT="0" must be a number/,
    )
  })
  test('SageMaker names win over the short ones', () => {
    const c = loadConfig({
      SAGEMAKER_MODEL_SERVER_TIMEOUT: '5',
      MODEL_SERVER_TIMEOUT: '9',
      SAGEMAKER_MODEL_SERVER_WORKERS: '3',
      MODEL_SERVER_WORKERS: '1',
    })
    expect(c.timeoutSeconds).toBe(5)
    expect(c.workers).toBe(3)
  })
  test('payload limit, batch strategy and port', () => {
    const c = loadConfig({
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '20',
      SAGEMAKER_BATCH_STRATEGY: 'SingleRecord',
      SAGEMAKER_BIND_TO_PORT: '9000',
      SAGEMAKER_BATCH: 'true',
    })
    expect(c).toMatchObject({
      maxPayloadBytes: 20 * 1024 * 1024,
      payloadConfigured: true,
      batchStrategy: 'SINGLE_RECORD',
      port: 9000,
      batchTransform: true,
    })
  })
  test('every bad variable is named in one error', () => {
    try {
      loadConfig({ SAGEMAKER_BIND_TO_PORT: 'eighty', BYOC_DEVICE: 'tpu', MODEL_SERVER_WORKERS: '0' })
      throw new Error('expected a StartupError')
    } catch (e) {
      expect(e).toBeInstanceOf(StartupError)
      const m = (e as Error).message
      expect(m).toContain('SAGEMAKER_BIND_TO_PORT="eighty"')
      expect(m).toContain('BYOC_DEVICE="tpu"')
      expect(m).toContain('MODEL_SERVER_WORKERS="0"')
    }
  })
  test('BYOC_OUTPUTS is a list; BYOC_CSV_HEADER is null unless set', () => {
    expect(loadConfig({ BYOC_OUTPUTS: 'label, probabilities' }).outputs).toEqual(['label', 'probabilities'])
    expect(loadConfig({}).csvHeader).toBeNull()
    expect(loadConfig({ BYOC_CSV_HEADER: 'present' }).csvHeader).toBe('present')
  })
  test('observability: metrics on, Server-Timing off and text logs by default; each can be switched', () => {
    expect(loadConfig({})).toMatchObject({ metrics: true, serverTiming: false, logFormat: 'text' })
    expect(loadConfig({ BYOC_METRICS: 'false', BYOC_SERVER_TIMING: 'true', BYOC_LOG_FORMAT: 'JSON' })).toMatchObject({
      metrics: false,
      serverTiming: true,
      logFormat: 'json',
    })
  })
  test('BYOC_HANDLER_TYPECHECK: on by default, off with false, anything else named', () => {
    expect(loadConfig({}).handlerTypecheck).toBe(true)
    expect(loadConfig({ BYOC_HANDLER_TYPECHECK: 'false' }).handlerTypecheck).toBe(false)
    expect(() => loadConfig({ BYOC_HANDLER_TYPECHECK: 'sometimes' })).toThrow(
      /BYOC_HANDLER_TYPECHECK="sometimes" must be true or false/,
    )
  })
  test('BYOC_LOG_FORMAT alone can be read when the rest of the environment is bad', () => {
    expect(() => loadConfig({ BYOC_LOG_FORMAT: 'json', BYOC_PORT: 'x' })).toThrow(/BYOC_PORT/)
    expect(logFormatFrom({ BYOC_LOG_FORMAT: ' JSON ' })).toBe('json')
    expect(logFormatFrom({ BYOC_LOG_FORMAT: 'xml' })).toBe('text')
    expect(logFormatFrom({})).toBe('text')
  })
})
