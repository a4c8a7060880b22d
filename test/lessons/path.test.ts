import { describe, expect, it } from 'vitest';
import { configProblem } from '../../shared/engine/world';
import { LESSON_PATH, LESSONS, lessonById, lessonConfig } from '../../shared/lessons';

describe('the essay\'s path', () => {
  it('lists the essay\'s fifteen places in order', () => {
    expect(LESSON_PATH.map((p) => p.number)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(LESSON_PATH.slice(12).map((p) => [p.title, p.lesson?.id ?? null])).toEqual([
      ['Leaders serialize decrees', 'leader-serializes'],
      ['Electing the leader', 'electing-leader'],
      ['Raft: Paxos with the leader built in', 'raft'],
    ]);
    // The essay's sections, in its order, each place under the section it sits in.
    const sections = [...new Set(LESSON_PATH.map((p) => p.essay))];
    expect(sections).toEqual([
      'The Atomic Commit Problem',
      'Consensus: A Related Problem',
      'Two-Phase Commit',
      'The FLP Result',
      'Atomic Commit in Real Life',
      'Paxos: Majority-Rules Two-Phase Commit',
      'Paxos: Better with Leaders',
      'Raft',
    ]);
  });

  it('holds every playable lesson at its own number, under its own section', () => {
    for (const entry of LESSON_PATH) {
      if (!entry.lesson) continue;
      expect(entry.lesson.number).toBe(entry.number);
      expect(entry.lesson.essay).toBe(entry.essay);
      expect(entry.lesson.title).toBe(entry.title);
    }
    expect(LESSONS.map((l) => l.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const lesson of LESSONS) expect(lessonById(lesson.id)).toBe(lesson);
    expect(lessonById('no-such-lesson')).toBeNull();
  });

  it('sets every playable lesson up as a round the engine and a class accept', () => {
    for (const lesson of LESSONS) {
      expect(configProblem(lessonConfig(lesson))).toBeNull();
      expect(lesson.setup.player).toBeLessThan(lesson.setup.nodes);
      expect(lesson.setup.students).toContain(lesson.setup.player);
      expect(lesson.setup.students.every((s) => s >= 0 && s < lesson.setup.nodes)).toBe(true);
      expect(lesson.steps.length).toBeGreaterThan(0);
    }
  });
});
