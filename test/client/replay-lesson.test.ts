/** A lesson round in the replay viewer: its marks, objectives and debrief come from the lesson re-run over the stored log. */
import { describe, expect, it } from 'vitest';
import { parseRound, roundDocument, type RoundDocument } from '../../shared/engine/round';
import { LESSONS, lessonById, replayLesson } from '../../shared/lessons';
import { isLessonProblem, lessonMarksSeenBy, lessonReplayOf, objectivesReachedBy, seatHolders, type LessonMark, type LessonReplay } from '../../client/src/replay/lesson';
import { describeSummary, summaryOf } from '../../client/src/replay/library';
import { playToEnd } from '../lessons/helpers';
import { PLAYERS } from '../lessons/players';

/** A lesson played to its end as a solo room stores it: the lesson's id in meta, no nickname for the player. */
function soloRound(id: string): { doc: RoundDocument; played: ReturnType<typeof playToEnd> } {
  const lesson = lessonById(id)!;
  const played = playToEnd(lesson, PLAYERS[id]!(), 1);
  return { doc: roundDocument(played.round.config, played.round.log, { lesson: id, players: [] }), played };
}

describe('a lesson round in the replay viewer', () => {
  for (const lesson of LESSONS) {
    it(`"${lesson.id}": a mark at the step of every objective reached and every script rule fired, and the lesson's debrief`, () => {
      const { doc } = soloRound(lesson.id);
      const shown = lessonReplayOf(doc) as LessonReplay;
      expect(isLessonProblem(shown)).toBe(false);
      const players = [{ node: lesson.setup.player, nickname: 'you' }];
      const expected = replayLesson(lesson, { config: doc.config, log: doc.log, players });
      expect(shown.status).toBe('done');
      // The runner counts a moment by the command after which it held; the replay shows the world after it.
      expect(shown.objectives).toEqual(lesson.steps.map((o, i) => ({ title: o.title, step: expected.run.objectives[i]!.reached!.step + 1 })));
      const objectives = shown.marks.filter((m) => m.kind === 'objective');
      expect(objectives.map((m) => m.text).sort()).toEqual(lesson.steps.map((o) => o.title).sort());
      const script = shown.marks.filter((m) => m.kind === 'script');
      expect(script.map((m) => m.text)).toEqual(expected.run.fired.filter((f) => !f.refused).map((f) => f.why));
      for (const m of shown.marks) {
        expect(m.step).toBeGreaterThanOrEqual(0);
        expect(m.step).toBeLessThanOrEqual(doc.log.length);
      }
      // In step order, as the timeline draws them.
      expect(shown.marks.map((m) => m.step)).toEqual(shown.marks.map((m) => m.step).sort((a, b) => a - b));
      const debrief = lesson.debrief({ config: doc.config, log: doc.log, players }).lines.map((l) => l.text);
      expect(shown.debrief.length).toBe(debrief.length);
      shown.debrief.forEach((line, i) => expect(line.toLowerCase()).toBe(debrief[i]!.toLowerCase()));
    });
  }

  it('ticks the objectives as the replay reaches them', () => {
    const { doc } = soloRound('two-phase-commit');
    const shown = lessonReplayOf(doc) as LessonReplay;
    expect(objectivesReachedBy(shown, 0).every((t) => !t)).toBe(true);
    expect(objectivesReachedBy(shown, doc.log.length).every((t) => t)).toBe(true);
    const first = shown.objectives[0]!.step!;
    expect(objectivesReachedBy(shown, first - 1)[0]).toBe(false);
    expect(objectivesReachedBy(shown, first)[0]).toBe(true);
  });

  it("names the people who held the seats: a class round's holders, or a solo lesson's player as \"you\"", () => {
    const lesson = lessonById('two-phase-commit')!;
    const { doc } = soloRound(lesson.id);
    expect(seatHolders(doc, lesson)).toEqual([{ node: 0, nickname: 'you' }]);
    const inClass: RoundDocument = { ...doc, meta: { ...doc.meta, classCode: 'ABCDEF', holders: [{ node: 0, nickname: 'Ada', from: 0, to: null }], players: [{ node: 0, nickname: 'Ada' }] } };
    expect(seatHolders(inClass, lesson)).toEqual([{ node: 0, nickname: 'Ada' }]);
    expect((lessonReplayOf(inClass) as LessonReplay).debrief.join(' ')).toContain('Ada (A)');
  });

  it('hides the rules told only after the round from a node\'s point of view', () => {
    const marks: LessonMark[] = [
      { step: 1, tick: 0, kind: 'script', text: 'told at once', after: false },
      { step: 2, tick: 1, kind: 'script', text: 'told after', after: true },
      { step: 3, tick: 2, kind: 'objective', text: 'reached', after: false },
    ];
    expect(lessonMarksSeenBy(marks, 'god')).toEqual(marks);
    expect(lessonMarksSeenBy(marks, 1).map((m) => m.text)).toEqual(['told at once', 'reached']);
  });

  it('shows no lesson for a round that played none, and says why for a lesson it cannot show', () => {
    const { doc } = soloRound('two-phase-commit');
    expect(lessonReplayOf({ ...doc, meta: {} })).toBeNull();
    const unknown = lessonReplayOf({ ...doc, meta: { lesson: 'no-such-lesson' } });
    expect(isLessonProblem(unknown) && unknown.problem).toMatch(/does not have/);
    const other = lessonReplayOf({ ...doc, config: { ...doc.config, seed: doc.config.seed + 1 } });
    expect(isLessonProblem(other) && other.problem).toMatch(/not set up as the lesson/);
  });

  it('keeps the lesson through a round file, refuses a malformed one, and lists the round by its lesson', () => {
    const { doc } = soloRound('two-phase-commit');
    const parsed = parseRound(JSON.stringify(doc));
    expect(parsed.ok && parsed.round.meta.lesson).toBe('two-phase-commit');
    const bad = parseRound(JSON.stringify({ ...doc, meta: { lesson: '<b>x</b>' } }));
    expect(bad.ok).toBe(false);
    expect(describeSummary(summaryOf('r1', doc, 'solo'))).toMatch(/^Lesson 4: Two-phase commit/);
    expect(describeSummary(summaryOf('r2', { ...doc, meta: {} }, 'solo'))).not.toMatch(/Lesson/);
  });
});
