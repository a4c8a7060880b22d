/**
 * `npm run bench -- <name> [options]`: runs one benchmark and prints its figures; the last line of
 * stdout is one JSON object. Each benchmark lives in scripts/bench/<name>.ts and exports `run(args)`.
 */
const BENCHMARKS = ['engine', 'server', 'client', 'replay', 'report'] as const;
type Name = (typeof BENCHMARKS)[number];

function usage(): never {
  process.stderr.write(
    [
      'usage: npm run bench -- <benchmark> [options]',
      '',
      'benchmarks:',
      '  engine   steps per second of each protocol, replay seek times',
      '  server   rooms of bot-driven websocket clients against the server, and a bare echo room',
      '           (--class N: one class of N students in groups of 5, at speed 1 and speed 4)',
      '  client   frame times of a 9-node round with 300 messages in headless chromium',
      '  replay   seek-to-render times of a 10,000-command replay in headless chromium',
      '  report   a class report of 40 rounds: on one thread, and through the report worker with the event loop watched',
      '',
      'Each prints progress on stderr and ends stdout with one JSON line.',
      '',
    ].join('\n'),
  );
  process.exit(2);
}

const [benchmark, ...rest] = process.argv.slice(2);
if (!benchmark || !(BENCHMARKS as readonly string[]).includes(benchmark)) {
  if (benchmark && benchmark !== '--help' && benchmark !== '-h') process.stderr.write(`unknown benchmark "${benchmark}"\n\n`);
  usage();
}

const bench = (await import(`./bench/${benchmark as Name}.ts`)) as { run(args: string[]): Promise<void> };
await bench.run(rest);

export {};
