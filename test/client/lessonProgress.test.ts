import { describe, expect, it } from 'vitest';
import { lessonsDone, markLessonDone } from '../../client/src/lessonProgress';

/** A Storage of one Map, as a browser's localStorage behaves for these calls. */
function memoryStorage(initial: Record<string, string> = {}): Pick<Storage, 'getItem' | 'setItem'> {
  const map = new Map(Object.entries(initial));
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('lesson progress', () => {
  it('keeps each finished lesson once, and reads it back', () => {
    const storage = memoryStorage();
    expect([...lessonsDone(storage)]).toEqual([]);
    markLessonDone('two-phase-commit', storage);
    markLessonDone('two-phase-commit', storage);
    markLessonDone('split-vote', storage);
    expect([...lessonsDone(storage)]).toEqual(['two-phase-commit', 'split-vote']);
  });

  it('reads nothing from what is not a list of ids, and plays on when the browser keeps nothing', () => {
    expect([...lessonsDone(memoryStorage({ 'quorum.lessonsDone': '{oops' }))]).toEqual([]);
    expect([...lessonsDone(memoryStorage({ 'quorum.lessonsDone': '[1, "liveness", null]' }))]).toEqual(['liveness']);
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(() => markLessonDone('liveness', full)).not.toThrow();
    expect(lessonsDone(null).size).toBe(0);
  });
});
