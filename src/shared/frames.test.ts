import { FieldType, toDataFrame } from '@grafana/data';

import { fieldsByName, numberAt, stringAt } from './frames';

describe('fieldsByName, numberAt and stringAt', () => {
  const frame = toDataFrame({
    fields: [
      { name: 'bin', type: FieldType.string, values: ['a', null] },
      { name: 'value', type: FieldType.number, values: [0.5, NaN] },
    ],
  });

  it('looks each name up, undefined when absent', () => {
    const f = fieldsByName(frame, ['bin', 'value', 'missing']);
    expect(f.bin?.name).toBe('bin');
    expect(f.value?.name).toBe('value');
    expect(f.missing).toBeUndefined();
  });

  it('reads a row as numberOrNull / stringOrEmpty would', () => {
    const f = fieldsByName(frame, ['bin', 'value', 'missing']);
    expect(numberAt(f.value, 0)).toBe(0.5);
    expect(numberAt(f.value, 1)).toBeNull();
    expect(numberAt(f.missing, 0)).toBeNull();
    expect(stringAt(f.bin, 0)).toBe('a');
    expect(stringAt(f.bin, 1)).toBe('');
    expect(stringAt(f.missing, 0)).toBe('');
  });
});
