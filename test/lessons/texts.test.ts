import { describe, expect, it } from 'vitest';
import { legalActions, ruleBreakingActions } from '../../shared/engine/view';
import { protocolFor } from '../../shared/protocols';
import { LESSONS, type Lesson } from '../../shared/lessons';
import { playToEnd, worldsOf } from './helpers';
import { PLAYERS } from './players';

/**
 * Words a lesson may not use unless its protocol has the thing they name: each protocol's own
 * vocabulary, which a lesson of another protocol would be wrong to use.
 */
const FOREIGN: Record<string, RegExp[]> = {
  machine: [/\bmajorit/i, /\bballots?\b/i, /\bvot(e|es|ed|ing)\b/i, /\bcoordinator/i, /\bparticipant/i, /\bquorum/i, /\bpromis/i, /\baccept/i, /\bpropos/i, /\btally/i, /\bcandidate/i, /\bleader/i, /\bgossip/i, /\bchosen\b/i, /\bin doubt\b/i, /\bmessages?\b/i, /\bnodes\b/i, /\bPREPARE\b/, /\bCOMMIT\b/],
  generals: [/\bmajorit/i, /\bballots?\b/i, /\bcoordinator/i, /\bcommit/i, /\bvot(e|es|ed|ing)\b/i, /\bquorum/i, /\bparticipant/i, /\bchosen\b/i, /\bpropos/i, /\bpromis/i, /\bleader/i, /\btally/i, /\bcandidate/i, /\bdecree/i, /\bconsensus/i, /\bin doubt\b/i],
  '2pc': [/\bballots?\b/i, /\bPROMISE\b/, /\baccept/i, /\bpropos/i, /\bmajorit/i, /\bquorum/i, /\btally/i, /\bcandidate/i, /\bvictory\b/i, /\bgossip/i, /\bleader/i, /\bchosen\b/i],
  majority: [/\bballots?\b/i, /\bpromis/i, /\baccept/i, /\bproposer/i, /\bcoordinator/i, /\bparticipant/i, /\bin doubt\b/i, /\btimeout/i, /\bleader/i, /\bPREPARE\b/, /\bCOMMIT\b/, /\bABORT\b/],
  votelog: [/\bballots?\b/i, /\bpromis/i, /\baccept/i, /\bproposer/i, /\bcoordinator/i, /\bparticipant/i, /\bin doubt\b/i, /\btimeout/i, /\bleader/i, /\bvictory\b/i, /\bgossip/i, /\bPREPARE\b/, /\bCOMMIT\b/, /\bABORT\b/, /\bVICTORY\b/],
  // A lesson of Multi-Paxos may speak of the votes of the majority vote it is compared with, never of another protocol's roles.
  multipaxos: [/\bcoordinator/i, /\bparticipant/i, /\babort/i, /\bin doubt\b/i, /\bcandidate/i, /\bvictory\b/i, /\bgossip/i, /\bterms?\b/i, /\bCOMMIT\b/],
  // A lesson of Raft may liken terms to Paxos's ballots and its election to phase 1, never name another protocol's messages or roles.
  raft: [/\bcoordinator/i, /\bparticipant/i, /\babort/i, /\bin doubt\b/i, /\bvictory\b/i, /\bgossip/i, /\bproposer/i, /\bPREPARE\b/, /\bPROMISE\b/, /\bACCEPT\b/, /\bCOMMIT\b/],
  paxos: [/\bcoordinator/i, /\bparticipant/i, /\babort/i, /\bin doubt\b/i, /\bcandidate/i, /\bvictory\b/i, /\bvotes?\b/i, /\blocked\b/i, /\btally of votes\b/i],
};

