/**
 * `npm run bench -- replay [--seeks N] [--slice K] [--profile DIR]`: in headless chromium, opens the
 * replay of a 10,000-command round and seeks to random points, timing each from the seek to the next
 * rendered frame (the canvas and the panels redraw in that frame). In the same browser, a bare
 * baseline page (`?bench=baseline`: a plain 2D canvas of the replay canvas's size, with as many nodes
 * and as many messages in flight as the round shows on average) makes the same seeks: a new moment,
 * drawn in the next frame. The two take turns of K seeks each, the other paused, until each has made
 * N, so that a burst of load hits both alike. Goal: the replay's seek p99 within 3 baseline frames,
 * that is seekP99Ratio = seekP99Ms / baseline.seekP99Ms <= 3. cpuMsPerSeek is the browser's CPU time
 * (all its processes, from /proc) per seek, each page's turns counted alone: the figure a loaded
 * machine disturbs least. The last stdout line is one JSON object.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { Replay } from '../../shared/engine/replay';
import { runSeed } from '../../shared/sim/swarm';
import { buildClient, openPage, startHarness } from '../../test/e2e/harness';
import { descendantsCpuSeconds, frameFigures, percentile, ratio, readCpuTimes, round2, stealPercent } from './paired';

const USAGE = 'usage: npm run bench -- replay [--seeks N] [--slice K] [--profile DIR]\n';
const COMMANDS = 10_000;

/** The seeds of each turn's random targets: turns of both pages draw the same fractions of their timelines. */
function targets(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/**
 * Seeks a page to each target (a fraction of its timeline) and times it to the next animation frame.
 * Sent as text: the bundler that runs this script would otherwise wrap helpers into the function.
 */
async function seekTimes(page: Page, seek: string, fractions: number[]): Promise<number[]> {
  return (await page.evaluate(`(async (fractions) => {
    const seek = ${seek};
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const times = [];
    await frame();
    for (const f of fractions) {
      const t0 = performance.now();
      seek(f);
      await frame();
      times.push(performance.now() - t0);
    }
    return times;
  })(${JSON.stringify(fractions)})`)) as number[];
}

async function profile(page: Page, file: string): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile: data } = await cdp.send('Profiler.stop');
    writeFileSync(file, JSON.stringify(data));
    process.stderr.write(`profile written to ${file}\n`);
  };
}

