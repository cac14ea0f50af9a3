import { describe, expect, test } from 'bun:test'
import { tableFromCsv } from '../../test/fixtures/train-data'
import { classesOf, encodeClasses, inferTask, integerText } from './labels'

const labels = (values: Array<string | number>) => tableFromCsv(values.map((v) => `${v},1`).join('\n'))

describe('labels', () => {
  test('integerText is exact for every whole-number spelling and null for fractions', () => {
    expect(integerText('7')).toBe(7n)
    expect(integerText(' -3 ')).toBe(-3n)
    expect(integerText('1.0')).toBe(1n)
    expect(integerText('1.5e1')).toBe(15n)
    expect(integerText('1152921504606846977')).toBe(2n ** 60n + 1n)
    expect(integerText('0.5')).toBeNull()
    expect(integerText('4503599627370495.5')).toBeNull() // a Number rounds it to a whole 2^52
    expect(integerText('cat')).toBeNull()
  })

  test('integer labels beyond 2^53 stay distinct string classes instead of merging', () => {
    const t = labels(['1152921504606846976', '1152921504606846977', '1152921504606846976'])
    const classes = classesOf(t)
    expect(classes).toEqual(['1152921504606846976', '1152921504606846977'])
    expect(Array.from(encodeClasses(t, classes, 'training'))).toEqual([0, 1, 0])
  })

  test('safe integer labels (also written as 1.0) stay numeric classes', () => {
    const t = labels(['1.0', '0', '2', '1'])
    expect(classesOf(t)).toEqual([0, 1, 2])
    expect(Array.from(encodeClasses(t, [0, 1, 2], 'training'))).toEqual([1, 0, 2, 1])
    expect(() => encodeClasses(labels(['0.5']), [0, 1, 2], 'validation')).toThrow(
      'validation label "0.5" is not one of the 3 classes',
    )
  })

  test('auto: more than 100 distinct whole numbers fail, asking for the task explicitly', () => {
    const prices = labels(Array.from({ length: 150 }, (_, i) => 1000 + i * 7))
    expect(() =>
      inferTask(prices, 'auto', {
        regression: 'objective=reg:squarederror',
        classification: 'objective=multi:softprob',
      }),
    ).toThrow(
      /whole numbers with 150 distinct values .*set objective=reg:squarederror .*or objective=multi:softprob if they really are 150 classes/,
    )
    expect(() => inferTask(prices, 'auto')).toThrow(/set task=regression .*or task=classification/)
    expect(inferTask(prices, 'regression')).toBe('regression')
    expect(inferTask(prices, 'classification')).toBe('classification')
    expect(inferTask(labels(Array.from({ length: 100 }, (_, i) => i)), 'auto')).toBe('classification')
    expect(inferTask(labels(['0.5', '1']), 'auto')).toBe('regression')
    expect(inferTask(labels(Array.from({ length: 150 }, (_, i) => `c${i}`)), 'auto')).toBe('classification')
  })
})
