/**
 * Majority vote: the essay's leaderless "majority-rules two-phase commit". Any node may put a decree
 * forward; each node casts one locked vote and broadcasts it; every node tallies on its own and learns
 * a decree is chosen when its own tally shows floor(N/2)+1 votes for it. Nobody casting the deciding
 * vote knows it is the deciding one. Split votes are possible and permanent: the round is then stuck.
 */
import type { StepContext } from '../engine/context';
import { majorityOf, nodeName, tallyWords } from '../engine/names';
import type { Local, Protocol } from '../engine/protocol';
import { rejection, ruleBroken } from '../engine/rejections';
import type { Action, Message, NodeId, NodeState, Payload, World } from '../engine/types';
import { check, literal, object, tagged, type Schema } from '../wire/schema';
import { DECREE, answerSchema, isRejection, pending, withItem } from './common';

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

export type MajorityAction =
  | { kind: 'putForward'; decree: string }
  | { kind: 'vote'; decree: string }
  | { kind: 'ignore'; msg: number };

const actionSchema: Schema<MajorityAction> = tagged<MajorityAction>('kind', {
  putForward: object({ kind: literal('putForward'), decree: DECREE }),
  vote: object({ kind: literal('vote'), decree: DECREE }),
  ignore: answerSchema('ignore'),
});

const durableOf = (node: NodeState) => node.durable as MajorityDurable;
const volatileOf = (node: NodeState) => node.volatile as MajorityVolatile;
const VOTE_KEY = 'majority:vote';

function learn(ctx: StepContext, id: NodeId, decree: string, how: string, fromTally: boolean): void {
  const d = ctx.durable<MajorityDurable>(id);
  if (d.learned !== null) return;
  ctx.setDurable<MajorityDurable>(id, { ...d, learned: decree });
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, decree, text: `${nodeName(id)} learned that ${decree} is chosen (${how}).` });
  // Only a node that saw the majority itself announces it; an announcement is taken as final, not repeated.
  if (ctx.config.settings.gossip && fromTally) ctx.broadcast(id, { kind: 'victory', decree });
}

function countVote(ctx: StepContext, id: NodeId, voter: NodeId, decree: string): void {
  const v = ctx.volatile<MajorityVolatile>(id);
  const voters = withItem(v.tally[decree] ?? [], voter);
  ctx.setVolatile<MajorityVolatile>(id, {
    ...v,
    candidates: withItem(v.candidates, decree),
    tally: { ...v.tally, [decree]: voters },
  });
  if (voters.length >= majorityOf(ctx.config.nodes)) {
    learn(ctx, id, decree, `its tally shows ${tallyWords(voters.length, ctx.config.nodes, 'votes')}`, true);
  }
}

/**
 * A split vote: no decree is chosen, and even if every node that has not voted yet voted for the
 * leader, it would fall short. Worked out again after every vote, because in sandbox mode a changed
 * vote can still give a decree its majority, and then the round is no longer stuck.
 */
function updateStuck(ctx: StepContext): void {
  const global = ctx.world.global;
  let voted = 0;
  for (const node of ctx.world.nodes) if (durableOf(node).vote !== null) voted += 1;
  const best = Math.max(0, ...global.boxes.filter((b) => b.key === VOTE_KEY).map((b) => b.voters.length));
  const need = majorityOf(ctx.config.nodes);
  const stuck = global.chosen.length === 0 && best + (ctx.config.nodes - voted) < need;
  if (stuck === global.stuck) return;
  ctx.mutableGlobal().stuck = stuck;
  ctx.emit(
    stuck
      ? { type: 'stuck', visibleTo: 'god', text: `Split vote: no decree can reach ${need} votes any more, and locked votes cannot change. The round is stuck.` }
      : { type: 'unstuck', visibleTo: 'god', text: `A changed vote gave ${global.chosen[0]?.decree ?? 'a decree'} its majority: the round is no longer stuck.` },
  );
}

