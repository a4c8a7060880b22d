/**
 * What a round's scoreboard must say, worked out the slow way from every world of the round: each
 * world is looked at whole, nothing is skipped, and who played comes straight from the holders.
 */
import { nodeName } from '../../shared/engine/names';
import type { NodeId } from '../../shared/engine/types';
import { protocolFor } from '../../shared/protocols';
import type { PlayedRound } from '../../shared/results';
import type { ClassRound } from './helpers';

export interface Expected {
  moves: number;
  movesByRules: number;
  refusals: Record<string, number>;
  rulesBroken: Record<string, number>;
  commitPoint: boolean;
  learned: { node: NodeId; tick: number } | null;
  /** Times to answer of the moves that name the message they answer (`msg`). */
  answersByMsg: number[];
}

function holder(played: PlayedRound, node: NodeId, at: number): string | null {
  return played.holders.find((h) => h.node === node && h.from <= at && (h.to === null || at < h.to))?.nickname ?? null;
}

const nameOf = (nickname: string | null, node: NodeId): string => nickname ?? `bot at ${nodeName(node)}`;

export function expectedScores(round: ClassRound): Map<string, Expected> {
  const { played, worlds } = round;
  const protocol = protocolFor(played.config.protocol);
  const out = new Map<string, Expected>();
  const of = (name: string): Expected => {
    let e = out.get(name);
    if (!e) out.set(name, (e = { moves: 0, movesByRules: 0, refusals: {}, rulesBroken: {}, commitPoint: false, learned: null, answersByMsg: [] }));
    return e;
  };
  const mover = (node: NodeId, at: number): string => (played.botMoves.includes(at) ? nameOf(null, node) : nameOf(holder(played, node, at), node));
  played.log.forEach((command, i) => {
    if (command.type !== 'act') return;
    const e = of(mover(command.node, i));
    e.moves += 1;
    const broken = worlds[i + 1]!.global.violations.filter((v) => v.step === i);
    if (broken.length === 0) e.movesByRules += 1;
    for (const v of broken) e.rulesBroken[v.code] = (e.rulesBroken[v.code] ?? 0) + 1;
    const msg = command.action.msg;
    const entry = typeof msg === 'number' ? worlds[i]!.nodes[command.node]!.inbox.find((m) => m.id === msg) : undefined;
    if (entry) e.answersByMsg.push(worlds[i]!.tick - entry.deliveredAt);
  });
  for (const r of played.rejections) {
    if (r.node === null) continue;
    const e = of(nameOf(holder(played, r.node, r.step), r.node));
    e.refusals[r.code] = (e.refusals[r.code] ?? 0) + 1;
  }
  const last = worlds[worlds.length - 1]!;
  const outcome = protocol.outcome(last);
  if (outcome !== null) {
    for (let node = 0; node < played.config.nodes; node++) {
      const i = worlds.findIndex((w) => protocol.knowsOutcome(w.nodes[node]!, outcome));
      if (i < 0) continue;
      const e = of(nameOf(holder(played, node, i - 1), node));
      if (e.learned === null || worlds[i]!.tick < e.learned.tick) e.learned = { node, tick: worlds[i]!.tick };
    }
  }
  for (const cp of last.global.chosen) {
    const command = played.log[cp.step];
    if (command?.type === 'act' && command.node === cp.node) of(mover(cp.node, cp.step)).commitPoint = true;
  }
  return out;
}

/** `part` is contained in `whole`, counting repeats. */
export function isSubMultiset(part: readonly number[], whole: readonly number[]): boolean {
  const left = whole.slice();
  for (const x of part) {
    const i = left.indexOf(x);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}
