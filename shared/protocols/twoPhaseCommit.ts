/**
 * Two-phase commit: node A coordinates, the others participate. PREPARE(decree), each participant votes
 * YES or NO and its vote is locked; all YES -> COMMIT, any NO or a vote timeout -> ABORT. The coordinator
 * logs its decision before sending it. A YES voter is in doubt until it hears the outcome: if the
 * coordinator crashes before deciding, YES voters are blocked. Cooperative termination (asking peers)
 * helps only when some peer knows the outcome or has not voted YES.
 */
import type { StepContext } from '../engine/context';
import { listNames, nodeName } from '../engine/names';
import type { Local, Protocol } from '../engine/protocol';
import { rejection, ruleBroken } from '../engine/rejections';
import type { Action, Message, NodeId, NodeState, Payload, RoundConfig, World } from '../engine/types';
import { check, literal, object, oneOf, tagged, type Schema } from '../wire/schema';
import { DECREE, MESSAGE_ID, withItem } from './common';

export const COORDINATOR: NodeId = 0;

export type Vote = 'yes' | 'no';
export type Outcome = 'commit' | 'abort';

export interface CoordinatorDurable {
  role: 'coordinator';
  /** The transaction begun, written before PREPARE goes out. */
  decree: string | null;
  /** The decision log: written before the decision is sent, read again on recovery. */
  decision: Outcome | null;
}

export interface ParticipantDurable {
  role: 'participant';
  decree: string | null;
  vote: Vote | null;
  outcome: Outcome | null;
}

export interface CoordinatorVolatile {
  role: 'coordinator';
  requests: string[];
  votes: Record<string, Vote>;
  preparedAt: number | null;
}

export interface ParticipantVolatile {
  role: 'participant';
  /** When this node began waiting (round start, or recovery); its timeout counts from here. */
  waitingSince: number;
  askedAt: number | null;
}

type TpcDurable = CoordinatorDurable | ParticipantDurable;
type TpcVolatile = CoordinatorVolatile | ParticipantVolatile;

export type TpcAction =
  | { kind: 'prepare'; decree: string }
  | { kind: 'decide'; outcome: Outcome }
  | { kind: 'resend' }
  /** Answers the PREPARE `msg`; a changed vote (a sandbox move) answers none and has no `msg`. */
  | { kind: 'vote'; msg?: number; vote: Vote }
  | { kind: 'abort' }
  | { kind: 'askPeers' };

const voteSchema = object({ kind: literal('vote'), msg: MESSAGE_ID, vote: oneOf(['yes', 'no'] as const) }, ['msg']);

const actionSchema: Schema<TpcAction> = tagged<TpcAction>('kind', {
  prepare: object({ kind: literal('prepare'), decree: DECREE }),
  decide: object({ kind: literal('decide'), outcome: oneOf(['commit', 'abort'] as const) }),
  resend: object({ kind: literal('resend') }),
  vote: voteSchema,
  abort: object({ kind: literal('abort') }),
  askPeers: object({ kind: literal('askPeers') }),
});

const durableOf = (node: NodeState) => node.durable as TpcDurable;
const volatileOf = (node: NodeState) => node.volatile as TpcVolatile;

function participants(config: RoundConfig): NodeId[] {
  const ids: NodeId[] = [];
  for (let id = 1; id < config.nodes; id++) ids.push(id);
  return ids;
}

/** A participant applies an outcome it was told, or decided for itself; it is durable and final. */
function applyOutcome(ctx: StepContext, id: NodeId, outcome: Outcome, how: string): void {
  const d = ctx.durable<ParticipantDurable>(id);
  if (d.outcome !== null) return;
  ctx.setDurable<ParticipantDurable>(id, { ...d, outcome });
  const global = ctx.mutableGlobal();
  global.outcomes[id] = outcome;
  global.outcomeAt[id] = ctx.now;
  // A PREPARE still waiting has its answer: the outcome is known.
  const inbox = ctx.node(id).inbox;
  if (inbox.some((m) => m.payload.kind === 'prepare')) ctx.updateNode(id, { inbox: inbox.filter((m) => m.payload.kind !== 'prepare') });
  const word = outcome === 'commit' ? 'committed' : 'aborted';
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, outcome, text: `${nodeName(id)} ${word} (${how}).` });
}

