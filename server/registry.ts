/**
 * What the whole process shares between rooms and HTTP routes: the live classes by join code, the
 * one-time tokens that let only the server create a classroom, the per-address join limiter, forks
 * of replays waiting for their solo room, and the services every room's core is given.
 */
import { randomBytes } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { messages } from '../shared';
import type { ServerConfig } from './config';
import type { CoreServices } from './core/services';
import type { ForkStart } from './forkJob';
import type { ClassReports } from './reports';
import { systemServices } from './services';
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

/**
 * Forks wait here for the solo room that starts them. They are bounded in number, in bytes held (a
 * fork holds its world, at most 1 MiB of JSON and usually a few KB, and its deflated commands, a few
 * tens of KB for 50,000), and in time: a fork nobody joins within five minutes is let go. When a new
 * fork would go over, the oldest go first.
 */
export const PENDING_FORK_LIMITS = { count: 64, bytes: 64 * 1024 * 1024, ttlMs: 5 * 60_000 };

export class PendingForks {
  private readonly forks = new Map<string, { fork: ForkStart; bytes: number; timer: NodeJS.Timeout }>();
  private held = 0;

  constructor(readonly limits: typeof PENDING_FORK_LIMITS = PENDING_FORK_LIMITS) {}

  /** What a fork holds in memory: its world's text (two bytes a character at worst), its deflated commands, and some. */
  static bytesOf(fork: ForkStart): number {
    return 2 * fork.world.length + fork.commands.byteLength + 1024;
  }

  get size(): number {
    return this.forks.size;
  }

  /** Bytes held by the forks waiting now. */
  get bytes(): number {
    return this.held;
  }

  add(fork: ForkStart): string {
    const id = randomBytes(12).toString('base64url');
    const bytes = PendingForks.bytesOf(fork);
    while (this.forks.size > 0 && (this.forks.size >= this.limits.count || this.held + bytes > this.limits.bytes)) {
      this.drop(this.forks.keys().next().value!);
    }
    const timer = setTimeout(() => this.drop(id), this.limits.ttlMs);
    timer.unref();
    this.forks.set(id, { fork, bytes, timer });
    this.held += bytes;
    return id;
  }

  /** Hands a fork over once; null when unknown, started or expired. */
  take(id: string): ForkStart | null {
    const entry = this.forks.get(id);
    if (!entry) return null;
    this.drop(id);
    return entry.fork;
  }

  clear(): void {
    for (const id of [...this.forks.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const entry = this.forks.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.forks.delete(id);
    this.held -= entry.bytes;
  }
}

export class Registry {
  readonly classes = new Map<string, LiveClass>();
  readonly forks: PendingForks;
  private readonly createTokens = new Set<string>();
  readonly joins: JoinLimiter;
  readonly services: CoreServices;

  constructor(
    readonly config: ServerConfig,
    readonly store: RoundStore,
    /** The class reports, and each student's own line of them (`reportLineFor`). */
    readonly reports: ClassReports | null = null,
    now: () => number = () => performance.now(),
  ) {
    this.joins = new JoinLimiter(config.joinBurst, config.joinPerSecond, now);
    this.services = systemServices(store, config);
    this.forks = new PendingForks({ ...PENDING_FORK_LIMITS, ttlMs: (config.forkTtlSeconds ?? PENDING_FORK_LIMITS.ttlMs / 1000) * 1000 });
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
    return this.forks.add(fork);
  }

  /** Hands a fork to the room that starts it; each fork starts one round. */
  takeFork(id: string): ForkStart | null {
    return this.forks.take(id);
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
