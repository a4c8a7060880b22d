import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { EngineEvent, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import { playLesson, type LessonRound } from '../../shared/lessons';
import { raftLesson as lesson } from '../../shared/lessons/raft';
import type { RaftDurable, RaftGlobal, RaftPayload, RaftVolatile } from '../../shared/protocols/raft';
import { raftServer } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom } from './helpers';

const runner = raftServer();
const name = (id: number): string => (id === 1 ? 'Ada (B)' : 'ABCDE'[id]!);
const durable = (w: World, id: number): RaftDurable => w.nodes[id]!.durable as RaftDurable;
const volatile = (w: World, id: number): RaftVolatile => w.nodes[id]!.volatile as RaftVolatile;
const leaders = (w: World): RaftGlobal['leaders'] => (w.global.protocol as RaftGlobal).leaders;

/** Every world and every command's events of a round, stepped on its own. */
function trace(round: LessonRound): { worlds: World[]; events: EngineEvent[][] } {
  const worlds = [createWorld(round.config)];
  const events: EngineEvent[][] = [];
  for (const command of round.log) {
    const result = step(worlds[worlds.length - 1]!, command);
    if (!result.ok) throw new Error(result.rejection.message);
    worlds.push(result.world);
    events.push([...result.events]);
  }
  return { worlds, events };
}

/** Who stood in a term, with the tick, from the log: the moves to stand, and the term each moved to. */
function stood(round: LessonRound, worlds: World[], term: number): { node: number; tick: number }[] {
  return round.log.flatMap((c, i) => (c.type === 'act' && c.action.kind === 'startElection' && durable(worlds[i + 1]!, c.node).term === term ? [{ node: c.node, tick: worlds[i + 1]!.tick }] : []));
}

/** The votes granted to a node in a term, from the messages sent. */
function granted(events: EngineEvent[][], to: number, term: number): number {
  return events.flat().filter((e) => {
    if (e.type !== 'sent' || e.message?.to !== to) return false;
    const p = e.message.payload as unknown as RaftPayload;
    return p.kind === 'voteReply' && p.granted && p.term === term;
  }).length;
}

describe('lesson 15: Raft, Paxos with the leader built in', () => {
  it('reaches every objective whatever the bots do: term 1 splits, a later term elects one leader, and X is committed in its term and applied by B', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, runner, botSeed);
      const reached = played.run.objectives.map((o) => o.reached!.step);
      expect([...reached].sort((a, b) => a - b)).toEqual(reached);
      const { worlds, events } = trace(played.round);
      const last = worlds[worlds.length - 1]!;
      // Two or more stood in term 1, each with its own vote and at most one other: nobody led term 1.
      const first = stood(played.round, worlds, 1);
      expect(first.length).toBeGreaterThanOrEqual(2);
      for (const c of first) expect(granted(events, c.node, 1)).toBeLessThanOrEqual(1);
      expect(leaders(last).some((l) => l.term === 1)).toBe(false);
      // A later term elected exactly one leader, and nobody else was elected in the round.
      expect(leaders(last)).toHaveLength(1);
      const { term, node } = leaders(last)[0]!;
      expect(term).toBeGreaterThanOrEqual(2);
      expect(stood(played.round, worlds, term).some((c) => c.node === node)).toBe(true);
      // X is in the leader's log in its term, committed, and B applied it.
      const x = durable(last, node).log.findIndex((e) => e.value === 'X');
      expect(durable(last, node).log[x]!.term).toBe(term);
      expect(last.global.chosen.some((c) => c.decree === 'X' && c.slot === x)).toBe(true);
      expect(durable(last, 1).log.slice(0, volatile(last, 1).lastApplied).map((e) => e.value)).toContain('X');
    }
  });

  it('comes to an end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 6)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('tells each term\'s candidates, their votes and the winner from the round itself', () => {
    for (const botSeed of [1, 5]) {
      const played = playToEnd(lesson, runner, botSeed);
      const { worlds, events } = trace(played.round);
      const debrief = lesson.debrief(played.round);
      expect(linesOf(debrief, 'outcome')).toEqual(['Committed: X.']);
      const [blocked] = linesOf(debrief, 'blocked');
      const first = stood(played.round, worlds, 1).map((c) => `${name(c.node)} at tick ${c.tick} (${granted(events, c.node, 1) + 1} vote`);
      expect(blocked).toMatch(/^In term 1, /);
      for (const f of first) expect(blocked).toContain(f);
      expect(blocked).toContain('none had the 3 votes a majority needs: the vote split, and nobody led term 1.');
      const last = worlds[worlds.length - 1]!;
      const { term, node } = leaders(last)[0]!;
      const won = worlds.find((w) => leaders(w).length > 0)!.tick;
      const story = linesOf(debrief, 'story').find((l) => l.startsWith(`In term ${term},`))!;
      expect(story).toContain(`${name(node)} won at tick ${won}, once 3 votes, a majority, were its own`);
    }
  });

  it('tells what equal election timeouts would have done with the same round, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, runner, 3);
    const { worlds } = rerunFrom(lesson, played.round, 0, null, { electionTimeout: { min: 10, max: 10 } });
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toMatch(/^With every election timeout exactly 10 ticks, the same round, played on by bots, would have split the vote in \d+ terms?/);
    const elected = worlds.find((w) => leaders(w).length > 0);
    if (elected) expect(sentence).toContain(`elected ${'ABCDE'[leaders(elected)[0]!.node]} in term ${leaders(elected)[0]!.term} at tick ${elected.tick}`);
    else expect(sentence).toContain('elected nobody');
  });
});
