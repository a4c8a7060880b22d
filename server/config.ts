import { MIN_ADMIN_PASSWORD_LENGTH } from './admin';

/** Settings of one server instance; main.ts fills them from the environment, tests pass their own. */
export interface ServerConfig {
  /** SQLite file holding every round. */
  dbPath: string;
  /** Seconds a dropped player keeps seat, node and votes. */
  reconnectSeconds: number;
  /** Milliseconds between engine ticks at speed 1. */
  tickMs: number;
  /** Join attempts an address may make in a burst, and how many it earns back per second. */
  joinBurst: number;
  joinPerSecond: number;
  /** Ticks after which a round that has not finished is ended (a guard against rounds that never stop). */
  maxRoundTicks: number;
  /** Minutes a class may go with nobody connected (instructor or student) before it is closed and its code retired. */
  classIdleMinutes: number;
  /** Turns on Colyseus's monitor and playground behind this password; null leaves them off. */
  adminPassword: string | null;
  /** Seconds a fork of a replay waits for its solo room before it is let go (default 300). */
  forkTtlSeconds?: number;
}

/**
 * At speed 1 the engine ticks twice a second: with the default latency of 2 to 6 ticks a message
 * takes 1 to 3 s on screen, slow enough for a class to follow it.
 */
export const DEFAULT_TICK_MS = 500;
export const DEFAULT_RECONNECT_SECONDS = 60;
/** Four hours: longer than any lesson and its breaks, short enough that an abandoned class does not live on for days. */
export const DEFAULT_CLASS_IDLE_MINUTES = 240;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const number = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
    return value;
  };
  return {
    dbPath: env.QUORUM_DB || 'data/quorum.db',
    reconnectSeconds: number('QUORUM_RECONNECT_SECONDS', DEFAULT_RECONNECT_SECONDS),
    tickMs: number('QUORUM_TICK_MS', DEFAULT_TICK_MS),
    joinBurst: number('QUORUM_JOIN_BURST', 60),
    joinPerSecond: number('QUORUM_JOIN_PER_SECOND', 2),
    maxRoundTicks: number('QUORUM_MAX_ROUND_TICKS', 5000),
    classIdleMinutes: number('QUORUM_CLASS_IDLE_MINUTES', DEFAULT_CLASS_IDLE_MINUTES),
    adminPassword: adminPassword(env.QUORUM_ADMIN_PASSWORD),
    forkTtlSeconds: number('QUORUM_FORK_TTL_SECONDS', 300),
  };
}

function adminPassword(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new Error(`QUORUM_ADMIN_PASSWORD must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters (it guards tools that can drive any room)`);
  }
  return raw;
}
