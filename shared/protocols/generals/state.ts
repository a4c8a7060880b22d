/**
 * What a general remembers, its moves and messengers, and the steps they share. The messengers of
 * one exchange form a chain: the first carries A's plan, "attack at dawn"; acknowledgement n
 * answers the messenger before it. A messenger's place in the chain is its depth: the plan is 1,
 * acknowledgement n is n + 1. A general that has received depth d knows everything up to d, and
 * nothing of what happened to the messenger it sent last.
 */
import { nodeName } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import type { NodeId, RoundConfig } from '../../engine/types';

/** General A makes the plan; general B answers it. */
export const PLANNER: NodeId = 0;
export const OTHER: NodeId = 1;

/** The one kind of timer: dawn, when each army attacks or stays in camp as its general ordered. */
export const DAWN = 'dawn';

export interface GeneralDurable {
  /** The deepest messenger of the exchange this general has received: 0 none, 1 the plan, n + 1 acknowledgement n. */
  heard: number;
  /** The deepest messenger it has sent (0: none). */
  sent: number;
  /** Every messenger it sent, a repeat included. */
  messengers: number;
  /** The tick its last messenger left, or null. */
  sentAt: number | null;
  /** It has ordered its army to attack at dawn. The order stands: the army is already moving. */
  attack: boolean;
  /** Dawn has come: the battle, if any, is over, and the general has seen it. */
  dawn: boolean;
}

/** A general keeps everything that matters in its written orders: nothing is lost on a crash. */
export type GeneralVolatile = Record<string, never>;

export type GeneralsAction =
  /** A sends a messenger with the plan (again, while none has been acknowledged). */
  | { kind: 'plan' }
  /** Acknowledgement n of the messenger before it: sent again as often as the general likes. */
  | { kind: 'ack'; n: number }
  | { kind: 'attack' }
  /** Calls off an order to attack: it breaks a rule, so only sandbox rounds offer it. */
  | { kind: 'standDown' };

export type GeneralsPayload = { kind: 'plan' } | { kind: 'ack'; n: number };

/** What the god view keeps of a round: when each general ordered the attack, and when dawn came. */
export interface GeneralsGlobal {
  attackAt: Record<string, number>;
  /** The tick dawn came, or null before it. */
  dawnAt: number | null;
}

export type GeneralsLocal = Local<GeneralDurable, GeneralVolatile, GeneralsPayload>;
export type GeneralsContext = ProtocolContext<GeneralDurable, GeneralVolatile, GeneralsPayload, GeneralsGlobal>;
export type GeneralNode = NodeOf<GeneralDurable, GeneralVolatile, GeneralsPayload>;

/** A messenger's place in the chain: the plan is 1, acknowledgement n is n + 1. */
export function depthOf(payload: GeneralsPayload): number {
  return payload.kind === 'plan' ? 1 : payload.n + 1;
}

/** The messenger at this depth, in words: "the plan", "acknowledgement (2)". */
export function messengerWords(depth: number): string {
  return depth <= 1 ? 'the plan' : `acknowledgement (${depth - 1})`;
}

/** The tick of dawn: the round's timeout, counted from the start. */
export function dawnTick(config: RoundConfig): number {
  return config.settings.timeoutTicks;
}

/** The other general. */
export function otherOf(id: NodeId): NodeId {
  return id === PLANNER ? OTHER : PLANNER;
}

/**
 * Dawn comes for a general: its army attacks or stays in camp, and nothing waits for an answer any
 * more. Its timer's firing tells it; a general that was down at dawn is told when it comes back (`late`).
 */
export function seeDawn(ctx: GeneralsContext, id: NodeId, late: boolean): void {
  const d = ctx.durable(id);
  if (d.dawn) return;
  ctx.setDurable(id, { ...d, dawn: true });
  ctx.cancelTimer(id, DAWN);
  if (ctx.node(id).inbox.length > 0) ctx.setInbox(id, []);
  const global = ctx.protocolGlobal();
  if (global.dawnAt === null) ctx.setProtocolGlobal({ ...global, dawnAt: Math.max(ctx.now, dawnTick(ctx.config)) });
  if (late) {
    ctx.emit({ type: 'dawn', visibleTo: [id], node: id, text: `${nodeName(id)} came back after dawn: its army ${d.attack ? 'attacked as ordered' : 'stayed in camp'}.` });
  }
}
