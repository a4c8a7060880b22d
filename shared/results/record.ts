/**
 * What the class's results are worked out from: one finished round of one group, as the server keeps
 * it (its config, its command log and the moves the engine refused), with who played which seat
 * when. Steps are indices into the log: command `i` is step `i`, and a move refused when `i` commands
 * had been applied was refused at step `i` (as `RecordedRejection.step` counts).
 */
import type { RoundDocument } from '../engine/round';
import type { RecordedRejection } from '../engine/timeline';
import type { Command, NodeId, RoundConfig } from '../engine/types';

/** A student's time at one seat: from step `from` up to, not including, step `to` (null: to the end of the round). */
export interface SeatHolder {
  node: NodeId;
  nickname: string;
  from: number;
  to: number | null;
}

/** One group's finished round, with who played it. */
export interface PlayedRound {
  /** The stored round's id. */
  id: string;
  /** The group's number in its class, from 1. */
  group: number;
  config: RoundConfig;
  log: readonly Command[];
  /** The moves the engine refused, which are not in the log. */
  rejections: readonly RecordedRejection[];
  /** Who held each student seat, and when. At a step no student holds a seat, a bot plays it. */
  holders: readonly SeatHolder[];
  /**
   * The steps (log indices) of moves a bot made at a seat a student held: on autopilot, or past the
   * decision deadline. Those moves are the bot's, not the student's.
   */
  botMoves: readonly number[];
}

/**
 * A stored round as a played round. Its group, who held which seat when and which moves a bot made
 * for a student come from the document's meta when the server recorded them (`meta.group`,
 * `meta.holders`, `meta.botMoves`). A document without them (an older one, or a round whose seating
 * was not kept) is read as before: `group` as given, each player in `meta.players` holding their seat
 * for the whole round, and every move at a player's seat theirs.
 */
export function playedRoundOf(doc: RoundDocument, id: string, group: number): PlayedRound {
  const { meta } = doc;
  return {
    id,
    group: meta.group ?? group,
    config: doc.config,
    log: doc.log,
    rejections: meta.rejections ?? [],
    holders: meta.holders ?? (meta.players ?? []).map((p) => ({ node: p.node, nickname: p.nickname, from: 0, to: null })),
    botMoves: meta.botMoves ?? [],
  };
}

/** Who played a seat at a step: a student's nickname, or null for a bot. */
export function holderAt(holders: readonly SeatHolder[], node: NodeId, step: number): string | null {
  for (const h of holders) if (h.node === node && h.from <= step && (h.to === null || step < h.to)) return h.nickname;
  return null;
}
