/**
 * What the room core asks of whoever hosts it: it never touches a socket or a timer itself. Every
 * entry point of the core returns the effects of what just happened, in order; the host carries
 * them out in that order (server/gameRoom.ts over Colyseus, server/sim/host.ts in memory).
 */
import type { ServerMessages } from '../../shared/wire/messages';

/** A person in a room, for the length of their stay: a reconnection keeps it, a new join does not. */
export type MemberId = string;

/** One message to one member, typed by its kind. */
export type Outgoing = { [K in keyof ServerMessages]: { type: K; body: ServerMessages[K] } }[keyof ServerMessages];

/**
 * The timers a room runs: each cluster's clock (`tick` in a solo room, `tick:<group>` for each group
 * of a class; repeating), `groups` (the instructor's summary of every group, repeating while rounds
 * run), `idle` (closing a class nobody is connected to) and one reconnection window per dropped member.
 */
export type TimerName = 'tick' | `tick:${number}` | 'groups' | 'idle' | `reconnect:${MemberId}`;

export type Effect =
  /** Send this message to that member's connection. */
  | { type: 'send'; to: MemberId; message: Outgoing }
  /** Close that member's connection for good: kicked by the instructor, or flooding the room. */
  | { type: 'disconnect'; member: MemberId; why: 'kicked' | 'flooded' }
  /** A member's connection dropped: let it reconnect (open), or no longer (the window closed, or it came back another way). */
  | { type: 'reconnection'; member: MemberId; open: boolean }
  /** Run `timer` after `ms` (every `ms` when repeating), replacing the one of that name; null stops it. */
  | { type: 'timer'; timer: TimerName; ms: number | null; repeat: boolean }
  /** Everyone was told: disconnect them all and dispose of the room. */
  | { type: 'close' }
  /** Something failed inside the core; nothing it reports was half done. Log it. */
  | { type: 'fault'; where: string; error: unknown };

/** Why a join is refused; the matchmaker answers with the status. */
export const JOIN_REFUSALS = {
  badOptions: 400,
  wrongKey: 403,
  noSuchClass: 404,
  nicknameTaken: 409,
  /** Kicked from this class: the nickname, and its look-alikes, stay out. */
  kicked: 403,
  /** The class holds as many students as a class may. */
  classFull: 503,
  wrongRoom: 410,
  tooManyJoins: 429,
} as const;
export type JoinRefusal = keyof typeof JOIN_REFUSALS;

export type Joined = { ok: true; member: MemberId; effects: Effect[] } | { ok: false; refusal: JoinRefusal; message: string };

/**
 * A refusal of a client's message: sent back as `rejected {code, message}`, and nothing changed. Not
 * an Error: a refusal is an answer, not a failure, and needs no stack trace (which would cost more
 * than the rest of refusing a bad message).
 */
export class Refusal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export const refuse = (code: string, message: string): never => {
  throw new Refusal(code, message);
};
