import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The engine stays pure: no clock, no ambient randomness, no timers, no DOM, no Node APIs. */
const ROOT = join(import.meta.dirname, '..', '..', 'shared');

const FORBIDDEN: [RegExp, string][] = [
  [/\bMath\.random\b/, 'Math.random (use the seeded Rng in the world)'],
  [/\bDate\.now\b|\bnew Date\b|\bperformance\.now\b/, 'a clock (time is a tick count)'],
  [/\bset(Timeout|Interval|Immediate)\b|\bqueueMicrotask\b|\brequestAnimationFrame\b/, 'a timer'],
  [/\b(window|document|navigator|localStorage|sessionStorage|HTMLElement)\b/, 'the DOM'],
  [/\bprocess\.|\brequire\(|\bBuffer\b|\b__dirname\b/, 'a Node API'],
  [/from ['"](node:|fs|path|os|crypto|child_process|http|net|url|worker_threads)['"/]/, 'a Node module'],
  [/\bfetch\(|\bXMLHttpRequest\b|\bWebSocket\b/, 'network I/O'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('purity of shared/', () => {
  const files = sourceFiles(ROOT);

  it('finds the engine sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('uses no clock, randomness, timers, DOM or Node APIs', () => {
    const found: string[] = [];
    for (const file of files) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        for (const [pattern, what] of FORBIDDEN) {
          if (pattern.test(code)) found.push(`${relative(ROOT, file)}:${i + 1} uses ${what}: ${line.trim()}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('would notice an impure line', () => {
    const sample = 'const t = Date.now();';
    expect(FORBIDDEN.some(([p]) => p.test(sample))).toBe(true);
  });
});