function castVote(ctx: StepContext, id: NodeId, vote: Vote, decree: string | null): void {
  const d = ctx.durable<ParticipantDurable>(id);
  ctx.setDurable<ParticipantDurable>(id, { ...d, vote, decree: decree ?? d.decree });
  // Once voted, any PREPARE still waiting has been answered.
  const inbox = ctx.node(id).inbox;
  if (inbox.some((m) => m.payload.kind === 'prepare')) ctx.updateNode(id, { inbox: inbox.filter((m) => m.payload.kind !== 'prepare') });
  // The god view keeps the first vote: the locked one. Changing it (a sandbox move) is a violation on record.
  const global = ctx.mutableGlobal();
  if (global.votesCast[id] === undefined) global.votesCast[id] = vote;
  if (vote === 'yes' && d.outcome === null && global.inDoubtSince[id] === undefined) global.inDoubtSince[id] = ctx.now;
  ctx.send(id, COORDINATOR, { kind: 'vote', vote });
  if (vote === 'no') applyOutcome(ctx, id, 'abort', 'it voted NO, so the transaction cannot commit');
}

function allYes(config: RoundConfig, votes: Record<string, Vote>): boolean {
  return participants(config).every((p) => votes[p] === 'yes');
}

function timedOut(local: Local, since: number | null): boolean {
  return since !== null && local.now - since >= local.config.settings.timeoutTicks;
}

