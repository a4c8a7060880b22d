/**
 * What the whole process shares between rooms and HTTP routes: the live classes by join code, the
 * one-time tokens that let only the server create a classroom, the per-address join limiter, and
 * forks of replays waiting for their solo room.
 */
import { randomBytes } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { messages } from '../shared';
import type { ServerConfig } from './config';
import type { ForkStart } from './round';
import type { RoundStore } from './store';

const newCode = customAlphabet(messages.JOIN_CODE_ALPHABET, messages.JOIN_CODE_LENGTH);

export interface LiveClass {
  code: string;
  title: string;
  instructorKey: string;
}

/** A token bucket per address: a burst of joins, then a steady trickle. */
export class JoinLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  allow(address: string): boolean {
    const t = this.now();
    const bucket = this.buckets.get(address) ?? { tokens: this.burst, at: t };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((t - bucket.at) / 1000) * this.perSecond);
    bucket.at = t;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(address, bucket);
    if (this.buckets.size > 10_000) this.prune(t);
    return allowed;
  }

  private prune(t: number): void {
    for (const [address, bucket] of this.buckets) {
      if (bucket.tokens + ((t - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(address);
    }
  }
}

/** Forks waiting to be joined: few, short-lived, so a small bounded map is enough. */
const MAX_PENDING_FORKS = 64;

export class Registry {
  readonly classes = new Map<string, LiveClass>();
  private readonly forks = new Map<string, ForkStart>();
  private readonly createTokens = new Set<string>();
  /** Replaceable, so that a test can tighten it. */
  joins: JoinLimiter;

  constructor(
    readonly config: ServerConfig,
    readonly store: RoundStore,
    now: () => number = () => performance.now(),
  ) {
    this.joins = new JoinLimiter(config.joinBurst, config.joinPerSecond, now);
  }

  /** A fresh join code, unique among live classes (and unused in the store, so old rounds stay unambiguous). */
  newClass(title: string): LiveClass {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const code = newCode();
      if (this.classes.has(code) || this.store.classExists(code)) continue;
      const live: LiveClass = { code, title, instructorKey: randomBytes(18).toString('base64url') };
      this.classes.set(code, live);
      return live;
    }
    throw new Error('no free join code');
  }

  /** Keeps a fork's starting point until a solo room claims it; returns its id. */
  addFork(fork: ForkStart): string {
    const id = randomBytes(12).toString('base64url');
    this.forks.set(id, fork);
    while (this.forks.size > MAX_PENDING_FORKS) this.forks.delete(this.forks.keys().next().value!);
    return id;
  }

  /** Hands a fork to the room that starts it; each fork starts one round. */
  takeFork(id: string): ForkStart | null {
    const fork = this.forks.get(id) ?? null;
    this.forks.delete(id);
    return fork;
  }

  issueCreateToken(): string {
    const token = randomBytes(18).toString('base64url');
    this.createTokens.add(token);
    return token;
  }

  consumeCreateToken(token: unknown): boolean {
    return typeof token === 'string' && this.createTokens.delete(token);
  }
}
