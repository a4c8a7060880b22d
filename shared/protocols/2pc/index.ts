/**
 * Two-phase commit: node A coordinates, the others participate. PREPARE(decree), each participant votes
 * YES or NO and its vote is locked; all YES -> COMMIT, any NO or a vote timeout -> ABORT. The coordinator
 * logs its decision before sending it. A YES voter is in doubt until it hears the outcome: if the
 * coordinator crashes before deciding, YES voters are blocked. Cooperative termination (asking peers)
 * helps only when some peer knows the outcome or has not voted YES.
 */
import { listNames, nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import { learnedOne, withItem } from '../common';
import { twoPhaseActions } from './actions';
import { twoPhasePolicy } from './bots';
import { twoPhasePresentation } from './present';
import {
  COORDINATOR,
  applyOutcome,
  castVote,
  participants,
  startTimeout,
  type Outcome,
  type TpcAction,
  type TpcDurable,
  type TpcGlobal,
  type TpcPayload,
  type TpcVolatile,
} from './state';

export { COORDINATOR, TIMEOUT } from './state';
export type { CoordinatorDurable, CoordinatorVolatile, Outcome, ParticipantDurable, ParticipantVolatile, TpcAction, TpcGlobal, TpcPayload, Vote } from './state';

export const twoPhaseCommit = defineProtocol<TpcDurable, TpcVolatile, TpcAction, TpcPayload, TpcGlobal>({
  name: '2pc',
  title: 'Two-phase commit',
  moveNoun: 'a two-phase-commit',

  roleOf: (_config, id) => (id === COORDINATOR ? 'coordinator' : 'participant'),

  initDurable: (_config, id) =>
    id === COORDINATOR ? { role: 'coordinator', decree: null, decision: null } : { role: 'participant', decree: null, vote: null, outcome: null },

  initVolatile: (_config, id) =>
    id === COORDINATOR ? { role: 'coordinator', requests: [], votes: {}, preparedAt: null, timedOut: false } : { role: 'participant', timedOut: false },

  initGlobal: () => ({ votesCast: {}, outcomes: {}, outcomeAt: {}, inDoubtSince: {} }),

  // A participant waits for PREPARE from the round's start: when its timeout fires, it may give up.
  onStart(ctx, id) {
    if (ctx.durable(id).role === 'participant') startTimeout(ctx, id);
  },

  onPropose(ctx, id, decree) {
    const v = ctx.volatile(id);
    if (v.role === 'coordinator') ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
  },

  onRecover(ctx, id) {
    const d = ctx.durable(id);
    // A participant still without an outcome waits a whole timeout again from now.
    if (d.role === 'participant' && d.outcome === null) startTimeout(ctx, id);
    if (d.role === 'coordinator' && d.decree !== null) {
      const what = d.decision ? `its log says ${d.decision.toUpperCase()}: it may send it again` : 'its log holds no decision, and the votes it had are gone';
      ctx.emit({ type: 'log-read', visibleTo: [id], node: id, text: `${nodeName(id)} re-read its log: ${what}.` });
    }
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    const d = ctx.durable(id);
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
        const v = ctx.volatile(id);
        if (v.role !== 'coordinator' || d.role !== 'coordinator' || d.decision !== null || v.preparedAt === null) return false;
        ctx.setVolatile(id, { ...v, votes: { ...v.votes, [message.from]: p.vote } });
        return false;
      }
      case 'decision':
        if (d.role === 'participant') applyOutcome(ctx, id, p.outcome, `the coordinator's decision arrived`);
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
          applyOutcome(ctx, id, p.outcome, `${nodeName(message.from)} told it the outcome`);
        }
        return false;
      default:
        return false;
    }
  },

  actions: twoPhaseActions,

  timers: {
    timeout: {
      title: 'timeout',
      then({ durable: d }) {
        // Only giving up before a vote waits for the timeout; the coordinator may abort and a participant in doubt ask at any time.
        if (d.role === 'coordinator') return 'it is time to stop waiting for the votes, and without every YES, ABORT is the safe choice';
        return d.vote === 'yes' ? 'it is time to ask the others what happened' : 'you may give up and abort';
      },
      fired({ durable: d }) {
        if (d.role === 'coordinator') return 'it has waited long enough for the votes, and without every YES it may abort';
        return d.vote === 'yes' ? 'still in doubt, it may ask the others what happened' : 'it may now give up and abort';
      },
      onTimeout(ctx, id) {
        ctx.setVolatile(id, { ...ctx.volatile(id), timedOut: true });
      },
    },
  },

  ruleTitles: {
    'vote-locked': 'a vote is locked once cast',
    'not-all-yes': 'commit only with every participant\'s YES',
    'decision-final': 'a logged decision is final',
    'in-doubt': 'after voting YES, wait for the outcome',
    'too-early': 'give up only after the timeout',
  },

  messages: {
    prepare: { label: (p) => `PREPARE ${p.decree}`, countsTowardOutcome: false },
    vote: { label: (p) => `VOTE ${p.vote.toUpperCase()}`, countsTowardOutcome: true },
    decision: { label: (p) => p.outcome.toUpperCase(), countsTowardOutcome: true },
    ask: { label: () => 'WHAT HAPPENED?', countsTowardOutcome: false },
    answer: { label: (p) => (p.outcome === null ? 'ANSWER: DON\'T KNOW' : `ANSWER: ${p.outcome.toUpperCase()}`), countsTowardOutcome: true },
  },

  // The coordinator's logged decision is the outcome; every participant must come to apply it.
  outcome(world) {
    const coordinator = world.nodes[COORDINATOR]!.durable;
    return coordinator.role === 'coordinator' ? coordinator.decision : null;
  },
  mustKnowOutcome: (_config, id) => id !== COORDINATOR,
  // The coordinator knows the decision it logged; a participant, the outcome it applied (a sandbox
  // participant that applied the other one does not know the outcome).
  knowsOutcome: (node, outcome) => (node.durable.role === 'participant' ? node.durable.outcome === outcome : node.durable.decision === outcome),

  learned({ durable: d }) {
    if (d.role === 'coordinator') return learnedOne(d.decision === 'commit' ? d.decree : null);
    return learnedOne(d.outcome === 'commit' ? d.decree : null);
  },

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    const outcomes = Object.values(world.global.protocol.outcomes);
    if (outcomes.includes('commit') && outcomes.includes('abort')) {
      broken.push({ code: 'atomicity', message: 'One node committed while another aborted: the transaction is no longer atomic.' });
    }
    if (outcomes.includes('commit')) {
      const notYes = participants(world.config).filter((p) => world.global.protocol.votesCast[p] !== 'yes');
      if (notYes.length > 0) {
        broken.push({ code: 'commit-without-yes', message: `The transaction committed although ${listNames(notYes)} did not vote YES.` });
      }
    }
    return broken;
  },

  decidesOnceHealed: true,

  // One round runs one transaction, and the clients ask the coordinator for it.
  clients: {
    oneRequest: true,
    openingRequests: (decrees) => decrees.slice(0, 1).map((decree) => ({ node: COORDINATOR, decree })),
  },

  bots: { policy: twoPhasePolicy, eagerShare: 0 },

  present: twoPhasePresentation,
});
