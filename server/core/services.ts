/**
 * What the room core is given rather than reaching for: where rounds are kept, the time, the random
 * sources of round seeds and ids, and the limits of this server. The server passes the SQLite store,
 * the system clock and crypto's randomness (server/services.ts); tests and the room swarm pass memory,
 * a clock they move themselves, and seeded randomness.
 */
import type { Command, RecordedRejection, RoundConfig } from '../../shared';
import type { SeatHolder } from '../../shared/results/record';
import type { ServerConfig } from '../config';

export interface StoredPlayer {
  node: number;
  nickname: string;
}

export type FinishedState = 'finished' | 'interrupted';

/**
 * Who played a round's student seats and when (step indices into its log), and which moves at a
 * student's seat a bot made for them (on autopilot or past the decision deadline): what the class's
 * results need to credit each move to whoever made it.
 */
export interface RoundSeating {
  holders: SeatHolder[];
  botMoves: number[];
}

/** The writes a room makes to the store. Every one is done before the core returns the effects that tell anyone of it. */
export interface RoundLog {
  /** `group`: the group's number in its class (from 1), or null outside a class; `lesson`: the id of the lesson the round plays, or null. */
  beginRound(
    id: string,
    classCode: string | null,
    config: RoundConfig,
    players: StoredPlayer[],
    now: string,
    prefix: { deflated: Uint8Array; count: number } | null,
    group?: number | null,
    lesson?: string | null,
  ): void;
  append(roundId: string, command: Command): void;
  appendRejection(roundId: string, rejection: RecordedRejection): void;
  updatePlayers(roundId: string, players: StoredPlayer[]): void;
  finishRound(
    roundId: string,
    outcome: string | null,
    result: object,
    players: StoredPlayer[],
    now: string,
    state: FinishedState,
    seating?: RoundSeating,
  ): void;
  closeClass(code: string, now: string): void;
}

export interface CoreClock {
  /** Milliseconds on a monotonic clock: flood windows. */
  now(): number;
  /** The wall-clock time as an ISO string, for the stored rounds. */
  stamp(): string;
}

export interface CoreRandom {
  /** A round's seed (its network's randomness and, mixed, its bots'). */
  seed(): number;
  /** A round's id: hard to guess, since a finished round can be read by anyone with it. */
  roundId(): string;
}

export type RoomLimits = Pick<ServerConfig, 'tickMs' | 'reconnectSeconds' | 'maxRoundTicks' | 'classIdleMinutes'>;

export interface CoreServices {
  store: RoundLog;
  clock: CoreClock;
  random: CoreRandom;
  limits: RoomLimits;
}
