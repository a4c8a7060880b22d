/**
 * A round's scoreboard: one row per player, student or bot, worked out by re-running the round's
 * log once. It rewards understanding, not speed: whose move was the commit point, who moved by the
 * rules and who was refused (and by which rule), and who learned the outcome and when.
 */
import { nodeName } from '../engine/names';
import type { GroupFacts } from '../engine/protocol';
import { decisionTick } from '../engine/reveal';
import { step } from '../engine/step';
import type { Action, CommitPoint, InboxEntry, NodeId, NodeState, ProtocolName, World } from '../engine/types';
import { roundStatus } from '../engine/view';
import { createWorld } from '../engine/world';
import { protocolFor } from '../protocols';
import { commitPointsOf } from './commitPoints';
import { holderAt, type PlayedRound } from './record';

/** One player's part in one round. */
export interface PlayerScore {
  /** "Ada", or "bot at B". */
  name: string;
  /** The student's nickname, or null for a bot. */
  nickname: string | null;
  bot: boolean;
  /** The seats this player played, lowest first: a bot plays one. */
  nodes: NodeId[];
  /** One of this player's moves was a commit point of the round. */
  commitPoint: boolean;
  /** Moves the engine accepted. */
  moves: number;
  /** Accepted moves that broke no rule (outside a sandbox round, every accepted move). */
  movesByRules: number;
  /** Moves the engine refused, by rejection code. */
  refusals: Record<string, number>;
  /** Moves a sandbox round accepted although they broke a rule, by the rule's code. */
  rulesBroken: Record<string, number>;
  /**
   * The node this player held came to know the round's outcome at this tick: the first state of the
   * node of which the protocol's `knowsOutcome` holds, for the outcome the round ended with. Null if
   * it never did while they held it.
   */
  learned: { node: NodeId; tick: number } | null;
  /**
   * Time to answer, in ticks, of every message this player answered, in the order answered. A
   * message a node must answer waits in its inbox from the tick it was delivered (`deliveredAt`);
   * a move of the node answers every message it takes out of the inbox (a Paxos promise its
   * PREPARE, a 2PC vote or a give-up its PREPARE, a majority vote every CANDIDATE waiting, an
   * "ignore" the message it ignores). The time to answer is the tick of that move minus the tick of
   * delivery. A message that leaves the inbox in any other way (the node crashed, the outcome
   * arrived first, the inbox overflowed) has none, and neither has one still waiting at the end.
   */
  answerTicks: number[];
  meanAnswerTicks: number | null;
  medianAnswerTicks: number | null;
  /** Messages still waiting in this player's inbox when the round ended. */
  unanswered: number;
}

/** A commit point and the player whose move it was (null when no move made it). */
export interface ScoredCommitPoint {
  decree: string;
  step: number;
  tick: number;
  node: NodeId;
  player: string | null;
}

export interface RoundScoreboard {
  roundId: string;
  group: number;
  protocol: ProtocolName;
  nodes: number;
  outcome: string | null;
  /** The round reached its goal: its outcome decided and known to every seat that must know it. */
  decided: boolean;
  stuck: boolean;
  /** When the round's fate was sealed (see `decisionTick`), or null. */
  decisionTick: number | null;
  /** The round's last tick. */
  ticks: number;
  commitPoints: ScoredCommitPoint[];
  /** Best first: see `byUnderstanding`. */
  rows: PlayerScore[];
}

/** A round's scoreboard and the facts the groups are compared by. */
export interface RoundResult {
  scoreboard: RoundScoreboard;
  facts: GroupFacts;
}

function key(nickname: string | null, node: NodeId): string {
  return nickname === null ? `bot:${node}` : `student:${nickname}`;
}

function emptyScore(nickname: string | null, node: NodeId): PlayerScore {
  return {
    name: nickname ?? `bot at ${nodeName(node)}`,
    nickname,
    bot: nickname === null,
    nodes: [node],
    commitPoint: false,
    moves: 0,
    movesByRules: 0,
    refusals: {},
    rulesBroken: {},
    learned: null,
    answerTicks: [],
    meanAnswerTicks: null,
    medianAnswerTicks: null,
    unanswered: 0,
  };
}

