import { describe, expect, it } from 'vitest';
import { createSerial } from './serial.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('serial', () => {
  it('starts each piece only after the one before it has settled, in the order given', async () => {
    const serial = createSerial();
    const events: string[] = [];
    const piece = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = serial.run(piece('a'));
    const b = serial.run(piece('b', true));
    const c = serial.run(piece('c'));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b'); // its own failure, and only its own
    await expect(c).resolves.toBe('c');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('settles once everything given so far has, without rejecting for a failed piece', async () => {
    const serial = createSerial();
    let done = false;
    void serial.run(async () => {
      await tick();
      throw new Error('x');
    }).catch(() => undefined);
    void serial.run(async () => {
      await tick();
      done = true;
    });
    await serial.settled();
    expect(done).toBe(true);
  });
});
