/** What a majority-vote node remembers, its moves and messages, and the steps they share. */
import { majorityOf, nodeName, tallyWords } from '../../engine/names';
import type { Local, ProtocolContext } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import type { NodeId, Rejection, Slot } from '../../engine/types';
import { withItem } from '../common';

export interface MajorityDurable {
  /** The locked vote: once cast, never changed. */
  vote: string | null;

  learned: string | null;
}

export interface MajorityVolatile {
  requests: string[];
  /** Decrees this node has heard of: its own requests, candidates put forward, decrees voted for. */
  candidates: string[];
  /** This node's own tally: who it has heard vote for what (its own vote included). */
  tally: Record<string, NodeId[]>;
}

export type MajorityAction = { kind: 'vote'; decree: string } | { kind: 'putForward'; decree: string } | { kind: 'ignore'; msg: number };

export type MajorityPayload = { kind: 'candidate'; decree: string } | { kind: 'vote'; decree: string } | { kind: 'victory'; decree: string };

export type MajorityLocal = Local<MajorityDurable, MajorityVolatile, MajorityPayload>;
export type MajorityContext = ProtocolContext<MajorityDurable, MajorityVolatile, MajorityPayload>;

export const VOTE_KEY = 'majority:vote';

export function learn(ctx: MajorityContext, id: NodeId, decree: string, how: string, fromTally: boolean): void {
  const d = ctx.durable(id);
  if (d.learned !== null) return;
  ctx.setDurable(id, { ...d, learned: decree });
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, decree, text: `${nodeName(id)} learned that ${decree} is chosen (${how}).` });
  // Only a node that saw the majority itself announces it; an announcement is taken as final, not repeated.
  if (ctx.config.settings.gossip && fromTally) ctx.broadcast(id, { kind: 'victory', decree });
}

/**
 * One vote as a node sees it: the decrees it has heard of and its own tally. Majority vote holds one;
 * a log decided by majority vote (`votelog`) holds one per slot, and both count and check votes with
 * the steps below.
 */
export interface Ballot {
  candidates: string[];
  tally: Record<string, NodeId[]>;
}

/** The ballot with one more vote counted (its decree becomes a candidate too). */
export function tallied<B extends Ballot>(ballot: B, voter: NodeId, decree: string): B {
  return { ...ballot, candidates: withItem(ballot.candidates, decree), tally: { ...ballot.tally, [decree]: withItem(ballot.tally[decree] ?? [], voter) } };
}

/** Whether a vote for `decree` may be cast now: refused when a vote is already locked (`where`: " in slot 2"), or the decree is not a candidate. */
export function voteRefusal(locked: string | null, candidates: readonly string[], decree: string, where = ''): Rejection | null {
  if (locked !== null) {
    return ruleBroken(
      'vote-locked',
      `You already voted for ${locked}${where}, and votes are locked. If a vote could change, two different decrees could each gather a majority.`,
    );
  }
  if (!candidates.includes(decree)) return rejection('unknown-candidate', `You have not heard of ${decree} as a candidate${where}, so you cannot vote for it.`);
  return null;
}

/** Records a node's vote in the god view's ballot box of its slot: the vote that makes a majority there is that slot's commit point. */
export function castMajorityVote(ctx: Pick<ProtocolContext, 'castVote' | 'config'>, slot: Slot, id: NodeId, decree: string, heard: () => number): void {
  ctx.castVote({
    slot,
    key: VOTE_KEY,
    value: decree,
    voter: id,
    verb: 'voted',
    // A method, not an arrow property, which tsx would name with defineProperty on every vote.
    voterKnew() {
      return heard() >= majorityOf(ctx.config.nodes);
    },
  });
}

export function countVote(ctx: MajorityContext, id: NodeId, voter: NodeId, decree: string): void {
  const v = tallied(ctx.volatile(id), voter, decree);
  ctx.setVolatile(id, v);
  const voters = v.tally[decree]!;
  if (voters.length >= majorityOf(ctx.config.nodes)) {
    learn(ctx, id, decree, `its tally shows ${tallyWords(voters.length, ctx.config.nodes, 'votes')}`, true);
  }
}

/**
 * A split vote: no decree is chosen, and even if every node that has not voted yet voted for the
 * leader, it would fall short. Worked out again after every vote, because in sandbox mode a changed
 * vote can still give a decree its majority, and then the round is no longer stuck.
 */
export function updateStuck(ctx: MajorityContext): void {
  const global = ctx.world.global;
  let voted = 0;
  for (const node of ctx.world.nodes) if (node.durable.vote !== null) voted += 1;
  const best = Math.max(0, ...global.boxes.filter((b) => b.key === VOTE_KEY).map((b) => b.voters.length));
  const need = majorityOf(ctx.config.nodes);
  const stuck = global.chosen.length === 0 && best + (ctx.config.nodes - voted) < need;
  if (stuck === global.stuck) return;
  ctx.setStuck(stuck);
  ctx.emit(
    stuck
      ? { type: 'stuck', visibleTo: 'god', text: `Split vote: no decree can reach ${need} votes any more, and locked votes cannot change. The round is stuck.` }
      : { type: 'unstuck', visibleTo: 'god', text: `A changed vote gave ${global.chosen[0]?.decree ?? 'a decree'} its majority: the round is no longer stuck.` },
  );
}
