/**
 * `npm run lesson-shots -- [options]`: plays each lesson to its end as a student who follows its
 * objectives would (the lesson tests' players), keeps each round as a solo room stores it, opens its
 * replay in headless chromium, seeks to the last objective reached, and saves a screenshot of the
 * replay with its lesson panel and debrief, on a desktop and on a phone.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LESSONS, lessonById, playLesson, type Lesson } from '../shared/lessons';
import { PLAYERS } from '../test/lessons/players';
import { buildClient, openPage, RESULTS, startHarness, type Harness } from '../test/e2e/harness';

function usage(code: number): never {
  (code === 0 ? process.stdout : process.stderr).write(
    [
      'usage: npm run lesson-shots -- [--lesson ID]... [--out DIR] [--seed N]',
      '',
      'Plays each lesson (or those named) to its end, opens its replay in headless chromium and saves',
      '<DIR>/<lesson>.png and <DIR>/<lesson>-phone.png: the timeline with the lesson\'s step marks, seeked to',
      'the last objective reached, and the lesson panel with the objectives and the debrief.',
      '',
      '  --lesson ID  a lesson to shoot (repeatable; default every lesson): ' + LESSONS.map((l) => l.id).join(', '),
      `  --out DIR    where the screenshots go (default ${join(RESULTS, 'lesson-shots')})`,
      '  --seed N     the seed of the bots\' choices (default 1)',
      '',
    ].join('\n'),
  );
  process.exit(code);
}

function parseArgs(args: string[]): { lessons: Lesson[]; out: string; seed: number } {
  const lessons: Lesson[] = [];
  let out = join(RESULTS, 'lesson-shots');
  let seed = 1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    if (arg === '--help' || arg === '-h') usage(0);
    if (value === undefined || !['--lesson', '--out', '--seed'].includes(arg)) {
      process.stderr.write(`unknown or incomplete option "${arg}"\n\n`);
      usage(2);
    }
    i += 1;
    if (arg === '--lesson') {
      const lesson = lessonById(value);
      if (!lesson) {
        process.stderr.write(`there is no lesson "${value}"\n\n`);
        usage(2);
      }
      lessons.push(lesson);
    } else if (arg === '--out') out = value;
    else if (!/^\d{1,9}$/.test(value)) usage(2);
    else seed = Number(value);
  }
  return { lessons: lessons.length > 0 ? lessons : [...LESSONS], out, seed };
}

/** Stores the lesson's round as a solo room does (the lesson's id, no nickname for the player), and returns its document as JSON. */
function storeRound(harness: Harness, lesson: Lesson, seed: number): string {
  const played = playLesson(lesson, { player: PLAYERS[lesson.id]!(), botSeed: seed });
  if (played.run.status !== 'done') process.stderr.write(`${lesson.id}: the lesson ended ${played.run.status}\n`);
  const store = harness.server.store;
  const id = `shot-${lesson.id}`.slice(0, 64);
  const now = new Date().toISOString();
  store.beginRound(id, null, played.round.config, [], now, null, null, lesson.id);
  for (const command of played.round.log) store.append(id, command);
  store.finishRound(id, played.run.world.global.chosen[0]?.decree ?? null, {}, [], now);
  return JSON.stringify([{ summary: { id }, doc: store.roundDocument(id) }]);
}

async function shoot(page: Page, lesson: Lesson, rounds: string, path: string): Promise<void> {
  await page.evaluate((kept) => localStorage.setItem('quorum.soloRounds', kept), rounds);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.click('#open-replays');
  await page.click(`#replays ul.rounds button:has-text("${lesson.title}")`);
  await page.waitForSelector('#replay-lesson-title');
  const marks = page.locator('#replay-lesson-marks .lesson-mark.objective');
  if ((await marks.count()) > 0) await marks.last().click();
  await page.evaluate(() => document.querySelector('#replays .scrub')?.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path });
}

const { lessons, out, seed } = parseArgs(process.argv.slice(2));
mkdirSync(out, { recursive: true });
process.stderr.write('building the client...\n');
const clientDir = await buildClient();
const harness = await startHarness(clientDir, { tickMs: 100 });
try {
  const desktop = await openPage(harness.browser, harness.url, { width: 1280, height: 860 });
  const phone = await openPage(harness.browser, harness.url, { width: 390, height: 844 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  for (const lesson of lessons) {
    const rounds = storeRound(harness, lesson, seed);
    await shoot(desktop.page, lesson, rounds, join(out, `${lesson.id}.png`));
    await shoot(phone.page, lesson, rounds, join(out, `${lesson.id}-phone.png`));
    process.stdout.write(`${join(out, `${lesson.id}.png`)}\n${join(out, `${lesson.id}-phone.png`)}\n`);
  }
  const errors = [...desktop.errors, ...phone.errors];
  if (errors.length > 0) process.stderr.write(`console errors:\n${errors.join('\n')}\n`);
  process.exitCode = errors.length > 0 ? 1 : 0;
} finally {
  await harness.close();
}
