/**
 * In the browser: a sandbox class where a student breaks a rule from the panel and sees it at once,
 * while the instructor's scoreboard counts it; and the words of a solo 2PC round (labels keep their
 * case, a solo player is not told to wait for an instructor). Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, RESULTS, startHarness, type Harness } from './harness';

let clientDir = '';
let harness: Harness;

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir, { tickMs: 200 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

describe('sandbox mode in the browser', () => {
  it('offers a student the moves that break a rule, marked, tells them at once when they break one, and the scoreboard counts it', async () => {
    const teacher = await openPage(harness.browser, harness.url);
    await ready(teacher.page);
    await teacher.page.click('#host-class');
    await teacher.page.waitForSelector('#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();
    const student = await openPage(harness.browser, `${harness.url}/join/${code}`, { width: 390, height: 844 });
    await ready(student.page);
    await student.page.fill('#join-nickname', 'Ada');
    await student.page.click('#join-class');
    await student.page.waitForSelector('#waiting:has-text("Waiting for the instructor")');

    await teacher.page.selectOption('#setup-protocol', 'majority');
    await teacher.page.selectOption('#setup-nodes', '3');
    await teacher.page.check('#setup-sandbox');
    await teacher.page.click('#start-round');
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #god-nodes');

    // Ada votes as the rules allow; none of the marked moves shows before that.
    const page = student.page;
    const vote = page.locator('#moves button[data-action="vote"]:not([disabled])').first();
    await vote.waitFor({ timeout: 30_000 });
    expect(await page.locator('button.rule-breaking').count()).toBe(0);
    await vote.click();
    await page.waitForSelector('#my-state li:has-text("(locked)")');
    // Once she hears of another candidate, the panel offers her a second vote, apart and marked.
    const again = page.locator('#rule-breaking-moves button.rule-breaking[data-rule="vote-locked"]').first();
    await again.waitFor({ timeout: 30_000 });
    await expect(page.locator('#rule-breaking-title').textContent()).resolves.toBe('Moves that break a rule (sandbox)');
    await expect(again.getAttribute('aria-label')).resolves.toMatch(/^Vote for \S+: breaks the rule "a vote is locked once cast"$/);
    await expect(again.textContent()).resolves.toContain('breaks: a vote is locked once cast');
    await shot(page, 'sandbox-moves.png');
    await again.click();
    // The violation shows as it happens: a notice and the event log.
    await page.waitForSelector('.toast:has-text("A broke a rule (a vote is locked once cast)")');
    await page.waitForSelector('#log-list li:has-text("A broke a rule (a vote is locked once cast)")');
    await expect(page.locator('.toast').last().textContent()).resolves.toMatch(/^A broke a rule \(a vote is locked once cast\)\. You already voted for \S+, and votes are locked\./);
    await shot(page, 'sandbox-violation.png');

    // The instructor's scoreboard counts it against Ada's node.
    await teacher.page.waitForSelector('#scoreboard [data-rules-broken]:has-text("Rules broken: A (Ada): 1")', { timeout: 10_000 });
    await teacher.page.locator('section[aria-labelledby="score-title"]').screenshot({ path: join(RESULTS, 'sandbox-scoreboard.png') });
    expect(student.errors).toEqual([]);
    expect(teacher.errors).toEqual([]);
    await student.context.close();
    await teacher.context.close();
  });
});

describe('words of a solo 2PC round', () => {
  it('keeps the case of the move in the log, and tells a solo player the next round waits for their Start', async () => {
    const w = await openPage(harness.browser, harness.url);
    const { page } = w;
    await ready(page);
    await page.selectOption('#solo-protocol', '2pc');
    await page.selectOption('#solo-nodes', '3');
    await page.click('#play-solo');
    const begin = page.locator('#moves button[data-action="prepare"]');
    await begin.waitFor({ timeout: 30_000 });
    await expect(begin.textContent()).resolves.toBe('Begin X (send PREPARE)');
    await begin.click();
    // (has-text ignores case: the log's own text must keep it.)
    await page.waitForSelector('#log-list li:has-text("You: Begin X (send PREPARE)")');
    await expect(page.locator('#log-list').textContent()).resolves.toContain('You: Begin X (send PREPARE)');
    // The coordinator's panel counts votes against every participant, not a majority.
    await page.waitForSelector('#my-state li:has-text("COMMIT needs a YES from all 2")');
    await page.click('#control-end');
    await page.waitForSelector('#reveal:not([hidden])');
    await page.click('#control-next');
    await page.waitForSelector('#waiting');
    await expect(page.locator('#waiting').textContent()).resolves.toBe('The next round is ready: press Start when you are.');
    await shot(page, 'solo-next-round.png');
    expect(w.errors).toEqual([]);
    await w.context.close();
  });
});