export const majorityVote: Protocol = {
  name: 'majority',
  title: 'Majority vote',

  roleOf: () => 'voter',

  initDurable: (): MajorityDurable => ({ vote: null, learned: null }),

  initVolatile: (): MajorityVolatile => ({ requests: [], candidates: [], tally: {} }),

  onPropose(ctx, id, decree) {
    const v = ctx.volatile<MajorityVolatile>(id);
    ctx.setVolatile<MajorityVolatile>(id, { ...v, requests: withItem(v.requests, decree), candidates: withItem(v.candidates, decree) });
  },

  onRecover(ctx, id) {
    // Its own vote is on disk, so it counts it again; everyone else's vote it heard is gone.
    const vote = ctx.durable<MajorityDurable>(id).vote;
    if (vote !== null) countVote(ctx, id, id, vote);
  },

  onDeliver(ctx, id, message: Message) {
    const p = message.payload;
    const decree = p.decree as string;
    switch (p.kind) {
      case 'candidate': {
        const v = ctx.volatile<MajorityVolatile>(id);
        ctx.setVolatile<MajorityVolatile>(id, { ...v, candidates: withItem(v.candidates, decree) });
        // A node that has voted has nothing left to answer.
        return ctx.durable<MajorityDurable>(id).vote === null;
      }
      case 'vote':
        countVote(ctx, id, message.from, decree);
        return false;
      case 'victory':
        learn(ctx, id, decree, `${nodeName(message.from)} announced it`, false);
        return false;
      default:
        return false;
    }
  },

  legalUsesClock: false,

  legalActions(local) {
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    const actions: Action[] = [];
    if (d.vote === null) for (const decree of v.candidates) actions.push({ kind: 'vote', decree });
    for (const decree of v.requests) actions.push({ kind: 'putForward', decree });
    for (const m of local.node.inbox) actions.push({ kind: 'ignore', msg: m.id });
    return actions;
  },

  ruleBreakingCandidates(local) {
    const d = durableOf(local.node);
    if (d.vote === null) return [];
    // Vote again: change a locked vote to any other candidate this node has heard of.
    return volatileOf(local.node).candidates.filter((c) => c !== d.vote).map((decree) => ({ kind: 'vote', decree }));
  },

  ruleTitles: {
    'vote-locked': 'a vote is locked once cast',
  },

  check(local, raw) {
    const parsed = check(actionSchema, raw);
    if (!parsed.ok) return rejection('bad-action', `That is not a majority-vote move: ${parsed.error}.`);
    const action = parsed.value;
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    switch (action.kind) {
      case 'putForward':
        return v.requests.includes(action.decree)
          ? null
          : rejection('not-requested', `No client asked you for ${action.decree}; you can only put forward a decree a client proposed to you.`);
      case 'vote':
        if (d.vote !== null) {
          return ruleBroken(
            'vote-locked',
            `You already voted for ${d.vote}, and votes are locked. If a vote could change, two different decrees could each gather a majority.`,
          );
        }
        if (!v.candidates.includes(action.decree)) {
          return rejection('unknown-candidate', `You have not heard of ${action.decree} as a candidate, so you cannot vote for it.`);
        }
        return null;
      case 'ignore': {
        const entry = pending(local, action.msg, ['candidate']);
        return isRejection(entry) ? entry : null;
      }
    }
  },

  apply(ctx, id, raw) {
    const action = raw as MajorityAction;
    switch (action.kind) {
      case 'putForward': {
        const v = ctx.volatile<MajorityVolatile>(id);
        ctx.setVolatile<MajorityVolatile>(id, { ...v, candidates: withItem(v.candidates, action.decree) });
        ctx.broadcast(id, { kind: 'candidate', decree: action.decree });
        return;
      }
      case 'vote': {
        const d = ctx.durable<MajorityDurable>(id);
        ctx.setDurable<MajorityDurable>(id, { ...d, vote: action.decree });
        const node = ctx.node(id);
        ctx.updateNode(id, { inbox: node.inbox.filter((m) => m.payload.kind !== 'candidate') });
        countVote(ctx, id, id, action.decree);
        ctx.castVote(VOTE_KEY, action.decree, id, 'voted', () => {
          const mine = ctx.volatile<MajorityVolatile>(id).tally[action.decree] ?? [];
          return mine.length >= majorityOf(ctx.config.nodes);
        });
        ctx.broadcast(id, { kind: 'vote', decree: action.decree });
        updateStuck(ctx);
        return;
      }
      case 'ignore':
        ctx.removeFromInbox(id, action.msg);
        return;
    }
  },

  parseAction(raw) {
    const parsed = check(actionSchema, raw);
    return parsed.ok ? parsed.value : parsed.error;
  },

  status(world: World) {
    const chosen = world.global.chosen[0]?.decree ?? null;
    const live = world.nodes.filter((n) => !n.crashed);
    return { decided: chosen !== null && live.every((n) => durableOf(n).learned === chosen), outcome: chosen };
  },

  countsTowardOutcome: (payload) => ['vote', 'victory'].includes(payload.kind),
  learned: (node) => durableOf(node).learned,

  invariants: () => [],

  label(payload: Payload) {
    const decree = String(payload.decree);
    switch (payload.kind) {
      case 'candidate':
        return `CANDIDATE ${decree}`;
      case 'vote':
        return `VOTE ${decree}`;
      case 'victory':
        return `VICTORY ${decree}`;
      default:
        return payload.kind.toUpperCase();
    }
  },

  describeAction(raw) {
    const action = raw as MajorityAction;
    switch (action.kind) {
      case 'putForward':
        return `put ${action.decree} forward as a candidate`;
      case 'vote':
        return `voted for ${action.decree}`;
      case 'ignore':
        return 'ignored a message';
    }
  },
};

