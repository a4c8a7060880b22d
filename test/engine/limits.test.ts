import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as limits from '../../shared/engine/limits';
import { configShapeProblem, makeConfig } from '../../shared/engine/world';
import { step } from '../../shared/engine/step';
import { createWorld } from '../../shared/engine/world';
import { allProtocols } from '../../shared/protocols';
import { settingsSchema } from '../../shared/wire/commands';
import { roundSetupSchema } from '../../shared/wire/messages';
import { check } from '../../shared/wire/schema';

/** Each limit of a round is one constant in shared/engine/limits.ts; every check reads it there. */
const ROOT = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** Places where a number is used as a limit: a schema's bound, a form field's maximum, a length or size check. */
function limitSites(value: number): RegExp[] {
  const forms = [String(value), value.toLocaleString('en-US').replace(/,/g, '_')];
  if (value === 0xffffffff) forms.push('0xffffffff');
  if (value === 2 ** 31) forms.push('2 \\*\\* 31');
  const v = `(?:${[...new Set(forms)].join('|')})`;
  return [
    new RegExp(`\\b(?:maxlength|max)\\s*:\\s*${v}\\b`),
    new RegExp(`\\.length\\s*[<>]=?\\s*${v}\\b`),
    new RegExp(`\\b(?:str|int|num)\\(\\s*[^,()]+,\\s*${v}\\s*\\)`),
    new RegExp(`\\blist\\(.*,\\s*\\d+\\s*,\\s*${v}\\s*\\)`),
    new RegExp(`Math\\.min\\(\\s*${v}\\s*,`),
    new RegExp(`\\brandomInt\\(\\s*0\\s*,\\s*${v}\\s*\\)`),
    // A round's settings compared with a bound: `s.timeoutTicks > 100000`.
    new RegExp(`\\b(?:s|settings|config)\\.\\w+\\s*[<>]=?\\s*${v}\\b`),
  ];
}

describe('limits', () => {
  it('are each written once: no check elsewhere spells out the number of a limit of limits.ts', () => {
    const values = Object.entries(limits).filter(([, value]) => typeof value === 'number' && value >= 24) as [string, number][];
    expect(values.map(([name]) => name)).toEqual(expect.arrayContaining(['MAX_DECREE_LENGTH', 'MAX_TIMEOUT_TICKS', 'MAX_SEED']));
    const found: string[] = [];
    for (const dir of ['shared', 'server', join('client', 'src')]) {
      for (const file of sources(join(ROOT, dir))) {
        if (file.endsWith(join('engine', 'limits.ts'))) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line.replace(/\/\/.*$/, '').replace(/^\s*(\/\*\*|\*).*$/, '');
            for (const [name, value] of values) {
              if (limitSites(value).some((site) => site.test(code))) found.push(`${relative(ROOT, file)}:${i + 1} spells out ${name}: ${line.trim()}`);
            }
          });
      }
    }
    expect(found).toEqual([]);
  });

  it('would see a limit spelled out again', () => {
    expect(limitSites(24).some((site) => site.test("decrees: list(str(1, 24), 1, 9),"))).toBe(true);
    expect(limitSites(24).some((site) => site.test("if (list.some((d) => d.length > 24)) {"))).toBe(true);
    expect(limitSites(0xffffffff).some((site) => site.test('randomInt(0, 0xffffffff)'))).toBe(true);
    expect(limitSites(100_000).some((site) => site.test("h('input', { type: 'number', min: 0, max: 100000 })"))).toBe(true);
    expect(limitSites(1000).some((site) => site.test('if (s.latencyMin < 1 || s.latencyMax > 1000) {'))).toBe(true);
  });

  it('say the same everywhere a decree is checked: the engine, the wire, a setup and every protocol\'s moves', () => {
    const longest = 'x'.repeat(limits.MAX_DECREE_LENGTH);
    const tooLong = `${longest}x`;
    const settings = makeConfig('paxos', 3, 1).settings;
    expect(configShapeProblem(makeConfig('paxos', 3, 1, { decrees: [longest] }))).toBeNull();
    expect(configShapeProblem(makeConfig('paxos', 3, 1, { decrees: [tooLong] }))).toContain(`1 to ${limits.MAX_DECREE_LENGTH} characters`);
    expect(check(settingsSchema, { ...settings, decrees: [longest] }).ok).toBe(true);
    expect(check(settingsSchema, { ...settings, decrees: [tooLong] }).ok).toBe(false);
    expect(check(roundSetupSchema, { protocol: 'paxos', nodes: 3, decrees: [longest] }).ok).toBe(true);
    expect(check(roundSetupSchema, { protocol: 'paxos', nodes: 3, decrees: [tooLong] }).ok).toBe(false);
    const world = createWorld(makeConfig('paxos', 3, 1));
    expect(step(world, { type: 'propose', node: 0, decree: longest }).ok).toBe(true);
    expect(step(world, { type: 'propose', node: 0, decree: tooLong })).toMatchObject({ ok: false, rejection: { code: 'bad-decree' } });
    // A protocol's move that names a decree takes any decree a client may ask for, and none longer.
    let named = 0;
    for (const protocol of allProtocols()) {
      for (const [kind, rule] of Object.entries(protocol.actions)) {
        const field = ['decree', 'value'].find((f) => rule.schema.describe.includes(f));
        if (!field) continue;
        named += 1;
        // A move that names a slot too (a log's) names the first.
        const slot = rule.schema.describe.includes('slot') ? { slot: 0 } : {};
        expect(protocol.parseAction({ kind, ...slot, [field]: longest }), `${protocol.name} ${kind}`).toEqual({ kind, ...slot, [field]: longest });
        expect(String(protocol.parseAction({ kind, ...slot, [field]: tooLong }))).toContain(`1 to ${limits.MAX_DECREE_LENGTH} characters`);
      }
    }
    expect(named).toBeGreaterThanOrEqual(4);
  });
});

describe("a protocol's number of nodes", () => {
  it('is the cluster range unless the protocol declares its own, and a round outside it is refused with the range', () => {
    for (const protocol of allProtocols()) {
      const { min, max } = protocol.nodeRange;
      expect(min).toBeGreaterThanOrEqual(limits.MIN_NODES);
      expect(max).toBeLessThanOrEqual(limits.MAX_NODES);
      expect(configShapeProblem(makeConfig(protocol.name, min, 1))).toBeNull();
      if (min > limits.MIN_NODES) expect(configShapeProblem(makeConfig(protocol.name, min - 1, 1))).toBe(`nodes must be a whole number from ${min} to ${max} for ${protocol.title}`);
    }
    expect(allProtocols().find((p) => p.name === 'paxos')!.nodeRange).toEqual({ min: limits.CLUSTER_MIN_NODES, max: limits.MAX_NODES });
    expect(configShapeProblem(makeConfig('paxos', 2, 1))).toBe('nodes must be a whole number from 3 to 9 for Paxos');
  });
});
