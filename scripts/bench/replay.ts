/**
 * `npm run bench -- replay [--seeks N]`: in headless chromium, opens the replay of a 10,000-command
 * round and seeks to random points, timing each from the seek to the next rendered frame (the canvas
 * and the panels redraw in that frame). Target: at most 50 ms. The last stdout line is one JSON object.
 */
import { rmSync } from 'node:fs';
import { runSeed } from '../../shared/sim/swarm';
import { buildClient, openPage, startHarness } from '../../test/e2e/harness';

const USAGE = 'usage: npm run bench -- replay [--seeks N]\n';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function run(args: string[]): Promise<void> {
  let seeks = 300;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seeks' && /^\d+$/.test(args[i + 1] ?? '')) seeks = Number(args[++i]);
    else {
      process.stderr.write(`unknown argument "${args[i]}"\n${USAGE}`);
      process.exit(2);
    }
  }
  process.stderr.write('replay: building the client\n');
  const clientDir = await buildClient();
  const harness = await startHarness(clientDir);
  try {
    process.stderr.write('replay: recording a 10,000-command round\n');
    const long = runSeed({ protocol: 'paxos', nodes: 5, seed: 2024, faults: true, safetyTicks: 9600 });
    const log = long.log.slice(0, 10_000);
    const now = new Date().toISOString();
    harness.server.store.beginRound('benchround', null, long.world.config, [], now);
    for (const command of log) harness.server.store.append('benchround', command);
    harness.server.store.finishRound('benchround', null, {}, [], now);

    const w = await openPage(harness.browser, `${harness.url}/?replay=benchround`);
    await w.page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await w.page.waitForSelector('#replay-scrubber', { timeout: 60_000 });
    process.stderr.write(`replay: ${seeks} seeks\n`);
    // Sent as text: the bundler that runs this script would otherwise wrap helpers into the function.
    const result = (await w.page.evaluate(`(async (count) => {
      const q = window.quorum;
      const length = q.replays.current.length;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      let state = 12345;
      const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      const times = [];
      await frame();
      for (let i = 0; i < count; i++) {
        const target = Math.floor(next() * (length + 1));
        const t0 = performance.now();
        q.replays.seek(target);
        await frame();
        times.push(performance.now() - t0);
      }
      return { times, length, renderer: document.body.dataset.renderer || 'unknown' };
    })(${seeks})`)) as { times: number[]; length: number; renderer: string };
    const sorted = result.times.slice().sort((a, b) => a - b);
    if (w.errors.length > 0) process.stderr.write(`console errors: ${w.errors.join('; ')}\n`);
    await w.context.close();
    process.stdout.write(
      `${JSON.stringify({
        renderer: result.renderer,
        commands: result.length,
        seeks,
        seekP50Ms: Number(percentile(sorted, 50).toFixed(2)),
        seekP99Ms: Number(percentile(sorted, 99).toFixed(2)),
        seekMaxMs: Number(sorted[sorted.length - 1]!.toFixed(2)),
        errors: w.errors.length,
      })}\n`,
    );
  } finally {
    await harness.close();
    rmSync(clientDir, { recursive: true, force: true });
  }
}
