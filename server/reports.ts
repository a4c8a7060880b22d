/**
 * The class report (`GET /api/classes/:code/report`) and a student's own line of it. Scoring a round
 * re-runs its whole log: a class of 40 rounds of about 2,000 commands takes 80 to 300 ms on a warm
 * thread, and more the first time (`npm run bench -- report`), far too long for the thread that ticks
 * the rooms. So rounds are scored in a worker thread, one round per job (the
 * main thread only reads each round's stored text between jobs), and each round's scoreboard is kept
 * by its id: a finished round never changes, so a class's report after its next round scores that
 * round alone. The report itself is kept per class until the class's set of finished rounds changes,
 * so that every student's line after a round costs one report.
 */
import { Worker } from 'node:worker_threads';
import { classReportDocument, type ClassReportDocument, type ClassReportRow, type RoundScoreboard } from '../shared/results';
import type { ScoredRound } from './reportJob';
import type { RoundStore, StoredRoundSource } from './store';

export interface ReportOptions {
  /** Milliseconds a round may wait for and take in the worker before the worker is ended. */
  jobMs: number;
  /** Milliseconds the worker may sit idle before it is ended. */
  idleMs: number;
  /** The worker's heap limit, in MB. */
  heapMb: number;
  /** Round scoreboards kept, by round id. */
  cachedRounds: number;
  /** Class reports kept, by class. */
  cachedClasses: number;
}

/** A round of 50,000 commands scores in about 2 s; twenty allow for a busy machine and a few rounds queued ahead. */
export const REPORT_DEFAULTS: ReportOptions = { jobMs: 20_000, idleMs: 60_000, heapMb: 256, cachedRounds: 2_000, cachedClasses: 100 };

/** The report cannot be worked out right now (the worker was too slow or stopped, or the server is closing): worth asking again. */
export class ReportUnavailable extends Error {}

const ENTRY = new URL('./reportWorker.mjs', import.meta.url);

/** The worker thread that scores rounds, started when there is work and ended when idle. */
class ReportWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly jobs = new Map<number, { resolve: (result: ScoredRound) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly options: ReportOptions,
    private readonly log: (line: string) => void,
  ) {}

  score(source: StoredRoundSource): Promise<ScoredRound> {
    if (this.closed) return Promise.reject(new ReportUnavailable('The server is shutting down.'));
    const worker = this.worker ?? this.spawn();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.log(`scoring round ${source.id} for a class report took longer than ${this.options.jobMs} ms: the report worker is restarted`);
        this.retire(new ReportUnavailable('Working out the report took too long: try again when the server is less busy.'));
      }, this.options.jobMs);
      this.jobs.set(id, { resolve, reject, timer });
      worker.postMessage({ id, source });
    });
  }

  private spawn(): Worker {
    // Not the parent's flags (tsx's or vitest's): the entry loads TypeScript by itself.
    const worker = new Worker(ENTRY, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb } });
    worker.unref();
    worker.on('message', ({ id, result }: { id: number; result: ScoredRound }) => {
      const job = this.jobs.get(id);
      if (!job || this.worker !== worker) return;
      this.jobs.delete(id);
      clearTimeout(job.timer);
      job.resolve(result);
      if (this.jobs.size === 0 && !this.closed) {
        this.idleTimer = setTimeout(() => this.retire(null), this.options.idleMs);
        this.idleTimer.unref();
      }
    });
    const lost = (why: string): void => {
      if (this.worker !== worker) return;
      this.log(`the report worker stopped: ${why}`);
      this.retire(new ReportUnavailable('The server stopped working out reports for a moment: try again.'));
    };
    worker.on('error', (error) => lost(String(error)));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** Ends the worker; the jobs it held fail with `error`, and the next job starts a fresh worker. */
  private retire(error: Error | null): void {
    const worker = this.worker;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(error ?? new ReportUnavailable('The report worker stopped.'));
    }
    this.jobs.clear();
    if (worker) void worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.retire(new ReportUnavailable('The server is shutting down.'));
    await worker?.terminate();
  }
}

/** Keeps `value` under `key` as the most recently used, dropping the least recently used past `limit`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

export class ClassReports {
  private readonly options: ReportOptions;
  private readonly worker: ReportWorker;
  /** Each round's scoreboard, or null for a round that could not be scored (it is left out of reports). */
  private readonly scored = new Map<string, RoundScoreboard | null>();
  private readonly scoring = new Map<string, Promise<RoundScoreboard | null>>();
  /** Each class's last report, and the finished rounds it covers (their ids, in order). */
  private readonly reports = new Map<string, { rounds: string; report: ClassReportDocument }>();
  private readonly building = new Map<string, { rounds: string; report: Promise<ClassReportDocument> }>();

  constructor(
    private readonly store: RoundStore,
    options: Partial<ReportOptions> = {},
    private readonly log: (line: string) => void = () => {},
  ) {
    this.options = { ...REPORT_DEFAULTS, ...options };
    this.worker = new ReportWorker(this.options, log);
  }

  /**
   * The report over every finished or interrupted round of the class, or null when there is no such
   * class. Rejects with `ReportUnavailable` when the worker could not score a round in time.
   */
  async report(code: string): Promise<ClassReportDocument | null> {
    const title = this.store.classTitle(code);
    if (title === null) return null;
    const ids = this.store.finishedRoundIds(code);
    const rounds = ids.join(' ');
    const kept = this.reports.get(code);
    if (kept?.rounds === rounds) {
      remember(this.reports, code, kept, this.options.cachedClasses);
      return kept.report;
    }
    const under = this.building.get(code);
    if (under?.rounds === rounds) return under.report;
    const report = (async () => {
      const boards: RoundScoreboard[] = [];
      for (const id of ids) {
        const board = await this.scoreboard(id);
        if (board) boards.push(board);
      }
      const built = classReportDocument(code, title, boards);
      remember(this.reports, code, { rounds, report: built }, this.options.cachedClasses);
      return built;
    })();
    this.building.set(code, { rounds, report });
    const forget = (): void => {
      if (this.building.get(code)?.report === report) this.building.delete(code);
    };
    report.then(forget, forget);
    return report;
  }

  /**
   * A student's own line of their class's report (what `reportLine` carries), or null when the class
   * has none for that nickname (they have not played a round that ended yet) or there is no such class.
   */
  async reportLineFor(code: string, nickname: string): Promise<ClassReportRow | null> {
    const report = await this.report(code);
    return report?.rows.find((row) => row.nickname === nickname) ?? null;
  }

  private scoreboard(id: string): Promise<RoundScoreboard | null> {
    if (this.scored.has(id)) {
      const board = this.scored.get(id)!;
      remember(this.scored, id, board, this.options.cachedRounds);
      return Promise.resolve(board);
    }
    let scoring = this.scoring.get(id);
    if (!scoring) {
      scoring = this.score(id).finally(() => this.scoring.delete(id));
      this.scoring.set(id, scoring);
    }
    return scoring;
  }

  private async score(id: string): Promise<RoundScoreboard | null> {
    const source = this.store.roundSource(id);
    if (!source) return null;
    const result = await this.worker.score(source);
    if (!result.ok) this.log(`the class report leaves out round ${id}, which could not be scored: ${result.error}`);
    const board = result.ok ? result.scoreboard : null;
    remember(this.scored, id, board, this.options.cachedRounds);
    return board;
  }

  /** Ends the worker; reports under way fail with `ReportUnavailable`. */
  close(): Promise<void> {
    return this.worker.close();
  }
}
