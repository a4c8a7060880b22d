import { describe, expect, it } from 'vitest';
import type { NodeId, World } from '../../shared/engine/types';
import { protocolFor } from '../../shared/protocols';
import { HOLD_UP_TICKS, holdUps } from '../../shared/results';
import { playClassRound, scriptedRound } from './helpers';
import { classProtocols } from '../engine/helpers';

describe('who holds up their group', () => {
  // Class rounds: a protocol played only in its lesson has none.
  for (const protocol of classProtocols()) {
    it(`${protocol}: a student whose message has waited ${HOLD_UP_TICKS} ticks, in the protocol's word for it; nobody sooner, and never a bot`, () => {
      const students = new Map<NodeId, string>([
        [1, 'Ada'],
        [2, 'Bo'],
      ]);
      const looks = protocolFor(protocol).present.messages as Record<string, { short: string }>;
      let told = 0;
      // Ada (B) never answers; Bo (C) presses any button now and then; bots hold A, D and E and wait long before they give up.
      for (let seed = 1; seed <= 20 && told === 0; seed++) {
        const round = playClassRound({
          protocol,
          nodes: 5,
          seed,
          group: 1,
          // Long, so that no 2PC or Paxos node gives up within the round; Multi-Paxos elects its first
          // leader only when a timeout has passed, so it gets a short one.
          settings: { timeoutTicks: protocol === 'multipaxos' ? 30 : 300 },
          students: [
            { nickname: 'Ada', node: 1, movesAtMost: 0 },
            { nickname: 'Bo', node: 2, anyButton: true },
          ],
          ticks: 120,
          untilTicks: true,
        });
        for (const world of round.worlds) {
          const expected = [...students].flatMap(([node, nickname]) => {
            const inbox = world.nodes[node]!.inbox;
            if (inbox.length === 0) return [];
            const oldest = [...inbox].sort((a, b) => a.deliveredAt - b.deliveredAt)[0]!;
            const ticks = world.tick - oldest.deliveredAt;
            if (ticks < HOLD_UP_TICKS) return [];
            const word = looks[oldest.payload.kind]!.short;
            return [{ ticks, text: `${nickname} has had ${/^[AEIO]/.test(word) ? 'an' : 'a'} ${word} waiting for ${ticks} ticks` }];
          });
          const found = holdUps(world, students);
          expect(found.map((h) => h.text)).toEqual(expected.sort((a, b) => b.ticks - a.ticks).map((e) => e.text));
          for (const h of found) expect(h.waiting).toBe(world.nodes[h.node]!.inbox.length);
          told += found.filter((h) => h.nickname === 'Ada').length;
          // A bot's inbox is nobody's hold-up, however long it waits.
          const bots = world.nodes.filter((n) => !students.has(n.id) && n.inbox.some((m) => world.tick - m.deliveredAt >= HOLD_UP_TICKS));
          for (const bot of bots) expect(found.some((h) => h.node === bot.id)).toBe(false);
        }
      }
      expect(told).toBeGreaterThan(0);
    });
  }

  it('2PC: "Ada has had a PREPARE waiting for 60 ticks", at 60 ticks and not at 59; a lower threshold tells sooner', () => {
    // The PREPAREs reach B and C at tick 1; Bo (C) votes at once, Ada (B) never does.
    const lines = ['config 2pc nodes=3 seed=2 latency=1-1 timeout=100', 'propose A X', 'act A prepare decree=X', 'tick', 'act C vote msg=2 vote=yes', 'tick 60'];
    const round = scriptedRound(lines, []);
    const students = new Map<NodeId, string>([
      [1, 'Ada'],
      [2, 'Bo'],
    ]);
    const at = (tick: number): World => round.worlds.filter((w) => w.tick === tick).at(-1)!;
    expect(holdUps(at(60), students)).toEqual([]);
    expect(holdUps(at(61), students)).toEqual([
      { node: 1, nickname: 'Ada', messageId: 1, kind: 'prepare', word: 'PREPARE', deliveredAt: 1, ticks: 60, waiting: 1, text: 'Ada has had a PREPARE waiting for 60 ticks' },
    ]);
    expect(holdUps(at(11), students, 10).map((h) => h.text)).toEqual(['Ada has had a PREPARE waiting for 10 ticks']);
    expect(holdUps(at(10), students, 10)).toEqual([]);
  });

  it('Paxos: "an ACCEPT", and the longest wait first', () => {
    // The ACCEPTs (#5 to B, #6 to C) leave at tick 2; the network holds B's up for 5 ticks.
    const lines = ['config paxos nodes=3 seed=1 latency=1-1', 'propose A X', 'act A prepare ballot=1', 'tick', 'act B promise msg=1', 'act C promise msg=2', 'tick', 'act A propose value=X', 'delay 5 5', 'tick 71'];
    const world = scriptedRound(lines, []).world;
    const found = holdUps(world, new Map<NodeId, string>([[1, 'Ada'], [2, 'Bo']]));
    expect(found.map((h) => h.text)).toEqual(['Bo has had an ACCEPT waiting for 70 ticks', 'Ada has had an ACCEPT waiting for 65 ticks']);
  });
});
