/**
 * The worker thread that reads forks (`forkJob.ts`), so that a large or hostile round document is
 * parsed and re-run away from the event loop that ticks every room. A fork's body goes to the worker
 * chunk by chunk as it arrives: the main thread never holds a whole body (a few large buffers held
 * there would cost it long garbage collections). The work is bounded: few requests admitted at once
 * (the others are refused before their body is read), a time limit per job (the worker is then ended,
 * with what it held, and a fresh one starts for the next), and a heap limit. A worker with nothing to
 * do for a while is ended, which gives its memory back.
 */
import { Worker } from 'node:worker_threads';
import type { ForkJobResult } from './forkJob';

export interface ForkWorkerOptions {
  /** Requests admitted at once: sending their body, waiting for the worker, or being read by it. */
  admitted: number;
  /** Milliseconds one job may take once the worker starts it. */
  jobMs: number;
  /** Milliseconds the worker may sit idle before it is ended. */
  idleMs: number;
  /** The worker's heap limit, in MB. */
  heapMb: number;
}

/**
 * One worker (the machine may have two cores, and forks are rare); five requests at once hold at most
 * five bodies, in the worker. A maximal round re-runs in about a second; ten allow for a busy machine.
 */
export const FORK_WORKER_DEFAULTS: ForkWorkerOptions = { admitted: 5, jobMs: 10_000, idleMs: 60_000, heapMb: 256 };

export type ForkOutcome = ForkJobResult | { ok: false; status: 500 | 503; error: string };

/** Messages to the worker and back (see forkWorker.mjs). */
type ToWorker = { type: 'chunk'; id: number; chunk: Uint8Array } | { type: 'end'; id: number } | { type: 'drop'; id: number };
type FromWorker = { type: 'started'; id: number } | { type: 'result'; id: number; result: ForkOutcome & { detail?: string } };

const ENTRY = new URL('./forkWorker.mjs', import.meta.url);
const SHUTTING_DOWN: ForkOutcome = { ok: false, status: 503, error: 'The server is shutting down.' };
const LOST: ForkOutcome = { ok: false, status: 503, error: 'The server stopped reading forks for a moment: try again.' };

/** One fork request's body on its way to the worker. */
export class ForkUpload {
  private outcome: ForkOutcome | null = null;
  private resolve: ((outcome: ForkOutcome) => void) | null = null;
  private ended = false;
  private released = false;
  /** @internal The job's time limit, from the moment the worker starts it. */
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly generation: number,
    private readonly pool: ForkWorkers,
  ) {}

  /** Passes one chunk of the body on: a copy of its own moves to the worker, and the request's buffer is let go at once. */
  write(chunk: Uint8Array): void {
    if (this.outcome || this.ended) return;
    const copy = new Uint8Array(chunk);
    this.pool.post(this, { type: 'chunk', id: this.id, chunk: copy }, [copy.buffer]);
  }

  /** The body is complete: the worker reads it when its turn comes. */
  end(): Promise<ForkOutcome> {
    if (!this.ended) {
      this.ended = true;
      if (!this.outcome) this.pool.post(this, { type: 'end', id: this.id });
    }
    if (this.outcome) return Promise.resolve(this.outcome);
    return new Promise((resolve) => (this.resolve = resolve));
  }

  /**
   * The body will not be complete (too large, too slow, the client went): the worker drops what it
   * holds of it. Once the body is complete this does nothing: the request keeps its place until the
   * worker has read it, so that clients who leave cannot pile up work.
   */
  abort(): void {
    if (this.outcome || this.ended) return;
    this.pool.post(this, { type: 'drop', id: this.id });
    this.settle({ ok: false, status: 503, error: 'The request was abandoned.' });
  }

  /** @internal */
  settle(outcome: ForkOutcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.resolve?.(outcome);
    this.resolve = null;
    if (!this.released) {
      this.released = true;
      this.pool.release(this);
    }
  }
}

export class ForkWorkers {
  private readonly options: ForkWorkerOptions;
  private worker: Worker | null = null;
  /** Which worker an upload streams to: a new worker does not have what an ended one held. */
  private generation = 0;
  private readonly uploads = new Map<number, ForkUpload>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    options: Partial<ForkWorkerOptions> = {},
    private readonly log: (line: string) => void = () => {},
  ) {
    this.options = { ...FORK_WORKER_DEFAULTS, ...options };
  }

  /** Requests admitted and not finished. */
  get admitted(): number {
    return this.uploads.size;
  }

  /** Whether the worker thread is running now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Admits one request, or null when as many are under way as allowed. */
  admit(): ForkUpload | null {
    if (this.closed || this.uploads.size >= this.options.admitted) return null;
    if (!this.worker) this.spawn();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const upload = new ForkUpload(this.nextId++, this.generation, this);
    this.uploads.set(upload.id, upload);
    return upload;
  }

  /** @internal */
  post(upload: ForkUpload, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (upload.generation !== this.generation || !this.worker) {
      upload.settle(this.closed ? SHUTTING_DOWN : LOST);
      return;
    }
    this.worker.postMessage(message, transfer);
  }

  /** @internal */
  release(upload: ForkUpload): void {
    this.uploads.delete(upload.id);
    if (this.uploads.size === 0 && this.worker && !this.closed) {
      this.idleTimer = setTimeout(() => this.retire(), this.options.idleMs);
      this.idleTimer.unref();
    }
  }

  private spawn(): void {
    this.generation += 1;
    const generation = this.generation;
    const worker = new Worker(ENTRY, {
      // Not the parent's flags (tsx's or vitest's): the entry loads TypeScript by itself.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb },
    });
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      const upload = this.uploads.get(message.id);
      if (!upload || upload.generation !== generation) return;
      if (message.type === 'started') {
        upload.timer = setTimeout(() => {
          this.log(`reading a fork took longer than ${this.options.jobMs} ms: the fork worker is restarted`);
          upload.settle({
            ok: false,
            status: 503,
            error: `Reading that round took longer than ${this.options.jobMs / 1000} s, so the server stopped. Try again when it is less busy.`,
          });
          this.retire();
        }, this.options.jobMs);
        return;
      }
      const { detail, ...result } = message.result;
      if (detail) this.log(`reading a fork failed: ${detail}`);
      upload.settle(result as ForkOutcome);
    });
    const lost = (why: string): void => {
      if (this.generation !== generation || this.worker !== worker) return;
      this.log(`the fork worker stopped: ${why}`);
      this.retire();
    };
    worker.on('error', (error) => lost(String(error)));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
  }

  /** Ends the worker; every request it held fails, and the next one starts a fresh worker. */
  private retire(): void {
    const worker = this.worker;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const generation = this.generation;
    for (const upload of [...this.uploads.values()]) if (upload.generation === generation) upload.settle(this.closed ? SHUTTING_DOWN : LOST);
    if (worker) void worker.terminate();
  }

  /** Refuses what is under way and ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.retire();
    await worker?.terminate();
  }
}