function count(record: Record<string, number>, code: string): void {
  record[code] = (record[code] ?? 0) + 1;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function total(record: Record<string, number>): number {
  let sum = 0;
  for (const n of Object.values(record)) sum += n;
  return sum;
}

/**
 * The scoreboard's order, which rewards understanding and never speed: first whoever made a commit
 * point, then whoever moved by the rules without a refusal or a broken rule, then the most moves by
 * the rules, then the fewest refusals and broken rules, then who learned the outcome; ties by seat
 * and name. How fast anyone moved or answered plays no part.
 */
export function byUnderstanding(a: PlayerScore, b: PlayerScore): number {
  const slipsA = total(a.refusals) + total(a.rulesBroken);
  const slipsB = total(b.refusals) + total(b.rulesBroken);
  return (
    Number(b.commitPoint) - Number(a.commitPoint) ||
    Number(slipsB === 0) - Number(slipsA === 0) ||
    b.movesByRules - a.movesByRules ||
    slipsA - slipsB ||
    Number(b.learned !== null) - Number(a.learned !== null) ||
    a.nodes[0]! - b.nodes[0]! ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/** The messages of `before` that `after` no longer holds. */
function leftInbox(before: readonly InboxEntry[], after: readonly InboxEntry[]): InboxEntry[] {
  if (before === after) return [];
  const still = new Set(after.map((m) => m.id));
  return before.filter((m) => !still.has(m.id));
}

/**
 * Re-runs one group's round and scores it. Throws if the log does not re-run (a stored round
 * always does: only accepted commands are logged).
 */
export function scoreRound(round: PlayedRound): RoundResult {
  const { config, log } = round;
  const protocol = protocolFor(config.protocol);
  const rows = new Map<string, PlayerScore>();
  const botMoves = new Set(round.botMoves);
  const validNode = (node: unknown): node is NodeId => typeof node === 'number' && Number.isInteger(node) && node >= 0 && node < config.nodes;

  const rowOf = (nickname: string | null, node: NodeId): PlayerScore => {
    const k = key(nickname, node);
    let row = rows.get(k);
    if (!row) rows.set(k, (row = emptyScore(nickname, node)));
    else if (!row.nodes.includes(node)) row.nodes = [...row.nodes, node].sort((a, b) => a - b);
    return row;
  };
  /** Whoever holds the seat at this step: its student, or its bot. */
  const seated = (node: NodeId, at: number): PlayerScore => rowOf(holderAt(round.holders, node, at), node);
  /** Whoever made the move at this step: a bot playing a student's seat makes its own moves. */
  const mover = (node: NodeId, at: number): PlayerScore => (botMoves.has(at) ? rowOf(null, node) : seated(node, at));

  // Every student who held a seat has a row, even one who never moved.
  for (const h of round.holders) if (validNode(h.node) && h.from <= log.length) rowOf(h.nickname, h.node);

  const moves: GroupFacts['moves'][number][] = [];
  // Each node's states, as they changed: when the round is over, the first that knew its outcome tells when the node learned it.
  let world: World = createWorld(config);
  const states: { step: number; tick: number; node: NodeState }[][] = world.nodes.map(() => []);
  for (let i = 0; i < log.length; i++) {
    const command = log[i]!;
    const previous = world;
    const result = step(previous, command);
    if (!result.ok) throw new Error(`command ${i} (${command.type}) is refused: ${result.rejection.message}`);
    world = result.world;
    for (const node of world.nodes) if (node !== previous.nodes[node.id]) states[node.id]!.push({ step: i, tick: world.tick, node });
    if (command.type !== 'act') continue;
    const row = mover(command.node, i);
    row.moves += 1;
    moves.push({ step: i, tick: world.tick, node: command.node, action: command.action as Action });
    const broken = world.global.violations.slice(previous.global.violations.length).filter((v) => v.node === command.node);
    if (broken.length > 0) for (const v of broken) count(row.rulesBroken, v.code);
    else row.movesByRules += 1;
    for (const m of leftInbox(previous.nodes[command.node]!.inbox, world.nodes[command.node]!.inbox)) row.answerTicks.push(world.tick - m.deliveredAt);
  }

  const outcome = protocol.outcome(world);
  if (outcome !== null) {
    for (const history of states) {
      const learned = history.find((s) => protocol.knowsOutcome(s.node, outcome));
      if (!learned) continue;
      const row = seated(learned.node.id, learned.step);
      if (row.learned === null || learned.tick < row.learned.tick) row.learned = { node: learned.node.id, tick: learned.tick };
    }
  }
  for (const r of round.rejections) {
    if (r.node === null || !validNode(r.node)) continue;
    count(seated(r.node, r.step).refusals, r.code);
  }
  for (const node of world.nodes) {
    const row = seated(node.id, log.length);
    row.unanswered += node.inbox.length;
  }

  const points = commitPointsOf(world);
  const commitPoints: ScoredCommitPoint[] = points.map((cp: CommitPoint) => {
    const command = log[cp.step];
    const byMove = command?.type === 'act' && command.node === cp.node;
    const row = byMove ? mover(cp.node, cp.step) : null;
    if (row) row.commitPoint = true;
    return { decree: cp.decree, step: cp.step, tick: cp.tick, node: cp.node, player: row?.name ?? null };
  });

  for (const row of rows.values()) {
    row.meanAnswerTicks = mean(row.answerTicks);
    row.medianAnswerTicks = median(row.answerTicks);
  }
  const status = roundStatus(world);
  const students = [...new Set(round.holders.filter((h) => validNode(h.node) && h.from <= log.length).map((h) => h.node))].sort((a, b) => a - b);
  return {
    scoreboard: {
      roundId: round.id,
      group: round.group,
      protocol: config.protocol,
      nodes: config.nodes,
      outcome: status.outcome,
      decided: status.decided,
      stuck: status.stuck,
      decisionTick: decisionTick(config, world.global),
      ticks: world.tick,
      commitPoints,
      rows: [...rows.values()].sort(byUnderstanding),
    },
    facts: {
      group: round.group,
      config,
      global: world.global,
      end: world.tick,
      outcome: status.outcome,
      stuck: status.stuck,
      commitPoints: points,
      nodes: world.nodes.map((n) => ({
        id: n.id,
        name: nodeName(n.id),
        role: protocol.roleOf(config, n.id),
        crashed: n.crashed,
        durable: n.durable,
        volatile: n.volatile,
        timers: n.timers,
        learned: protocol.learned(n),
      })),
      students,
      moves,
    },
  };
}