export const twoPhaseCommit: Protocol = {
  name: '2pc',
  title: 'Two-phase commit',

  roleOf: (_config, id) => (id === COORDINATOR ? 'coordinator' : 'participant'),

  initDurable: (_config, id): TpcDurable =>
    id === COORDINATOR
      ? { role: 'coordinator', decree: null, decision: null }
      : { role: 'participant', decree: null, vote: null, outcome: null },

  initVolatile: (_config, id): TpcVolatile =>
    id === COORDINATOR
      ? { role: 'coordinator', requests: [], votes: {}, preparedAt: null }
      : { role: 'participant', waitingSince: 0, askedAt: null },

  onPropose(ctx, id, decree) {
    const v = ctx.volatile<TpcVolatile>(id);
    if (v.role === 'coordinator') ctx.setVolatile<CoordinatorVolatile>(id, { ...v, requests: withItem(v.requests, decree) });
  },

  onRecover(ctx, id) {
    const v = ctx.volatile<TpcVolatile>(id);
    if (v.role === 'participant') ctx.setVolatile<ParticipantVolatile>(id, { ...v, waitingSince: ctx.now });
    const d = ctx.durable<TpcDurable>(id);
    if (d.role === 'coordinator' && d.decree !== null) {
      const what = d.decision ? `its log says ${d.decision.toUpperCase()}: it may send it again` : 'its log holds no decision, and the votes it had are gone';
      ctx.emit({ type: 'log-read', visibleTo: [id], node: id, text: `${nodeName(id)} re-read its log: ${what}.` });
    }
  },

  onDeliver(ctx, id, message: Message) {
    const p = message.payload;
    const d = ctx.durable<TpcDurable>(id);
    switch (p.kind) {
      case 'prepare': {
        if (d.role !== 'participant') return false;
        // Already aborted (told so, or gave up): a late PREPARE gets nothing.
        if (d.outcome !== null && d.vote === null) return false;
        if (d.vote !== null) {
          // Already voted: repeat the locked vote, whatever the PREPARE says.
          ctx.send(id, COORDINATOR, { kind: 'vote', vote: d.vote });
          return false;
        }
        return !ctx.node(id).inbox.some((m) => m.payload.kind === 'prepare');
      }
      case 'vote': {
        const v = ctx.volatile<TpcVolatile>(id);
        if (v.role !== 'coordinator' || d.role !== 'coordinator' || d.decision !== null || v.preparedAt === null) return false;
        ctx.setVolatile<CoordinatorVolatile>(id, { ...v, votes: { ...v.votes, [message.from]: p.vote as Vote } });
        return false;
      }
      case 'decision':
        if (d.role === 'participant') applyOutcome(ctx, id, p.outcome as Outcome, `the coordinator's decision arrived`);
        return false;
      case 'ask': {
        // Cooperative termination: answer what we know; a node that has not voted aborts, which is safe.
        let known: Outcome | null = null;
        if (d.role === 'coordinator') known = d.decision;
        else if (d.outcome !== null) known = d.outcome;
        else if (d.vote === null) {
          castVote(ctx, id, 'no', null);
          known = 'abort';
        }
        ctx.send(id, message.from, { kind: 'answer', outcome: known });
        return false;
      }
      case 'answer':
        if (d.role === 'participant' && p.outcome !== null) {
          applyOutcome(ctx, id, p.outcome as Outcome, `${nodeName(message.from)} told it the outcome`);
        }
        return false;
      default:
        return false;
    }
  },

  legalUsesClock: true,

  legalActions(local) {
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    const actions: Action[] = [];
    if (d.role === 'coordinator' && v.role === 'coordinator') {
      if (d.decree === null) for (const decree of v.requests) actions.push({ kind: 'prepare', decree });
      else if (d.decision === null) {
        if (allYes(local.config, v.votes)) actions.push({ kind: 'decide', outcome: 'commit' });
        actions.push({ kind: 'decide', outcome: 'abort' });
      } else actions.push({ kind: 'resend' });
      return actions;
    }
    if (d.role === 'participant' && v.role === 'participant') {
      if (d.vote === null && d.outcome === null) {
        for (const m of local.node.inbox) {
          if (m.payload.kind === 'prepare') actions.push({ kind: 'vote', msg: m.id, vote: 'yes' }, { kind: 'vote', msg: m.id, vote: 'no' });
        }
        if (d.outcome === null && timedOut(local, v.waitingSince)) actions.push({ kind: 'abort' });
      } else if (d.vote === 'yes' && d.outcome === null) actions.push({ kind: 'askPeers' });
    }
    return actions;
  },

  ruleBreakingCandidates(local) {
    const d = durableOf(local.node);
    if (d.role === 'coordinator') {
      if (d.decree === null) return [];
      // Commit without every YES, or decide a second time, against the log.
      if (d.decision === null) return [{ kind: 'decide', outcome: 'commit' }];
      return [{ kind: 'decide', outcome: d.decision === 'commit' ? 'abort' : 'commit' }];
    }
    // Change a locked vote; give up after voting YES, or before the timeout.
    if (d.vote !== null) return [{ kind: 'vote', vote: d.vote === 'yes' ? 'no' : 'yes' }, { kind: 'abort' }];
    return [{ kind: 'abort' }];
  },

  ruleTitles: {
    'vote-locked': 'a vote is locked once cast',
    'not-all-yes': 'commit only with every participant\'s YES',
    'decision-final': 'a logged decision is final',
    'in-doubt': 'after voting YES, wait for the outcome',
    'too-early': 'give up only after the timeout',
  },

  check(local, raw) {
    const parsed = check(actionSchema, raw);
    if (!parsed.ok) return rejection('bad-action', `That is not a two-phase-commit move: ${parsed.error}.`);
    const action = parsed.value;
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    const coordinatorOnly = ['prepare', 'decide', 'resend'].includes(action.kind);
    if (coordinatorOnly && d.role !== 'coordinator') {
      return rejection('not-coordinator', 'Only the coordinator, node A, can start a transaction or decide its outcome.');
    }
    if (!coordinatorOnly && d.role !== 'participant') {
      return rejection('not-participant', 'The coordinator does not vote: it collects the participants\' votes and decides.');
    }
    switch (action.kind) {
      case 'prepare':
        if (d.role !== 'coordinator' || v.role !== 'coordinator') return null;
        if (d.decree !== null) {
          return rejection('already-begun', `You already started the transaction for ${d.decree}. One round runs one transaction.`);
        }
        return v.requests.includes(action.decree)
          ? null
          : rejection('not-requested', `No client asked for ${action.decree}; a transaction starts from a client's request.`);
      case 'decide':
        if (d.role !== 'coordinator' || v.role !== 'coordinator') return null;
        if (d.decree === null) return rejection('not-begun', 'There is nothing to decide yet: send PREPARE first.');
        if (d.decision !== null) {
          return ruleBroken(
            'decision-final',
            `Your log already says ${d.decision.toUpperCase()}. A logged decision is final: participants may already have acted on it.`,
          );
        }
        if (action.outcome === 'commit' && !allYes(local.config, v.votes)) {
          const missing = participants(local.config).filter((p) => v.votes[p] !== 'yes');
          const said = missing.some((p) => v.votes[p] === 'no') ? 'did not vote YES' : 'have not voted YES (that you know of)';
          return ruleBroken(
            'not-all-yes',
            `${listNames(missing)} ${said}. Commit needs every participant's YES, or a participant that cannot commit would be overruled.`,
          );
        }
        return null;
      case 'resend':
        if (d.role !== 'coordinator') return null;
        return d.decision === null ? rejection('no-decision', 'Your log holds no decision to send yet.') : null;
      case 'vote': {
        if (d.role !== 'participant') return null;
        if (d.vote !== null) {
          return ruleBroken(
            'vote-locked',
            `You already voted ${d.vote.toUpperCase()}. A vote is locked once cast: the coordinator may already have counted it.`,
          );
        }
        if (d.outcome !== null) return rejection('already-decided', `You already aborted, and an outcome is final.`);
        const entry = local.node.inbox.find((m) => m.id === action.msg && m.payload.kind === 'prepare');
        return entry ? null : rejection('not-in-inbox', 'That PREPARE is not waiting in your inbox.');
      }
      case 'abort':
        if (d.role !== 'participant' || v.role !== 'participant') return null;
        if (d.outcome !== null) return rejection('already-decided', `You already ${d.outcome === 'commit' ? 'committed' : 'aborted'}, and an outcome is final.`);
        if (d.vote === 'yes') {
          return ruleBroken(
            'in-doubt',
            'You voted YES: you promised to commit if the coordinator says so, and it may already have. You are in doubt until you hear the outcome.',
          );
        }
        if (!timedOut(local, v.waitingSince)) {
          const left = v.waitingSince + local.config.settings.timeoutTicks - local.now;
          return ruleBroken('too-early', `The PREPARE may still be on its way. You may give up after your timeout, in ${left} ticks.`);
        }
        return null;
      case 'askPeers':
        if (d.role !== 'participant') return null;
        return d.vote === 'yes' && d.outcome === null
          ? null
          : rejection('not-in-doubt', 'Only a participant that voted YES and has not heard the outcome needs to ask its peers.');
    }
  },

  apply(ctx, id, raw) {
    const action = raw as TpcAction;
    switch (action.kind) {
      case 'prepare': {
        const d = ctx.durable<CoordinatorDurable>(id);
        ctx.setDurable<CoordinatorDurable>(id, { ...d, decree: action.decree });
        const v = ctx.volatile<CoordinatorVolatile>(id);
        ctx.setVolatile<CoordinatorVolatile>(id, { ...v, votes: {}, preparedAt: ctx.now });
        for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'prepare', decree: action.decree });
        return;
      }
      case 'decide': {
        const d = ctx.durable<CoordinatorDurable>(id);
        // A second decision (a sandbox move) goes out to the participants, but the log keeps the
        // first: that is the outcome the coordinator applied, and the one it sends again after a crash.
        if (d.decision !== null) {
          for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'decision', outcome: action.outcome });
          return;
        }
        // The decision is logged before it is sent: after a crash, the log is the truth.
        ctx.setDurable<CoordinatorDurable>(id, { ...d, decision: action.outcome });
        ctx.mutableGlobal().outcomes[id] = action.outcome;
        ctx.mutableGlobal().outcomeAt[id] = ctx.now;
        if (action.outcome === 'commit' && d.decree !== null) {
          // Unlike a vote, the coordinator's log write is a commit point its writer knows about.
          const votes = ctx.volatile<CoordinatorVolatile>(id).votes;
          const voters = Object.keys(votes).filter((p) => votes[p] === 'yes').map(Number);
          ctx.recordChosen(
            { decree: d.decree, step: ctx.world.step, tick: ctx.now, node: id, nodeKnew: true, voters },
            `Commit point: ${d.decree} committed when the coordinator ${nodeName(id)} logged COMMIT. In 2PC the coordinator knows; it is also the single point of failure.`,
          );
        }
        for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'decision', outcome: action.outcome });
        return;
      }
      case 'resend': {
        const d = ctx.durable<CoordinatorDurable>(id);
        for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'decision', outcome: d.decision });
        return;
      }
      case 'vote': {
        // In sandbox mode a second vote arrives here without a PREPARE: it re-votes on the same decree.
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg);
        if (entry) ctx.removeFromInbox(id, entry.id);
        castVote(ctx, id, action.vote, (entry?.payload.decree as string | undefined) ?? null);
        return;
      }
      case 'abort': {
        const d = ctx.durable<ParticipantDurable>(id);
        if (d.vote === null) castVote(ctx, id, 'no', null);
        applyOutcome(ctx, id, 'abort', 'it gave up waiting');
        return;
      }
      case 'askPeers': {
        const v = ctx.volatile<ParticipantVolatile>(id);
        ctx.setVolatile<ParticipantVolatile>(id, { ...v, askedAt: ctx.now });
        ctx.broadcast(id, { kind: 'ask' });
        return;
      }
    }
  },

  parseAction(raw) {
    const parsed = check(actionSchema, raw);
    return parsed.ok ? parsed.value : parsed.error;
  },

  status(world: World) {
    const coordinator = durableOf(world.nodes[COORDINATOR]!) as CoordinatorDurable;
    const decision = coordinator.decision;
    const decided =
      decision !== null &&
      world.nodes.every((n) => n.crashed || n.id === COORDINATOR || (durableOf(n) as ParticipantDurable).outcome !== null);
    return { decided, outcome: decision };
  },

  countsTowardOutcome: (payload) => ['vote', 'decision', 'answer'].includes(payload.kind),

  learned(node) {
    const d = durableOf(node);
    if (d.role === 'coordinator') return d.decision === 'commit' ? d.decree : null;
    return d.outcome === 'commit' ? d.decree : null;
  },

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    const outcomes = Object.values(world.global.outcomes);
    if (outcomes.includes('commit') && outcomes.includes('abort')) {
      broken.push({ code: 'atomicity', message: 'One node committed while another aborted: the transaction is no longer atomic.' });
    }
    if (outcomes.includes('commit')) {
      const notYes = participants(world.config).filter((p) => world.global.votesCast[p] !== 'yes');
      if (notYes.length > 0) {
        broken.push({ code: 'commit-without-yes', message: `The transaction committed although ${listNames(notYes)} did not vote YES.` });
      }
    }
    return broken;
  },

  label(payload: Payload) {
    switch (payload.kind) {
      case 'prepare':
        return `PREPARE ${String(payload.decree)}`;
      case 'vote':
        return `VOTE ${String(payload.vote).toUpperCase()}`;
      case 'decision':
        return String(payload.outcome).toUpperCase();
      case 'ask':
        return 'WHAT HAPPENED?';
      case 'answer':
        return payload.outcome === null ? 'ANSWER: DON\'T KNOW' : `ANSWER: ${String(payload.outcome).toUpperCase()}`;
      default:
        return payload.kind.toUpperCase();
    }
  },

  describeAction(raw, node) {
    const action = raw as TpcAction;
    switch (action.kind) {
      case 'prepare':
        return `logged the transaction ${action.decree} and sent PREPARE`;
      case 'decide': {
        const logged = (node.durable as CoordinatorDurable).decision;
        return logged === null
          ? `logged ${action.outcome.toUpperCase()} and sent it`
          : `sent ${action.outcome.toUpperCase()}, though its log already says ${logged.toUpperCase()}`;
      }
      case 'resend':
        return 'sent its logged decision again';
      case 'vote':
        return `voted ${action.vote.toUpperCase()}`;
      case 'abort':
        return 'gave up waiting and aborted';
      case 'askPeers':
        return 'asked its peers what happened';
    }
  },
};