export async function run(args: string[]): Promise<void> {
  let seeks = 300;
  let slice = 30;
  let profileDir: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seeks' && /^\d+$/.test(args[i + 1] ?? '')) seeks = Math.max(1, Number(args[++i]));
    else if (args[i] === '--slice' && /^\d+$/.test(args[i + 1] ?? '')) slice = Math.max(1, Number(args[++i]));
    else if (args[i] === '--profile' && args[i + 1]) profileDir = resolve(args[++i]!);
    else {
      process.stderr.write(`unknown argument "${args[i]}"\n${USAGE}`);
      process.exit(2);
    }
  }
  process.stderr.write('replay: building the client\n');
  const clientDir = await buildClient();
  const harness = await startHarness(clientDir);
  try {
    process.stderr.write(`replay: recording a ${COMMANDS.toLocaleString('en')}-command round\n`);
    const long = runSeed({ protocol: 'paxos', nodes: 5, seed: 2024, faults: true, safetyTicks: 9600 });
    const log = long.log.slice(0, COMMANDS);
    const now = new Date().toISOString();
    harness.server.store.beginRound('benchround', null, long.world.config, [], now);
    for (const command of log) harness.server.store.append('benchround', command);
    harness.server.store.finishRound('benchround', null, {}, [], now);
    // The baseline draws as many messages as the replay shows on average at the points it seeks to.
    const rounds = Math.ceil(seeks / slice);
    const replay = new Replay(long.world.config, log);
    const fractions = Array.from({ length: rounds }, (_, i) => targets(slice, 12345 + i)).flat();
    const inFlight = Math.round(fractions.reduce((sum, f) => sum + replay.worldAt(Math.floor(f * (log.length + 1))).inFlight.length, 0) / fractions.length);

    const w = await openPage(harness.browser, `${harness.url}/?replay=benchround`);
    await w.page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await w.page.waitForSelector('#replay-scrubber', { timeout: 60_000 });
    const game = '(() => window.quorum.game())()';
    const size = (await w.page.evaluate(`(() => { const c = ${game}.canvas; return { width: c.clientWidth, height: c.clientHeight }; })()`)) as { width: number; height: number };
    const b = await openPage(harness.browser, `${harness.url}/?bench=baseline&nodes=${long.world.config.nodes}&messages=${inFlight}&width=${size.width}&height=${size.height}`);
    await b.page.waitForFunction(() => (window as unknown as { quorumBench?: { ready(): boolean } }).quorumBench?.ready() === true, undefined, { timeout: 60_000 });
    await b.page.evaluate('window.quorumBench.stop()');
    await w.page.evaluate(`${game}.loop.sleep()`);

    process.stderr.write(`replay: ${seeks} seeks each, in turns of ${slice}, against a baseline of ${inFlight} messages\n`);
    const stopProfiles = profileDir
      ? (mkdirSync(profileDir, { recursive: true }), await Promise.all([profile(w.page, join(profileDir, 'replay.cpuprofile')), profile(b.page, join(profileDir, 'baseline.cpuprofile'))]))
      : [];
    const times = { replay: [] as number[], baseline: [] as number[] };
    const baselineFrames: number[] = [];
    const cpuSeconds = { replay: 0, baseline: 0 };
    const cpuBefore = readCpuTimes();
    for (let i = 0; i < rounds; i++) {
      const turn = fractions.slice(i * slice, Math.min(seeks, (i + 1) * slice));
      let before = descendantsCpuSeconds();
      await b.page.evaluate('window.quorumBench.start()');
      times.baseline.push(...(await seekTimes(b.page, `(f) => window.quorumBench.seek(Math.floor(f * ${COMMANDS}))`, turn)));
      baselineFrames.push(...((await b.page.evaluate('window.quorumBench.stop().intervals')) as number[]));
      cpuSeconds.baseline += descendantsCpuSeconds() - before;
      before = descendantsCpuSeconds();
      await w.page.evaluate(`${game}.loop.wake()`);
      times.replay.push(...(await seekTimes(w.page, '(f) => window.quorum.replays.seek(Math.floor(f * (window.quorum.replays.current.length + 1)))', turn)));
      await w.page.evaluate(`${game}.loop.sleep()`);
      cpuSeconds.replay += descendantsCpuSeconds() - before;
    }
    const steal = stealPercent(cpuBefore, readCpuTimes());
    for (const stop of stopProfiles) await stop();
    await w.page.evaluate(`${game}.loop.wake()`);
    const length = (await w.page.evaluate('window.quorum.replays.current.length')) as number;
    const renderer = (await w.page.evaluate('document.body.dataset.renderer || "unknown"')) as string;
    const errors = [...w.errors, ...b.errors];
    if (errors.length > 0) process.stderr.write(`console errors: ${errors.join('; ')}\n`);
    await w.context.close();
    await b.context.close();

    const seekFigures = (xs: number[]) => {
      const sorted = xs.slice().sort((a, c) => a - c);
      return { seekP50Ms: round2(percentile(sorted, 50)), seekP99Ms: round2(percentile(sorted, 99)), seekMaxMs: round2(sorted[sorted.length - 1] ?? NaN) };
    };
    const mine = { ...seekFigures(times.replay), cpuMsPerSeek: round2((1000 * cpuSeconds.replay) / times.replay.length) };
    const floor = { ...seekFigures(times.baseline), cpuMsPerSeek: round2((1000 * cpuSeconds.baseline) / times.baseline.length) };
    const frames = frameFigures(baselineFrames);
    process.stdout.write(
      `${JSON.stringify({
        renderer,
        commands: length,
        seeks: times.replay.length,
        ...mine,
        baseline: { messages: inFlight, ...floor, frameP50Ms: frames.frameP50Ms, frameP95Ms: frames.frameP95Ms },
        seekP99Ratio: ratio(mine.seekP99Ms, floor.seekP99Ms),
        seekP50Ratio: ratio(mine.seekP50Ms, floor.seekP50Ms),
        cpuRatio: ratio(mine.cpuMsPerSeek, floor.cpuMsPerSeek),
        sliceSeeks: slice,
        stealPercent: steal,
        errors: errors.length,
      })}\n`,
    );
  } finally {
    await harness.close();
    rmSync(clientDir, { recursive: true, force: true });
  }
}
