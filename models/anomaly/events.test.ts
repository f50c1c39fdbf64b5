// Tests the event hysteresis: one incident gives one event, closing needs a quiet run, severity by peak.
import { describe, expect, it } from 'vitest';
import { createDetectorOutput, type DetectorOutput } from './detector.ts';
import { defaultEventParams, initEvents, stepEvents, type AnomalyEvent } from './events.ts';

const params = { openThreshold: 0.5, closeThreshold: 0.3, closeAfterPoints: 3, criticalThreshold: 0.8 };

function scored(score: number): DetectorOutput {
  return { ...createDetectorOutput(), score, rawScore: score, warm: true, expected: 10, detector: 'spike' };
}

function replay(scores: readonly number[]): { opened: AnomalyEvent[]; closed: AnomalyEvent[] } {
  const state = initEvents();
  const opened: AnomalyEvent[] = [];
  const closed: AnomalyEvent[] = [];
  scores.forEach((s, i) => {
    const r = stepEvents(state, i * 1000, 100 + i, scored(s), params);
    if (r.opened) opened.push(r.opened);
    if (r.closed) closed.push(r.closed);
  });
  return { opened, closed };
}

describe('stepEvents', () => {
  it.each([
    ['stays quiet below the open threshold', [0.1, 0.49, 0.2, 0.4], 0, 0],
    ['opens and closes one event for one incident', [0, 0.6, 0.4, 0.7, 0.2, 0.2, 0.2, 0], 1, 1],
    ['keeps one event across a short dip below close', [0.6, 0.1, 0.1, 0.6, 0.1, 0.1, 0.1], 1, 1],
    ['opens a second event after a full quiet run', [0.6, 0, 0, 0, 0.6, 0, 0, 0], 2, 2],
    ['leaves an event open while the score stays up', [0.6, 0.35, 0.35, 0.35, 0.35], 1, 0],
  ])('%s', (_name, scores, opens, closes) => {
    const r = replay(scores);
    expect(r.opened).toHaveLength(opens);
    expect(r.closed).toHaveLength(closes);
  });

  it('reports start, end, peak and severity of the incident', () => {
    const { closed } = replay([0, 0.6, 0.9, 0.4, 0.1, 0.1, 0.1]);
    expect(closed[0]).toEqual({
      start_ms: 1000,
      end_ms: 3000,
      peak_score: 0.9,
      severity: 'critical',
      expected: 10,
      observed: 102,
      detector: 'spike',
    });
  });

  it('grades a low peak as a warning', () => {
    expect(replay([0.6, 0, 0, 0]).closed[0]?.severity).toBe('warning');
  });

  it('ignores points during warm-up', () => {
    const state = initEvents();
    const out = { ...scored(1), warm: false };
    expect(stepEvents(state, 0, 1, out, defaultEventParams)).toEqual({});
  });

  it('uses the undamped score so refractory damping does not split an incident', () => {
    const state = initEvents();
    stepEvents(state, 0, 1, scored(0.9), params);
    const damped = { ...scored(0.2), rawScore: 0.9 };
    for (let i = 1; i < 10; i++) expect(stepEvents(state, i, 1, damped, params).closed).toBeUndefined();
  });
});
