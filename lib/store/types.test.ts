// Rows and runs of rows: counting them and expanding runs into the rows they stand for.
import { describe, expect, it } from 'vitest';
import { allRows, rowCount, type TableRows } from './types.ts';

describe('TableRows', () => {
  it('counts and expands plain rows first, then each run row by row', () => {
    const t: TableRows = { table: 't', columns: ['a', 'b', 'c'], rows: [[0, 0, 0]], runs: [{ head: ['x', 1], tail: [[10, 20]] }, { head: ['y'], tail: [[2, 3], ['p', 'q']] }] };
    expect(rowCount(t)).toBe(5);
    expect(allRows(t)).toEqual([[0, 0, 0], ['x', 1, 10], ['x', 1, 20], ['y', 2, 'p'], ['y', 3, 'q']]);
    expect(rowCount({ table: 't', columns: [], rows: [[1], [2]] })).toBe(2);
  });

  it('refuses to expand a run whose columns differ in length', () => {
    expect(() => allRows({ table: 'samples', columns: ['a', 'b'], rows: [], runs: [{ head: [], tail: [[1, 2], [3]] }] })).toThrow(/samples/);
  });
});
