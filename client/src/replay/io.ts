/** Export and import of rounds as files in the engine's versioned format. */
import { digestOf } from '../../../shared/engine/digest';
import { parseRound, serializeRound, type ParsedRound, type RoundDocument } from '../../../shared/engine/round';

/** Largest file we try to read: a round holds at most 50,000 commands, about 7 MB of compact JSON; an edited file may be looser. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

export function roundFileName(doc: RoundDocument): string {
  const when = (doc.meta.endedAt ?? doc.meta.startedAt ?? '').slice(0, 16).replace(/[:T]/g, '-');
  return `quorum-${doc.config.protocol}-${doc.config.nodes}n${when ? `-${when}` : ''}.json`;
}

/** A stable fingerprint of what a round is (config and log), for comparing an export with its import. */
export function roundDigest(doc: RoundDocument): string {
  return digestOf({ config: doc.config, log: doc.log });
}

export function downloadRound(doc: RoundDocument): void {
  const blob = new Blob([serializeRound(doc)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = roundFileName(doc);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads a dropped or picked file; never throws: a bad file gets a sentence saying what is wrong. */
export async function readRoundFile(file: File): Promise<ParsedRound> {
  if (file.size > MAX_IMPORT_BYTES) {
    return { ok: false, error: `That file is ${Math.round(file.size / 1e6)} MB; a round file is at most ${MAX_IMPORT_BYTES / 1e6} MB.` };
  }
  let text: string;
  try {
    text = await file.text();
  } catch {
    return { ok: false, error: 'That file could not be read.' };
  }
  return parseRound(text);
}
