/**
 * The worker threads that read forks (`forkJob.ts`), so that a large or hostile round document is
 * parsed and re-run away from the event loop that ticks every room. The work is bounded: a few
 * workers, a short queue (a request beyond it is refused before its body is read), a time limit per
 * job (the worker is then ended and a fresh one started), and a heap limit per worker. A worker with
 * nothing to do for a while is ended, which gives its memory back.
 */
import { Worker } from 'node:worker_threads';
import type { ForkJobResult } from './forkJob';

export interface ForkWorkerOptions {
  /** Worker threads working at once. */
  workers: number;
  /** Requests admitted at once: being read, waiting for a worker, or being worked on. */
  admitted: number;
  /** Milliseconds one job may take, from the moment a worker takes it. */
  jobMs: number;
  /** Milliseconds a worker may sit idle before it is ended. */
  idleMs: number;
  /** Heap limit of each worker, in MB. */
  heapMb: number;
}

/**
 * One worker: the machine has few cores and a fork is a rare request. Five requests at once (one at
 * work, four waiting) hold at most five bodies in memory. A maximal round re-runs in under a second;
 * ten seconds allow for a busy machine.
 */
export const FORK_WORKER_DEFAULTS: ForkWorkerOptions = { workers: 1, admitted: 5, jobMs: 10_000, idleMs: 60_000, heapMb: 256 };

export type ForkOutcome = ForkJobResult | { ok: false; status: 500 | 503; error: string };

interface Job {
  body: Uint8Array;
  resolve(outcome: ForkOutcome): void;
  signal: AbortSignal | undefined;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
  jobId: number;
  timer: NodeJS.Timeout | null;
  idleTimer: NodeJS.Timeout | null;
}

const ENTRY = new URL('./forkWorker.mjs', import.meta.url);

export class ForkWorkers {
  private readonly options: ForkWorkerOptions;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private admittedNow = 0;
  private nextJobId = 1;
  private closed = false;

  constructor(options: Partial<ForkWorkerOptions> = {}, private readonly log: (line: string) => void = () => {}) {
    this.options = { ...FORK_WORKER_DEFAULTS, ...options };
    this.slots = Array.from({ length: this.options.workers }, () => ({ worker: null, job: null, jobId: 0, timer: null, idleTimer: null }));
  }

  /** Requests admitted and not finished. */
  get admitted(): number {
    return this.admittedNow;
  }

  /** Worker threads running now (busy or idle). */
  get running(): number {
    return this.slots.filter((s) => s.worker !== null).length;
  }

  /**
   * Admits one request, or returns null when as many are admitted as allowed. The returned function
   * gives the place back; calling it again does nothing.
   */
  admit(): (() => void) | null {
    if (this.closed || this.admittedNow >= this.options.admitted) return null;
    this.admittedNow += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.admittedNow -= 1;
    };
  }

  /** Reads one fork body in a worker. A job whose signal aborts while it waits is dropped unread. */
  run(body: Uint8Array, signal?: AbortSignal): Promise<ForkOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, status: 503, error: 'The server is shutting down.' });
    return new Promise((resolve) => {
      const job: Job = { body, resolve, signal };
      this.queue.push(job);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(job);
          if (index < 0) return;
          this.queue.splice(index, 1);
          resolve({ ok: false, status: 503, error: 'The request was abandoned.' });
        },
        { once: true },
      );
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      this.start(slot, job);
    }
  }

  private start(slot: Slot, job: Job): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    const worker = slot.worker ?? this.spawn(slot);
    slot.job = job;
    slot.jobId = this.nextJobId++;
    slot.timer = setTimeout(() => {
      this.finish(slot, {
        ok: false,
        status: 503,
        error: `Reading that round took longer than ${this.options.jobMs / 1000} s; the server stopped. Try again when it is less busy.`,
      });
      this.retire(slot);
    }, this.options.jobMs);
    // The body is copied to the worker; the request's own buffer is let go with the request.
    worker.postMessage({ id: slot.jobId, body: job.body });
    job.body = EMPTY;
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(ENTRY, {
      // Not the parent's flags (tsx's or vitest's): the entry loads TypeScript by itself.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb },
    });
    worker.unref();
    worker.on('message', (message: { id: number; result: ForkOutcome & { detail?: string } }) => {
      if (slot.worker !== worker || message.id !== slot.jobId) return;
      const { detail, ...result } = message.result;
      if (detail) this.log(`reading a fork failed: ${detail}`);
      this.finish(slot, result as ForkOutcome);
      this.idle(slot);
      this.dispatch();
    });
    const lost = (why: string) => {
      if (slot.worker !== worker) return;
      this.log(`a fork worker stopped: ${why}`);
      this.finish(slot, { ok: false, status: 500, error: 'The server could not read that round.' });
      this.retire(slot);
    };
    worker.on('error', (error) => lost(String(error)));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    slot.worker = worker;
    return worker;
  }

  private finish(slot: Slot, outcome: ForkOutcome): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job;
    slot.job = null;
    job?.resolve(outcome);
  }

  /** Ends a slot's worker (after a timeout or a crash); the next job starts a fresh one. */
  private retire(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = null;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    if (worker) void worker.terminate();
    this.dispatch();
  }

  private idle(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (!slot.job) this.retire(slot);
    }, this.options.idleMs);
    slot.idleTimer.unref();
  }

  /** Refuses what waits and ends every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve({ ok: false, status: 503, error: 'The server is shutting down.' });
    const workers = this.slots.map((slot) => {
      this.finish(slot, { ok: false, status: 503, error: 'The server is shutting down.' });
      const worker = slot.worker;
      slot.worker = null;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      return worker?.terminate();
    });
    await Promise.all(workers);
  }
}

const EMPTY = new Uint8Array(0);
