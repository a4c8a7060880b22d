// Posts fork bodies from a process of its own, so that sending megabytes costs the test's event loop
// (which times a room's ticks) nothing. Usage: node forkPoster.mjs URL STEPS_JSON, where each step is
// a list of body files sent at once; prints one JSON line: per step, the answers ({status, body}).
import { readFileSync } from 'node:fs';

const [url, stepsJson] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const answers = [];
for (const files of steps) {
  answers.push(
    await Promise.all(
      files.map(async (file) => {
        const res = await fetch(`${url}/api/forks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(file) });
        return { status: res.status, body: await res.json().catch(() => ({})) };
      }),
    ),
  );
}
process.stdout.write(`${JSON.stringify(answers)}\n`);
