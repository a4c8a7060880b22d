/**
 * One machine: the atomic commit problem on a single node, solved by a log. A client's update waits
 * in memory until the machine writes it to its log on disk; then the machine applies it to the
 * state in memory. The write is the commit point: a crash before it loses the update (the client
 * must ask again), a crash after it loses only memory, and recovery replays the log. Played only in
 * its lesson, with one node.
 */
import { nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import type { LearnedLog } from '../../engine/types';
import { withItem } from '../common';
import { machineActions } from './actions';
import { machinePolicy } from './bots';
import { machinePresentation } from './present';
import { appliedFromLog, MACHINE, replayLog, type MachineAction, type MachineDurable, type MachinePayload, type MachineVolatile } from './state';

export { MACHINE } from './state';
export type { MachineAction, MachineDurable, MachinePayload, MachineVolatile } from './state';

export const oneMachine = defineProtocol<MachineDurable, MachineVolatile, MachineAction, MachinePayload>({
  name: 'machine',
  title: 'One machine',
  moveNoun: 'a one-machine',
  nodeRange: { min: 1, max: 1 },
  lessonOnly: true,

  roleOf: () => 'machine',

  initDurable: () => ({ log: [] }),

  initVolatile: () => ({ requests: [], applied: [], appliedCount: 0 }),

  onPropose(ctx, id, decree) {
    // A client that asks again for an update already in the log gets nothing new: it happened once.
    if (ctx.durable(id).log.includes(decree)) {
      ctx.emit({ type: 'already-logged', visibleTo: [id], node: id, text: `${nodeName(id)} was asked for ${decree} again, and its log already holds it.` });
      return;
    }
    const v = ctx.volatile(id);
    ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
  },

  onRecover: replayLog,

  onDeliver: () => false,

  actions: machineActions,

  ruleTitles: {
    'log-first': 'write an update to the log before applying it',
    'apply-once': 'apply each logged update once',
  },

  messages: {},

  // The log, once every update a client asked for is written in it.
  outcome(world) {
    const log = world.nodes[MACHINE]!.durable.log;
    return world.proposed.length > 0 && world.proposed.every((d) => log.includes(d)) ? log.join(', ') : null;
  },
  mustKnowOutcome: () => true,
  // Known once the state in memory holds the whole log, applied in order.
  knowsOutcome: (node, outcome) => node.volatile.applied.join(', ') === outcome && appliedFromLog(node.durable, node.volatile),
  // The log is what the machine holds committed, entry by entry.
  learned: (node): LearnedLog => node.durable.log,

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    for (const node of world.nodes) {
      if (node.crashed || appliedFromLog(node.durable, node.volatile)) continue;
      broken.push({
        code: 'applied-from-log',
        message: `${nodeName(node.id)}'s memory no longer matches its log: it applied ${node.volatile.applied.join(', ')}, where its log holds ${node.durable.log.join(', ') || 'nothing'}. Replaying the log after a crash would not give this state back.`,
      });
    }
    return broken;
  },

  decidesOnceHealed: true,

  // Every request goes to the one machine.
  clients: { oneRequest: false, openingRequests: (decrees) => decrees.map((decree) => ({ node: MACHINE, decree })) },

  bots: { policy: machinePolicy, eagerShare: 0 },

  present: machinePresentation,
});
