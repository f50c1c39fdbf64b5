import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('writes a header, CRLF lines, and quotes only fields that need it', () => {
    const rows = [
      { a: 'plain', b: 1.5, c: null },
      { a: 'with, comma', b: -2, c: { host: 'h "1"' } },
      { a: 'line\nbreak', b: 0, c: 'x' },
    ];
    expect(toCsv(['a', 'b', 'c'], rows)).toBe('a,b,c\r\nplain,1.5,\r\n"with, comma",-2,"{""host"":""h \\""1\\""""}"\r\n"line\nbreak",0,x\r\n');
  });
});
