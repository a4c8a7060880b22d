import { describe, expect, it } from 'vitest';
import type { GroupFacts } from '../../shared/engine/protocol';
import type { NodeId } from '../../shared/engine/types';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { compareGroups, groupsWords, scoreRound } from '../../shared/results';
import { playClassRound, scriptedRound, type ClassRound } from './helpers';

const students = (names: string[], first = 1) => names.map((nickname, i) => ({ node: first + i, nickname, from: 0, to: null }));

/**
 * Five groups of a class of one protocol, the same setup each: students at B to E, a bot at A. In
 * groups 2 and 4 the instructor crashes node A (2PC's coordinator) at tick 4, for good; in group 4 the
 * student at A makes one move only, so that it crashes before it decides.
 */
function classGroups(protocol: string): ClassRound[] {
  return [1, 2, 3, 4, 5].map((group) =>
    playClassRound({
      protocol,
      nodes: 5,
      seed: 40 + group,
      group,
      students: [
        ...(group === 4 ? [{ nickname: `A${group}`, node: 0, movesAtMost: 1 }] : []),
        ...[1, 2, 3, 4].map((node) => ({ nickname: `S${group}${node}`, node })),
      ],
      faults: group === 2 || group === 4 ? { 4: [{ type: 'crash' as const, node: 0 }] } : {},
      ticks: 120,
      untilTicks: true,
    }),
  );
}

