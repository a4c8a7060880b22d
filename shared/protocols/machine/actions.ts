/** One machine's moves: write a client's update to the log, and apply the next logged update. */
import { nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import { literal, object } from '../../wire/schema';
import { DECREE } from '../common';
import { nextToApply, type MachineAction, type MachineDurable, type MachinePayload, type MachineVolatile } from './state';

export const machineActions: ActionTable<MachineDurable, MachineVolatile, MachineAction, MachinePayload> = {
  write: {
    schema: object({ kind: literal('write'), update: DECREE }),
    moves: ({ node: { volatile: v } }) => v.requests.map((update) => ({ kind: 'write', update })),
    check: ({ node: { volatile: v } }, action) =>
      v.requests.includes(action.update)
        ? null
        : rejection('not-requested', `No client's request for ${action.update} waits in your memory: you write what a client asked for, once.`),
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const v = ctx.volatile(id);
      const log = [...d.log, action.update];
      ctx.setDurable(id, { ...d, log });
      ctx.setVolatile(id, { ...v, requests: v.requests.filter((r) => r !== action.update) });
      const slot = log.length - 1;
      // The write to disk is the commit point, and the machine that made it knows it.
      ctx.recordChosen(
        { slot, decree: action.update, step: ctx.world.step, tick: ctx.now, node: id, nodeKnew: true, voters: [] },
        `Commit point: ${action.update} was committed as entry ${slot + 1} of the log when ${nodeName(id)} wrote it to disk. A crash from here on cannot undo it: recovery replays the log.`,
      );
    },
    describe: (action) => `wrote ${action.update} to its log`,
    label: (action) => `Write ${action.update} to the log`,
  },

  apply: {
    schema: object({ kind: literal('apply'), update: DECREE }),
    moves({ node: { durable: d, volatile: v } }) {
      const next = nextToApply(d, v);
      return next === undefined ? [] : [{ kind: 'apply', update: next }];
    },
    // Apply a request before writing it (memory then holds what the log does not), or a logged update a second time.
    ruleBreakingMoves({ node: { durable: d, volatile: v } }) {
      const next = nextToApply(d, v);
      const unlogged = v.requests.filter((r) => !d.log.includes(r));
      const again = [...new Set(v.applied)].filter((u) => u !== next && d.log.includes(u));
      return [...unlogged, ...again].map((update) => ({ kind: 'apply', update }));
    },
    check({ node: { durable: d, volatile: v } }, action) {
      const next = nextToApply(d, v);
      if (next === action.update) return null;
      if (v.requests.includes(action.update) && !d.log.includes(action.update)) {
        return ruleBroken(
          'log-first',
          `${action.update} is not in your log yet: write it first. An update applied before it is on disk is lost if the machine crashes, and nothing would bring it back.`,
        );
      }
      if (v.applied.includes(action.update) && d.log.includes(action.update)) {
        return ruleBroken('apply-once', `You applied ${action.update} already. Applied again, it would happen twice, and your memory would no longer be what replaying your log gives.`);
      }
      if (next === undefined) return rejection('nothing-to-apply', 'Every update in your log is applied already.');
      return rejection('not-next', `The next update of your log to apply is ${next}: updates are applied in the log's order.`);
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const v = ctx.volatile(id);
      const logged = nextToApply(d, v) === action.update;
      ctx.setVolatile(id, { ...v, applied: [...v.applied, action.update], appliedCount: v.appliedCount + (logged ? 1 : 0) });
    },
    describe(action, node) {
      if (nextToApply(node.durable, node.volatile) === action.update) return `applied ${action.update}`;
      return node.durable.log.includes(action.update) ? `applied ${action.update} a second time` : `applied ${action.update} before writing it to its log`;
    },
    label: (action) => `Apply ${action.update}`,
  },
};
