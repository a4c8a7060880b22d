import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The layering of docs/ARCHITECTURE.md: shared/ imports only shared/; server/ and client/ never import each other. */
const ROOT = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    found.push(relative(ROOT, resolve(dirname(file), match[1]!)));
  }
  return found;
}

const RULES: { folder: string; mayNotImport: string[] }[] = [
  { folder: 'shared', mayNotImport: ['server', 'client', 'scripts', 'test'] },
  { folder: 'server', mayNotImport: ['client', 'scripts', 'test'] },
  { folder: 'client', mayNotImport: ['server', 'scripts', 'test'] },
];

describe('import layering', () => {
  for (const rule of RULES) {
    it(`${rule.folder}/ imports nothing from ${rule.mayNotImport.join(', ')}`, () => {
      const offending: string[] = [];
      for (const file of sources(join(ROOT, rule.folder))) {
        for (const target of relativeImports(file)) {
          if (rule.mayNotImport.some((f) => target === f || target.startsWith(`${f}/`))) {
            offending.push(`${relative(ROOT, file)} imports ${target}`);
          }
        }
      }
      expect(offending).toEqual([]);
    });
  }

  it('client/ has no circle of imports: the game starts in a module of its own, which the app and the benchmark both import', () => {
    const files = sources(join(ROOT, 'client'));
    const known = new Set(files.map((f) => relative(ROOT, f).replace(/\.tsx?$/, '')));
    const graph = new Map(
      files.map((f) => [relative(ROOT, f).replace(/\.tsx?$/, ''), relativeImports(f).map((t) => (known.has(t) ? t : `${t}/index`)).filter((t) => known.has(t))]),
    );
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(graph.get('client/src/main')).toContain('client/src/bench');
    expect(circles).toEqual([]);
  });

  it('sees the engine importing itself', () => {
    const imports = relativeImports(join(ROOT, 'shared', 'engine', 'step.ts'));
    expect(imports).toContain('shared/protocols');
  });
});