describe('the groups compared', () => {
  it('names groups as a sentence does', () => {
    expect(groupsWords([2])).toBe('Group 2');
    expect(groupsWords([1, 3])).toBe('Groups 1 and 3');
    expect(groupsWords([1, 3, 4])).toBe('Groups 1, 3 and 4');
  });

  // A class never plays a protocol kept for its lesson.
  for (const protocol of protocolNames().filter((p) => !protocolFor(p).lessonOnly)) {
    it(`${protocol}: names each outcome once, with every group that came to it, then each group's story in the protocol's words`, () => {
      const facts = classGroups(protocol).map((r) => scoreRound(r.played).facts);
      const words = protocolFor(protocol).present.reveal;
      // Given out of order, told in the groups' order.
      const sentences = compareGroups([...facts].reverse());
      const outcomes = new Map<string, number[]>();
      for (const f of facts) outcomes.set(words.groupOutcome(f), [...(outcomes.get(words.groupOutcome(f)) ?? []), f.group]);
      const head = sentences.slice(0, outcomes.size);
      // Every group is named in exactly one outcome sentence, together with the groups whose round came to the same.
      expect(head).toEqual([...outcomes].map(([w, groups]) => `${groupsWords(groups)} ${w}.`));
      expect(head.join(' ').match(/\d+/g)!.map(Number).sort()).toEqual([1, 2, 3, 4, 5]);
      // Groups named together came to the same outcome in the engine's state.
      for (const groups of outcomes.values()) {
        const states = groups.map((g) => facts.find((f) => f.group === g)!).map((f) => [f.outcome, f.stuck]);
        expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(1);
      }
      expect(sentences.slice(outcomes.size)).toEqual(facts.flatMap((f) => words.groupDetails(f)));
      for (const sentence of sentences.slice(outcomes.size)) expect(sentence).toMatch(/^In group [1-5], /);
    });
  }

  it("2PC: counts the students blocked in doubt by the coordinator's crash from the engine's state, and for how long", () => {
    for (const round of classGroups('2pc').filter((r) => r.played.group === 2 || r.played.group === 4)) {
      const facts = scoreRound(round.played).facts;
      const crashTick = 4;
      const end = round.world.tick;
      // Each participant's YES vote, seen in the worlds themselves; with the coordinator down from tick 4 to the end, the block lasts from the later of the two.
      const blocked = new Map<NodeId, number>();
      for (let node = 1; node < 5; node++) {
        const votedAt = round.worlds.find((w) => (w.nodes[node]!.durable as { vote: string | null }).vote === 'yes');
        const decided = round.worlds.find((w) => (w.nodes[node]!.durable as { outcome: string | null }).outcome !== null);
        if (!votedAt) continue;
        const until = decided ? decided.tick : end;
        const ticks = until - Math.max(votedAt.tick, crashTick);
        if (ticks > 0) blocked.set(node, ticks);
      }
      const sentences = compareGroups([facts]);
      const doubt = sentences.find((s) => s.includes("coordinator's crash"));
      if (blocked.size === 0) {
        expect(doubt).toBeUndefined();
        continue;
      }
      const longest = Math.max(...blocked.values());
      const same = [...blocked.values()].every((t) => t === longest);
      const numbers = ['no', 'one', 'two', 'three', 'four'];
      expect(doubt).toBe(
        `In group ${facts.group}, the coordinator's crash left ${numbers[blocked.size]} student${blocked.size === 1 ? '' : 's'} blocked in doubt for ${same ? '' : 'up to '}${longest} ticks.`,
      );
    }
    // Group 4's coordinator crashed before deciding: its students were blocked, and the reveal says so.
    const group4 = compareGroups([scoreRound(classGroups('2pc')[3]!.played).facts]);
    expect(group4.some((s) => /^In group 4, the coordinator's crash left \w+ students? blocked in doubt/.test(s))).toBe(true);
  });

  it("2PC: the class's reveal as a lecture hears it, with four students in doubt and a bot among them", () => {
    const prepared = ['config 2pc nodes=5 seed=2 latency=1-1 timeout=10', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'act D vote msg=3 vote=yes', 'act E vote msg=4 vote=yes', 'tick'];
    const committed = (group: number) => scoreRound(scriptedRound([...prepared, 'act A decide outcome=commit', 'tick'], students(['Ed', 'Flo', 'Gus', 'Hal']), group).played).facts;
    const crashed = scoreRound(scriptedRound([...prepared, 'crash A', 'tick 40'], students(['Ada', 'Bo', 'Cy', 'Di']), 5).played).facts;
    const mixed = scoreRound(scriptedRound([...prepared, 'crash A', 'tick 3', 'recover A', 'act A decide outcome=abort', 'tick'], students(['Ida', 'Jo', 'Kim']), 2).played).facts;
    expect(compareGroups([committed(1), mixed, committed(3), committed(4), crashed])).toEqual([
      'Groups 1, 3 and 4 committed X.',
      'Group 2 aborted X.',
      'Group 5 decided nothing: the coordinator never logged a decision.',
      "In group 2, the coordinator's crash left three students and a bot blocked in doubt for 3 ticks.",
      "In group 5, the coordinator's crash left four students blocked in doubt for 40 ticks.",
      'In group 5, four students voted YES and never learned the outcome.',
    ]);
  });

  it('majority: a split is told apart from a decision, and so are those who never learned the decree', () => {
    const decided = (group: number) =>
      scoreRound(scriptedRound(['config majority nodes=4 seed=1 latency=1-1', 'propose A X', 'act A putForward decree=X', 'tick', 'act A vote decree=X', 'act B vote decree=X', 'act C vote decree=X', 'tick 2'], students(['Ed', 'Flo', 'Gus']), group).played).facts;
    const split = scoreRound(
      scriptedRound(
        ['config majority nodes=4 seed=1 latency=1-1', 'propose A X', 'propose C Y', 'act A putForward decree=X', 'act C putForward decree=Y', 'tick', 'act A vote decree=X', 'act B vote decree=X', 'act C vote decree=Y', 'act D vote decree=Y', 'tick 2'],
        students(['Ada', 'Bo', 'Cy']),
        2,
      ).played,
    ).facts;
    // The network drops A's vote to D and B's vote to C: only A and B count three votes.
    const partial = scoreRound(
      scriptedRound(['config majority nodes=4 seed=1 latency=1-1', 'propose A X', 'act A putForward decree=X', 'tick', 'act A vote decree=X', 'act B vote decree=X', 'act C vote decree=X', 'drop 6', 'drop 8', 'tick 2'], students(['Ida', 'Jo', 'Kim']), 4).played,
    ).facts;
    expect(split.stuck).toBe(true);
    expect(compareGroups([decided(1), split, decided(3), partial])).toEqual([
      'Groups 1, 3 and 4 decided X.',
      'Group 2 split for good: no decree can reach a majority, and locked votes cannot change.',
      'In group 4, X was chosen, but two students never learned it.',
    ]);
  });

  it('Paxos: a ballot started after the value was chosen is not counted; a group that chose nothing says so', () => {
    const chosen = ['config paxos nodes=3 seed=1 latency=1-1', 'propose A X', 'act C prepare ballot=1', 'act A prepare ballot=2', 'tick', 'act B promise msg=3', 'act C promise msg=4', 'tick', 'act A propose value=X', 'tick', 'act B accept msg=7'];
    // X is chosen when B accepts; the ACCEPTED it sends has not reached A and C when the round ends, and B has started ballot 3.
    const after = scoreRound(scriptedRound([...chosen, 'act B prepare ballot=3'], students(['Ada', 'Bo'])).played).facts;
    const none = scoreRound(scriptedRound(['config paxos nodes=3 seed=1 latency=1-1', 'propose A X', 'act A prepare ballot=1', 'tick 3'], students(['Ada', 'Bo']), 2).played).facts;
    const idle = scoreRound(scriptedRound(['config paxos nodes=3 seed=1 latency=1-1', 'propose A X', 'tick 3'], students(['Ada', 'Bo']), 3).played).facts;
    expect(compareGroups([after, none, idle])).toEqual([
      'Group 1 decided X.',
      'Groups 2 and 3 decided nothing: no decree reached a majority.',
      'In group 1, two ballots were started, by two proposers, before X was chosen.',
      'In group 1, X was chosen, but one student and a bot never learned it.',
      'In group 2, one ballot was started and no value was chosen.',
      'In group 3, no ballot was started.',
    ]);
  });

  it('Paxos: counts the ballots started before the value was chosen, and by how many proposers, from the moves', () => {
    for (const round of classGroups('paxos')) {
      const facts: GroupFacts = scoreRound(round.played).facts;
      const chosen = round.world.global.chosen[0];
      const prepares = round.played.log.flatMap((c, i) => (c.type === 'act' && c.action.kind === 'prepare' && (!chosen || i < chosen.step) ? [[c.node, c.action.ballot]] : []));
      const ballots = new Set(prepares.map((p) => JSON.stringify(p))).size;
      const proposers = new Set(prepares.map((p) => p[0])).size;
      const sentence = compareGroups([facts]).find((s) => s.includes('ballot'))!;
      const numbers = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
      const count = `${numbers[ballots] ?? ballots} ballot${ballots === 1 || ballots === 0 ? '' : 's'}`;
      expect(sentence.startsWith(`In group ${facts.group}, ${count}`)).toBe(true);
      expect(sentence.includes(`by ${numbers[proposers]} proposers`)).toBe(proposers > 1);
      expect(sentence.endsWith(chosen ? `before ${chosen.decree} was chosen.` : ballots === 0 ? 'no ballot was started.' : 'and no value was chosen.')).toBe(true);
    }
  });
});
