/** Typed looks into a world's nodes for the lessons' scripts and objectives, and rules every lesson's script uses. */
import type { MachineDurable, MachineVolatile } from '../protocols/machine';
import type { MajorityDurable, MajorityVolatile } from '../protocols/majority';
import type { MpDurable, MpVolatile } from '../protocols/multipaxos';
import type { PaxosDurable, PaxosVolatile } from '../protocols/paxos';
import type { TpcDurable, TpcVolatile } from '../protocols/2pc/state';
import type { Command, InboxEntry, Message, NodeId, World } from '../engine/types';
import type { LessonMoment, ScriptRule } from './types';

/** A node's state in a world of the given protocol (a lesson knows which protocol its world plays). */
export function tpc(world: World, id: NodeId): { durable: TpcDurable; volatile: TpcVolatile; crashed: boolean; inbox: InboxEntry[] } {
  const node = world.nodes[id]!;
  return { durable: node.durable as TpcDurable, volatile: node.volatile as TpcVolatile, crashed: node.crashed, inbox: node.inbox };
}

export function voter(world: World, id: NodeId): { durable: MajorityDurable; volatile: MajorityVolatile; crashed: boolean; inbox: InboxEntry[] } {
  const node = world.nodes[id]!;
  return { durable: node.durable as MajorityDurable, volatile: node.volatile as MajorityVolatile, crashed: node.crashed, inbox: node.inbox };
}

export function paxosNode(world: World, id: NodeId): { durable: PaxosDurable; volatile: PaxosVolatile; crashed: boolean; inbox: InboxEntry[] } {
  const node = world.nodes[id]!;
  return { durable: node.durable as PaxosDurable, volatile: node.volatile as PaxosVolatile, crashed: node.crashed, inbox: node.inbox };
}

/** The clients' requests that open the lesson: fired once, before anything else. */
export function openingRequests(requests: readonly { node: NodeId; decree: string }[], why: string): ScriptRule {
  return {
    id: 'requests',
    when: () => true,
    commands: () => requests.map((r): Command => ({ type: 'propose', node: r.node, decree: r.decree })),
    why,
  };
}

/** Whether the command just applied was this node's move of this kind. */
export function moved(moment: LessonMoment, node: NodeId, kind: string): boolean {
  const c = moment.command;
  return c !== null && c.type === 'act' && c.node === node && c.action.kind === kind;
}


/**
 * 2PC: every participant a bot holds votes YES as soon as a PREPARE waits in its inbox (a bot may
 * otherwise vote NO now and then, and the lesson needs the YES).
 */
export function botsVoteYes(why: string): ScriptRule {
  const waiting = (moment: LessonMoment): { node: NodeId; msg: number }[] =>
    moment.world.nodes.flatMap((n) => {
      if (n.id === 0 || n.crashed || moment.run.people.includes(n.id) || tpc(moment.world, n.id).durable.role !== 'participant') return [];
      const prepare = n.inbox.find((m) => m.payload.kind === 'prepare');
      return prepare ? [{ node: n.id, msg: prepare.id }] : [];
    });
  return {
    id: 'bots-vote-yes',
    times: 50,
    when: (moment) => waiting(moment).length > 0,
    commands: (moment) => waiting(moment).map((w): Command => ({ type: 'act', node: w.node, action: { kind: 'vote', msg: w.msg, vote: 'yes' } })),
    why,
  };
}

/** How long each hold of a message lasts: held again at the end of it, for as long as the hold stands. */
export const HOLD_TICKS = 3;

/**
 * The network holds back the messages that `which` picks, for as long as `until` has not come: each
 * one due at the next tick is delayed a few ticks more, and again when those run out.
 */
export function hold(
  id: string,
  which: (m: Message, moment: LessonMoment) => boolean,
  until: (moment: LessonMoment) => boolean,
  why: string,
  told: 'now' | 'after' = 'after',
): ScriptRule {
  const due = (moment: LessonMoment): Message[] => moment.world.inFlight.filter((m) => m.deliverAt <= moment.world.tick + 1 && which(m, moment));
  return {
    id,
    times: 10_000,
    when: (moment) => !until(moment) && due(moment).length > 0,
    commands: (moment) => due(moment).map((m): Command => ({ type: 'delay', id: m.id, ticks: moment.world.tick + 1 + HOLD_TICKS - m.deliverAt })),
    why,
    told,
  };
}

/** Majority vote: a bot's seat votes for this decree as soon as it has heard of it. */
export function votesFor(id: string, node: NodeId, decree: string, why: string, told: 'now' | 'after' = 'now'): ScriptRule {
  return {
    id,
    when: ({ world }) => {
      const v = voter(world, node);
      return !v.crashed && v.durable.vote === null && v.volatile.candidates.includes(decree);
    },
    commands: (): Command[] => [{ type: 'act', node, action: { kind: 'vote', decree } }],
    why,
    told,
  };
}

/** One machine's state in a world of that protocol. */
export function machineNode(world: World, id: NodeId): { durable: MachineDurable; volatile: MachineVolatile; crashed: boolean } {
  const node = world.nodes[id]!;
  return { durable: node.durable as MachineDurable, volatile: node.volatile as MachineVolatile, crashed: node.crashed };
}

/** A Multi-Paxos node's state in a world of that protocol. */
export function mpNode(world: World, id: NodeId): { durable: MpDurable; volatile: MpVolatile; crashed: boolean; inbox: InboxEntry[] } {
  const node = world.nodes[id]!;
  return { durable: node.durable as MpDurable, volatile: node.volatile as MpVolatile, crashed: node.crashed, inbox: node.inbox };
}
