import { describe, expect, it } from 'vitest';
import { nodeName } from '../../shared/engine/names';
import { classLessonProblem, classLessons, LESSONS } from '../../shared/lessons';

describe('lessons a class can play', () => {
  it('are every playable lesson: each has student seats, a briefing for each seat, and the group\'s words for each objective', () => {
    expect(LESSONS.filter((l) => l.setup.students.length === 0).map((l) => l.id)).toEqual([]);
    expect(LESSONS.map((l) => classLessonProblem(l)).filter((p) => p !== null)).toEqual([]);
    expect(classLessons().map((l) => l.id)).toEqual(LESSONS.map((l) => l.id));
  });

  for (const lesson of LESSONS) {
    it(`lesson ${lesson.number}: briefs only its student seats, each by its own letter, and speaks to the group of nodes, not of "you"`, () => {
      const briefed = Object.keys(lesson.briefings ?? {}).map(Number).sort((a, b) => a - b);
      expect(briefed).toEqual([...lesson.setup.students].sort((a, b) => a - b));
      for (const seat of lesson.setup.students) {
        // A student reads who they are first; another seat's letter there would mislead them.
        expect(lesson.briefings![seat]).toMatch(new RegExp(`^You are ${nodeName(seat)}\\b`));
      }
      expect(lesson.setup.students).toContain(lesson.setup.player);
      const saysYou = lesson.steps.filter((s) => /\byou(r|rs|rself)?\b/i.test(s.groupTitle ?? '')).map((s) => s.id);
      expect(saysYou).toEqual([]);
      for (const step of lesson.steps) expect(step.groupTitle).toMatch(/[.?]$/);
    });
  }
});
