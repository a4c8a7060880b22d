import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protocolNames } from '../../shared/protocols';
import { parseTranscript, runTranscript } from './transcript';

// Run with UPDATE_TRANSCRIPTS=1 to rewrite the expected output after a deliberate change.
const DIR = join(import.meta.dirname, '..', 'transcripts');
const update = process.env.UPDATE_TRANSCRIPTS === '1';
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('transcripts', () => {
  it('has the transcripts the engine is specified by', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '2pc-happy-path.txt',
        '2pc-coordinator-crash.txt',
        '2pc-participant-timeout.txt',
        'majority-commit-point.txt',
        'majority-split-vote.txt',
        'paxos-adopts-accepted-value.txt',
        'paxos-escapes-split.txt',
        'paxos-dueling-proposers.txt',
        'majority-gossip.txt',
      ]),
    );
  });

  it('has at least one for every registered protocol', () => {
    for (const protocol of protocolNames()) expect(files.some((f) => f.startsWith(`${protocol}-`)), protocol).toBe(true);
  });

  for (const file of files) {
    it(file, () => {
      const path = join(DIR, file);
      const text = readFileSync(path, 'utf8');
      const { text: actual } = runTranscript(parseTranscript(text));
      if (update) writeFileSync(path, actual);
      else expect(actual).toBe(text);
      expect(actual).not.toContain('INVARIANT BROKEN');
    });
  }
});
