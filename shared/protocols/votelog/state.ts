/**
 * What a node of a log decided by majority vote remembers, its moves and messages, and the steps they
 * share. Each slot is one majority vote, counted with majority vote's own steps (`Ballot`, `tallied`).
 */
import { majorityOf, nodeName, tallyWords } from '../../engine/names';
import type { Local, ProtocolContext } from '../../engine/protocol';
import type { NodeId, Slot } from '../../engine/types';
import { chosenIn, withItem } from '../common';
import { VOTE_KEY, tallied, type Ballot } from '../majority/state';

/** The most slots a log may have: one per decree in play is all a round needs. */
export const MAX_SLOT = 15;

export interface VotelogDurable {
  /** The locked vote in each slot (null: none yet); once cast, never changed. */
  votes: (string | null)[];
  /** What this node learned is chosen in each slot (null: not yet). */
  learned: (string | null)[];
}

export interface VotelogVolatile {
  /** Updates this node's clients asked for that it has not yet learned chosen in any slot. */
  requests: string[];
  /** Each slot's vote as this node sees it: candidates heard of, and its own tally. */
  ballots: Ballot[];
}

export type VotelogAction =
  | { kind: 'vote'; slot: number; decree: string }
  | { kind: 'putForward'; slot: number; decree: string }
  | { kind: 'ignore'; msg: number };

export type VotelogPayload = { kind: 'candidate'; slot: number; decree: string } | { kind: 'vote'; slot: number; decree: string };

export type VotelogLocal = Local<VotelogDurable, VotelogVolatile, VotelogPayload>;
export type VotelogContext = ProtocolContext<VotelogDurable, VotelogVolatile, VotelogPayload>;

/** Slots are counted from 1 for people; the engine counts them from 0. */
export const slotWords = (slot: Slot): string => `slot ${slot + 1}`;

const EMPTY: Ballot = Object.freeze({ candidates: [], tally: {} }) as Ballot;

export function ballotOf(v: VotelogVolatile, slot: Slot): Ballot {
  return v.ballots[slot] ?? EMPTY;
}

function withBallot(v: VotelogVolatile, slot: Slot, ballot: Ballot): VotelogVolatile {
  const ballots = v.ballots.slice();
  for (let i = ballots.length; i < slot; i++) ballots.push(EMPTY);
  ballots[slot] = ballot;
  return { ...v, ballots };
}

export function withSlot(log: readonly (string | null)[], slot: Slot, value: string): (string | null)[] {
  const next = log.slice();
  while (next.length < slot) next.push(null);
  next[slot] = value;
  return next;
}

/** The slot a node votes in: the first it has not learned. Slots are decided one after another. */
export function openSlot(learned: readonly (string | null)[]): Slot {
  let slot = 0;
  while (learned[slot] != null) slot += 1;
  return slot;
}

/** What a node has applied: its learned slots from the first, up to the first it has not learned. A later slot waits for every one before it. */
export function applied(learned: readonly (string | null)[]): string[] {
  return learned.slice(0, openSlot(learned)) as string[];
}

/** Slots a node learned that wait to be applied, because a slot before them is not learned yet. */
export function waiting(learned: readonly (string | null)[]): Slot[] {
  const from = openSlot(learned);
  return learned.flatMap((v, slot) => (slot > from && v != null ? [slot] : []));
}

/** A decree becomes a candidate in a slot, for this node. */
export function hearCandidate(ctx: VotelogContext, id: NodeId, slot: Slot, decree: string): void {
  const v = ctx.volatile(id);
  const ballot = ballotOf(v, slot);
  if (ballot.candidates.includes(decree)) return;
  ctx.setVolatile(id, withBallot(v, slot, { ...ballot, candidates: [...ballot.candidates, decree] }));
}

/** The node's pending requests become candidates in the slot it now votes in. */
function offerRequests(ctx: VotelogContext, id: NodeId): void {
  const slot = openSlot(ctx.durable(id).learned);
  for (const decree of ctx.volatile(id).requests) hearCandidate(ctx, id, slot, decree);
}

export function learn(ctx: VotelogContext, id: NodeId, slot: Slot, decree: string, how: string): void {
  const d = ctx.durable(id);
  if (d.learned[slot] != null) return;
  const learned = withSlot(d.learned, slot, decree);
  ctx.setDurable(id, { ...d, learned });
  const v = ctx.volatile(id);
  // An update in the log is no longer waiting for a slot.
  ctx.setVolatile(id, { ...v, requests: v.requests.filter((r) => r !== decree) });
  const now = applied(learned);
  const before = applied(d.learned);
  const then =
    now.length > before.length
      ? `; it applies ${now.slice(before.length).join(', then ')}, and its log reads ${now.join(', ')}`
      : `; it cannot apply it before ${slotWords(openSlot(learned))} is decided`;
  ctx.emit({
    type: 'learned',
    visibleTo: [id],
    node: id,
    slot,
    decree,
    text: `${nodeName(id)} learned that ${decree} is chosen in ${slotWords(slot)} (${how})${then}.`,
  });
  offerRequests(ctx, id);
}

export function countVote(ctx: VotelogContext, id: NodeId, voter: NodeId, slot: Slot, decree: string): void {
  const v = ctx.volatile(id);
  const ballot = tallied(ballotOf(v, slot), voter, decree);
  ctx.setVolatile(id, withBallot(v, slot, ballot));
  const voters = ballot.tally[decree]!;
  if (voters.length >= majorityOf(ctx.config.nodes)) learn(ctx, id, slot, decree, `its tally shows ${tallyWords(voters.length, ctx.config.nodes, 'votes')}`);
}

export function addRequest(ctx: VotelogContext, id: NodeId, decree: string): void {
  if (ctx.durable(id).learned.includes(decree)) return;
  const v = ctx.volatile(id);
  ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
  offerRequests(ctx, id);
}

/**
 * A split vote in the first slot not yet chosen: even if every node that has not voted there voted
 * for the leader, it would fall short, and locked votes cannot change, so the log stops there.
 * Votes are cast only in chosen slots and in that one, so it is the only slot that can split.
 * Worked out again after every vote, because in sandbox mode a changed vote can still give a decree
 * its majority.
 */
export function updateStuck(ctx: VotelogContext): void {
  const global = ctx.world.global;
  let slot = 0;
  while (chosenIn(global.chosen, slot) !== null) slot += 1;
  let voted = 0;
  for (const node of ctx.world.nodes) if (node.durable.votes[slot] != null) voted += 1;
  const best = Math.max(0, ...global.boxes.filter((b) => b.key === VOTE_KEY && b.slot === slot).map((b) => b.voters.length));
  const need = majorityOf(ctx.config.nodes);
  const stuck = best + (ctx.config.nodes - voted) < need;
  if (stuck === global.stuck) return;
  ctx.setStuck(stuck);
  ctx.emit(
    stuck
      ? { type: 'stuck', visibleTo: 'god', text: `Split vote in ${slotWords(slot)}: no update can reach ${need} votes there any more, and locked votes cannot change. The log cannot grow past it.` }
      : { type: 'unstuck', visibleTo: 'god', text: `A changed vote gave ${slotWords(slot)} its majority: the log can grow again.` },
  );
}
