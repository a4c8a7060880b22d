/**
 * What one machine remembers: a log on disk, which survives a crash, and in memory the clients'
 * requests not yet written and the state the logged updates were applied to, both lost in a crash.
 */
import { nodeName } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import type { NodeId } from '../../engine/types';

export const MACHINE: NodeId = 0;

export interface MachineDurable {
  /** The log: every update written, in order. Written before an update is applied; read again on recovery. */
  log: string[];
}

export interface MachineVolatile {
  /** Clients' updates waiting in memory, not yet written to the log. */
  requests: string[];
  /** The state in memory: the updates applied to it, in order. */
  applied: string[];
  /** How many of the log's entries are applied, from the first: the next to apply is `log[appliedCount]`. */
  appliedCount: number;
}

/** Write an update to the log (the commit point); apply the next logged update to the state in memory. */
export type MachineAction = { kind: 'write'; update: string } | { kind: 'apply'; update: string };

/** One machine alone sends no message. */
export type MachinePayload = never;

export type MachineLocal = Local<MachineDurable, MachineVolatile, MachinePayload>;
export type MachineContext = ProtocolContext<MachineDurable, MachineVolatile, MachinePayload>;
export type MachineNode = NodeOf<MachineDurable, MachineVolatile, MachinePayload>;

/** The next logged update not yet applied, if any. */
export function nextToApply(d: MachineDurable, v: MachineVolatile): string | undefined {
  return d.log[v.appliedCount];
}

/** Whether the state in memory holds exactly the log's first `appliedCount` updates: nothing applied that is not logged. */
export function appliedFromLog(d: MachineDurable, v: MachineVolatile): boolean {
  return v.applied.length === v.appliedCount && v.applied.every((u, i) => d.log[i] === u);
}

/** Recovery: the memory came back empty, so the machine applies its whole log again, in order. */
export function replayLog(ctx: MachineContext, id: NodeId): void {
  const log = ctx.durable(id).log;
  ctx.setVolatile(id, { ...ctx.volatile(id), applied: log.slice(), appliedCount: log.length });
  const text =
    log.length === 0
      ? `${nodeName(id)} came back with its memory empty, and its log is empty: there is nothing to replay.`
      : `${nodeName(id)} came back with its memory empty and replayed its log: it applied ${inWords(log)}, in order.`;
  ctx.emit({ type: 'replayed', visibleTo: [id], node: id, text });
}

/** Updates in words: "deposit 10, withdraw 5 and deposit 3". */
export function inWords(updates: readonly string[]): string {
  if (updates.length <= 1) return updates.join('');
  return `${updates.slice(0, -1).join(', ')} and ${updates[updates.length - 1]}`;
}