/** A word in capitals: a message's or an outcome's name (C's is a node's name, not one). */
const CAPITALS = /\b[A-Z]{2,}(?:'[A-Z]+)?\b/g;

/** Capitals that name no message: the FLP result, after its authors' initials. */
const NAMES = new Set(['FLP']);

/** Every text of a lesson a student reads while playing: title, idea, objectives (the group's words too), hints, the script's lines, dead ends, the briefings of a class's seats. */
function playingTexts(lesson: Lesson): string[] {
  return [
    lesson.title,
    lesson.idea,
    ...lesson.steps.flatMap((s) => [s.title, ...(s.groupTitle ? [s.groupTitle] : []), ...s.hints.map((h) => h.text)]),
    ...Object.values(lesson.briefings ?? {}).flatMap((b) => (b ? [b] : [])),
    ...lesson.script.map((r) => r.why),
    ...(lesson.deadEnds ?? []).map((d) => d.text),
  ];
}

/** A played round of the lesson, its debrief's lines, and every button label and message label the player could meet in it. */
function played(lesson: Lesson): { debrief: string[]; labels: Set<string>; caps: Set<string> } {
  const round = playToEnd(lesson, PLAYERS[lesson.id]!(), 2).round;
  const protocol = protocolFor(lesson.setup.protocol);
  const labels = new Set<string>(Object.values(protocol.ruleTitles));
  const caps = new Set<string>(Object.values(protocol.present.messages).map((m) => (m as { short: string }).short));
  for (const world of worldsOf(round.config, round.log)) {
    for (const a of legalActions(world, lesson.setup.player)) labels.add(protocol.actionLabel(a));
    for (const m of ruleBreakingActions(world, lesson.setup.player)) labels.add(protocol.actionLabel(m.action));
    for (const node of world.nodes) for (const a of legalActions(world, node.id)) caps.add(protocol.actionLabel(a));
    for (const m of world.inFlight) caps.add(protocol.label(m.payload));
  }
  for (const label of labels) caps.add(label);
  return { debrief: lesson.debrief(round).lines.map((l) => l.text), labels, caps };
}

describe('the lessons\' words', () => {
  const rounds = new Map(LESSONS.map((lesson) => [lesson.id, played(lesson)]));
  for (const lesson of LESSONS) {
    describe(`lesson ${lesson.number}, ${lesson.title}`, () => {
      const texts = playingTexts(lesson);
      const { debrief, labels } = rounds.get(lesson.id)!;
      // The capitals of every lesson of the same protocol: a COMMIT one lesson never sends is still 2PC's.
      const caps = new Set(LESSONS.filter((l) => l.setup.protocol === lesson.setup.protocol).flatMap((l) => [...rounds.get(l.id)!.caps]));

      it(`names only what ${lesson.setup.protocol} has, in every text and the debrief`, () => {
        const wrong = [...texts, ...debrief].flatMap((text) => FOREIGN[lesson.setup.protocol]!.filter((p) => p.test(text)).map((p) => `${String(p)} in: ${text}`));
        expect(wrong).toEqual([]);
      });

      it('writes in capitals only the messages and outcomes of its protocol', () => {
        const words = new Set([...NAMES, ...[...caps].flatMap((label) => label.match(CAPITALS) ?? [])]);
        const stray = [...texts, ...debrief].flatMap((text) => (text.match(CAPITALS) ?? []).filter((w) => !words.has(w)).map((w) => `${w} in: ${text}`));
        expect(stray).toEqual([]);
      });

      it('quotes only buttons the player really has, and rules the protocol really has', () => {
        const quoted = texts.flatMap((text) => [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
        expect(quoted.filter((q) => !labels.has(q))).toEqual([]);
      });

      it('has an idea of two or three sentences, and objectives that each say what to do or notice', () => {
        const sentences = lesson.idea.split(/(?<=[.!?])\s+/).filter((s) => s.length > 0);
        expect(sentences.length).toBeGreaterThanOrEqual(2);
        expect(sentences.length).toBeLessThanOrEqual(3);
        for (const step of lesson.steps) expect(step.title).toMatch(/[.?]$/);
        for (const rule of lesson.script) expect(rule.why).toMatch(/[.]$/);
      });
    });
  }

  it('would catch a 2PC lesson that speaks of ballots, and a capital word no protocol has', () => {
    expect(FOREIGN['2pc']!.some((p) => p.test('Start a higher ballot.'))).toBe(true);
    expect(FOREIGN.paxos!.some((p) => p.test('The coordinator crashes.'))).toBe(true);
    expect("Send NOPE to C's DON'T now".match(CAPITALS)).toEqual(['NOPE', "DON'T"]);
  });
});
