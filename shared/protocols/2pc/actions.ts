/** A two-phase-commit node's moves, one entry per kind: the coordinator's first, then the participants'. */
import { listNames, nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import { literal, object, oneOf } from '../../wire/schema';
import { DECREE, MESSAGE_ID } from '../common';
import {
  allYes,
  applyOutcome,
  castVote,
  notCoordinator,
  notParticipant,
  participants,
  sendDecision,
  startTimeout,
  TIMEOUT,
  type TpcAction,
  type TpcDurable,
  type TpcGlobal,
  type TpcPayload,
  type TpcVolatile,
} from './state';

export const twoPhaseActions: ActionTable<TpcDurable, TpcVolatile, TpcAction, TpcPayload, TpcGlobal> = {
  prepare: {
    schema: object({ kind: literal('prepare'), decree: DECREE }),
    moves({ node: { durable: d, volatile: v } }) {
      return d.role === 'coordinator' && v.role === 'coordinator' && d.decree === null ? v.requests.map((decree) => ({ kind: 'prepare', decree })) : [];
    },
    check(local, action) {
      const d = local.node.durable;
      const v = local.node.volatile;
      if (d.role !== 'coordinator' || v.role !== 'coordinator') return notCoordinator(local);
      if (d.decree !== null) {
        return rejection('already-begun', `You already started the transaction for ${d.decree}. One round runs one transaction.`);
      }
      return v.requests.includes(action.decree)
        ? null
        : rejection('not-requested', `No client asked for ${action.decree}; a transaction starts from a client's request.`);
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const v = ctx.volatile(id);
      if (d.role !== 'coordinator' || v.role !== 'coordinator') return;
      ctx.setDurable(id, { ...d, decree: action.decree });
      ctx.setVolatile(id, { ...v, votes: {}, preparedAt: ctx.now, timedOut: false });
      // The votes have the round's timeout to arrive.
      startTimeout(ctx, id);
      for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'prepare', decree: action.decree });
    },
    describe: (action) => `logged the transaction ${action.decree} and sent PREPARE`,
    label: (action) => `Begin ${action.decree} (send PREPARE)`,
  },

  decide: {
    schema: object({ kind: literal('decide'), outcome: oneOf(['commit', 'abort'] as const) }),
    moves(local) {
      const { durable: d, volatile: v } = local.node;
      if (d.role !== 'coordinator' || v.role !== 'coordinator' || d.decree === null || d.decision !== null) return [];
      return allYes(local.config, v.votes) ? [{ kind: 'decide', outcome: 'commit' }, { kind: 'decide', outcome: 'abort' }] : [{ kind: 'decide', outcome: 'abort' }];
    },
    // Commit without every YES, or decide a second time, against the log.
    ruleBreakingMoves({ node: { durable: d } }) {
      if (d.role !== 'coordinator' || d.decree === null) return [];
      return [{ kind: 'decide', outcome: d.decision === null || d.decision === 'abort' ? 'commit' : 'abort' }];
    },
    check(local, action) {
      const d = local.node.durable;
      const v = local.node.volatile;
      if (d.role !== 'coordinator' || v.role !== 'coordinator') return notCoordinator(local);
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
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const v = ctx.volatile(id);
      if (d.role !== 'coordinator' || v.role !== 'coordinator') return;
      // A second decision (a sandbox move) goes out to the participants, but the log keeps the
      // first: that is the outcome the coordinator applied, and the one it sends again after a crash.
      if (d.decision !== null) {
        sendDecision(ctx, id, action.outcome);
        return;
      }
      // The decision is logged before it is sent: after a crash, the log is the truth.
      ctx.setDurable(id, { ...d, decision: action.outcome });
      ctx.cancelTimer(id, TIMEOUT);
      const global = ctx.protocolGlobal();
      ctx.setProtocolGlobal({ ...global, outcomes: { ...global.outcomes, [id]: action.outcome }, outcomeAt: { ...global.outcomeAt, [id]: ctx.now } });
      if (action.outcome === 'commit' && d.decree !== null) {
        // Unlike a vote, the coordinator's log write is a commit point its writer knows about.
        const voters = Object.keys(v.votes)
          .filter((p) => v.votes[p] === 'yes')
          .map(Number);
        ctx.recordChosen(
          { slot: 0, decree: d.decree, step: ctx.world.step, tick: ctx.now, node: id, nodeKnew: true, voters },
          `Commit point: ${d.decree} committed when the coordinator ${nodeName(id)} logged COMMIT. In 2PC the coordinator knows; it is also the single point of failure.`,
        );
      }
      sendDecision(ctx, id, action.outcome);
    },
    describe(action, node) {
      const logged = node.durable.role === 'coordinator' ? node.durable.decision : null;
      return logged === null
        ? `logged ${action.outcome.toUpperCase()} and sent it`
        : `sent ${action.outcome.toUpperCase()}, though its log already says ${logged.toUpperCase()}`;
    },
    label: (action) => `Decide ${action.outcome.toUpperCase()}`,
  },

  resend: {
    schema: object({ kind: literal('resend') }),
    moves: ({ node: { durable: d } }) => (d.role === 'coordinator' && d.decree !== null && d.decision !== null ? [{ kind: 'resend' }] : []),
    check(local) {
      const d = local.node.durable;
      if (d.role !== 'coordinator') return notCoordinator(local);
      return d.decision === null ? rejection('no-decision', 'Your log holds no decision to send yet.') : null;
    },
    apply(ctx, id) {
      const d = ctx.durable(id);
      if (d.role === 'coordinator' && d.decision !== null) sendDecision(ctx, id, d.decision);
    },
    describe: () => 'sent its logged decision again',
    label: () => 'Send the decision again',
  },

  vote: {
    schema: object({ kind: literal('vote'), msg: MESSAGE_ID, vote: oneOf(['yes', 'no'] as const) }, ['msg'] as const),
    answers({ node: { durable: d } }, m) {
      if (d.role !== 'participant' || d.vote !== null || d.outcome !== null || m.payload.kind !== 'prepare') return [];
      return [
        { kind: 'vote', msg: m.id, vote: 'yes' },
        { kind: 'vote', msg: m.id, vote: 'no' },
      ];
    },
    // Change a locked vote.
    ruleBreakingMoves: ({ node: { durable: d } }) => (d.role === 'participant' && d.vote !== null ? [{ kind: 'vote', vote: d.vote === 'yes' ? 'no' : 'yes' }] : []),
    check(local, action) {
      const d = local.node.durable;
      if (d.role !== 'participant') return notParticipant(local);
      if (d.vote !== null) {
        return ruleBroken('vote-locked', `You already voted ${d.vote.toUpperCase()}. A vote is locked once cast: the coordinator may already have counted it.`);
      }
      if (d.outcome !== null) return rejection('already-decided', `You already aborted, and an outcome is final.`);
      const entry = local.node.inbox.find((m) => m.id === action.msg && m.payload.kind === 'prepare');
      return entry ? null : rejection('not-in-inbox', 'That PREPARE is not waiting in your inbox.');
    },
    apply(ctx, id, action) {
      // In sandbox mode a second vote arrives here without a PREPARE: it re-votes on the same decree.
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg);
      if (entry) ctx.removeFromInbox(id, entry.id);
      castVote(ctx, id, action.vote, entry?.payload.kind === 'prepare' ? entry.payload.decree : null);
    },
    describe: (action) => `voted ${action.vote.toUpperCase()}`,
    label: (action) => `Vote ${action.vote.toUpperCase()}`,
  },

  abort: {
    schema: object({ kind: literal('abort') }),
    moves(local) {
      const { durable: d, volatile: v } = local.node;
      if (d.role !== 'participant' || v.role !== 'participant' || d.vote !== null || d.outcome !== null) return [];
      return v.timedOut ? [{ kind: 'abort' }] : [];
    },
    // Give up after voting YES, or before the timeout.
    ruleBreakingMoves: ({ node: { durable: d } }) => (d.role === 'participant' ? [{ kind: 'abort' }] : []),
    check(local) {
      const d = local.node.durable;
      const v = local.node.volatile;
      if (d.role !== 'participant' || v.role !== 'participant') return notParticipant(local);
      if (d.outcome !== null) return rejection('already-decided', `You already ${d.outcome === 'commit' ? 'committed' : 'aborted'}, and an outcome is final.`);
      if (d.vote === 'yes') {
        return ruleBroken(
          'in-doubt',
          'You voted YES: you promised to commit if the coordinator says so, and it may already have. You are in doubt until you hear the outcome.',
        );
      }
      if (!v.timedOut && local.config.settings.noTimeouts === true) {
        return ruleBroken(
          'too-early',
          'This round has no timeouts: nothing tells a PREPARE that is slow from one that will never come, so you may not give up. You can only wait.',
        );
      }
      if (!v.timedOut) {
        const timer = local.node.timers.find((t) => t.name === TIMEOUT);
        const left = timer ? timer.firesAt - local.now : local.config.settings.timeoutTicks;
        return ruleBroken('too-early', `The PREPARE may still be on its way. You may give up after your timeout, in ${left} ticks.`);
      }
      return null;
    },
    apply(ctx, id) {
      const d = ctx.durable(id);
      if (d.role === 'participant' && d.vote === null) castVote(ctx, id, 'no', null);
      applyOutcome(ctx, id, 'abort', 'it gave up waiting');
    },
    describe: () => 'gave up waiting and aborted',
    label: () => 'Give up and abort',
  },

  askPeers: {
    schema: object({ kind: literal('askPeers') }),
    moves: ({ node: { durable: d } }) => (d.role === 'participant' && d.vote === 'yes' && d.outcome === null ? [{ kind: 'askPeers' }] : []),
    check(local) {
      const d = local.node.durable;
      if (d.role !== 'participant') return notParticipant(local);
      return d.vote === 'yes' && d.outcome === null
        ? null
        : rejection('not-in-doubt', 'Only a participant that voted YES and has not heard the outcome needs to ask its peers.');
    },
    apply(ctx, id) {
      const v = ctx.volatile(id);
      // It waits a timeout for the answers before it asks again.
      if (v.role === 'participant') ctx.setVolatile(id, { ...v, timedOut: false });
      startTimeout(ctx, id);
      ctx.broadcast(id, { kind: 'ask' });
    },
    describe: () => 'asked its peers what happened',
    label: () => 'Ask the others what happened',
  },
};
