/**
 * Class report benchmark: a class of 40 rounds (every protocol in turn, five seats, three students
 * each, about 2,000 commands a round), scored on one thread as `scoreRound` does it, then served as
 * the server serves it (`ClassReports`: rounds scored in the report worker, scoreboards kept): the
 * first report, the same report again, and the report after one more round. While the server works,
 * the event loop's delay is sampled: what the rooms ticking on it would feel.
 * Target: the longest event-loop delay during a report under 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { classReport, scoreRound, type PlayedRound } from '../../shared/results';
import { ClassReports } from '../../server/reports';
import { RoundStore } from '../../server/store';
import { playClassRound } from '../../test/results/helpers';

const USAGE = 'usage: npm run bench -- report [--rounds N] [--ticks T]\n';
const PROTOCOLS = ['paxos', '2pc', 'majority'];

function played(index: number, ticks: number): PlayedRound {
  const group = (index % 8) + 1;
  return playClassRound({
    protocol: PROTOCOLS[index % PROTOCOLS.length]!,
    nodes: 5,
    seed: index,
    group,
    students: [
      { nickname: `Ada${group}`, node: 1, blunder: 0.05 },
      { nickname: `Bo${group}`, node: 2, autopilotFromTick: 100 },
      { nickname: `Cy${group}`, node: 3, blunder: 0.05 },
    ],
    ticks,
    untilTicks: true,
  }).played;
}

function keep(store: RoundStore, round: PlayedRound, index: number): void {
  const players = [...new Map(round.holders.map((h) => [h.node, h.nickname]))].map(([node, nickname]) => ({ node, nickname }));
  const at = new Date(Date.UTC(2026, 0, 1, 9, Math.floor(index / 8))).toISOString();
  const id = `${round.id}-${index}`;
  store.beginRound(id, 'BENCH1', round.config, players, at, null, round.group);
  for (const command of round.log) store.append(id, command);
  for (const rejection of round.rejections) store.appendRejection(id, rejection);
  store.finishRound(id, null, {}, players, at, 'finished', { holders: [...round.holders], botMoves: [...round.botMoves] });
}

/** Runs `work` while sampling the event loop's delay; its time and the longest delay, in ms. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; maxDelayMs: number; value: T }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const began = performance.now();
  const value = await work();
  const ms = performance.now() - began;
  delay.disable();
  return { ms: Math.round(ms), maxDelayMs: Math.round(delay.max / 1e6), value };
}

export async function run(args: string[]): Promise<void> {
  let rounds = 40;
  let ticks = 2000;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rounds' && /^\d+$/.test(args[i + 1] ?? '')) rounds = Number(args[++i]);
    else if (args[i] === '--ticks' && /^\d+$/.test(args[i + 1] ?? '')) ticks = Number(args[++i]);
    else {
      process.stderr.write(`unknown argument "${args[i]}"\n${USAGE}`);
      process.exit(2);
    }
  }
  process.stderr.write(`report: playing ${rounds + 1} rounds of ${ticks} ticks\n`);
  const all = Array.from({ length: rounds + 1 }, (_, i) => played(i, ticks));
  const commands = all.slice(0, rounds).reduce((n, r) => n + r.log.length, 0);

  const oneThread: number[] = [];
  for (let i = 0; i < 5; i++) {
    const began = performance.now();
    classReport(all.slice(0, rounds).map((r) => scoreRound(r).scoreboard));
    oneThread.push(performance.now() - began);
  }
  oneThread.sort((a, b) => a - b);

  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-report-'));
  const store = new RoundStore(join(dir, 'quorum.db'));
  const reports = new ClassReports(store);
  try {
    store.createClass('BENCH1', 'Bench', 'key', new Date().toISOString());
    all.slice(0, rounds).forEach((round, i) => keep(store, round, i));
    const first = await timed(() => reports.report('BENCH1'));
    const again = await timed(() => reports.report('BENCH1'));
    keep(store, all[rounds]!, rounds);
    const next = await timed(() => reports.report('BENCH1'));
    const result = {
      rounds,
      commands,
      oneThreadMedianMs: Math.round(oneThread[2]!),
      firstReportMs: first.ms,
      firstReportMaxLoopDelayMs: first.maxDelayMs,
      sameReportMs: again.ms,
      nextRoundReportMs: next.ms,
      nextRoundMaxLoopDelayMs: next.maxDelayMs,
      students: next.value?.rows.length ?? 0,
    };
    process.stderr.write(
      `report: ${rounds} rounds, ${commands} commands: ${result.oneThreadMedianMs} ms on one thread; through the server ` +
        `${first.ms} ms (event loop delayed at most ${first.maxDelayMs} ms), again ${again.ms} ms, after one more round ${next.ms} ms\n`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await reports.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
