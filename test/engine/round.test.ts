import { describe, expect, it } from 'vitest';
import { digestOf } from '../../shared/engine/digest';
import { MAX_ROUND_COMMANDS, MAX_ROUND_HOLDERS, MAX_ROUND_REJECTIONS, parseRound, roundDocument, serializeRound } from '../../shared/engine/round';
import { replay, rerun } from '../../shared/engine/replay';
import { runSeed } from '../../shared/sim/swarm';

const run = runSeed({ protocol: 'paxos', nodes: 5, seed: 9, faults: true });
const doc = roundDocument(run.world.config, run.log, { players: [{ node: 0, nickname: 'Ada' }], outcome: 'X' });
const text = serializeRound(doc);

describe('the round document', () => {
  it('round-trips: parse(serialize(doc)) replays to the same world', () => {
    const parsed = parseRound(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.round).toEqual(doc);
    const worlds = replay(parsed.round.config, parsed.round.log);
    expect(digestOf(worlds[worlds.length - 1])).toBe(digestOf(run.world));
  });

  it('replays a round as it was played, even with a timeout a new round could not have', () => {
    const old = { ...doc, config: { ...doc.config, settings: { ...doc.config.settings, latencyMin: 20, latencyMax: 100, timeoutTicks: 30 } }, log: [] };
    expect(parseRound(JSON.stringify(old)).ok).toBe(true);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{"format": "quorum-round", "vers', /not valid JSON/],
    ['truncated', text.slice(0, Math.floor(text.length / 2)), /not valid JSON/],
    ['a list', '[]', /JSON object/],
    ['foreign', JSON.stringify({ hello: 'world' }), /not a Quorum round/],
    ['newer version', JSON.stringify({ ...doc, version: 2 }), /version 2/],
    ['bad protocol', JSON.stringify({ ...doc, config: { ...doc.config, protocol: 'zab' } }), /config\.protocol must be one of/],
    ['too many nodes', JSON.stringify({ ...doc, config: { ...doc.config, nodes: 12 } }), /config\.nodes must be from 1 to 9/],
    ['no log', JSON.stringify({ ...doc, log: 'none' }), /log must be a list/],
    ['a bad command', JSON.stringify({ ...doc, log: [{ type: 'explode' }] }), /log\[0\]\.type must be one of/],
    ['a bad action', JSON.stringify({ ...doc, log: [{ type: 'act', node: 0, action: { kind: 'teleport' } }] }), /log\[0\]\.action/],
    ['a log that does not re-run', JSON.stringify({ ...doc, log: [{ type: 'drop', id: 5 }] }), /command 0 \(drop\) is refused/],
    ['bad meta', JSON.stringify({ ...doc, meta: { players: 'everyone' } }), /meta\.players/],
    ...seatingRefusals(),
  ];
  for (const [name, input, error] of bad) {
    it(`explains what is wrong with ${name}`, () => {
      const parsed = parseRound(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(error);
    });
  }

  it('gives the world after a chosen number of commands, the same as a replay', () => {
    const worlds = replay(doc.config, doc.log);
    for (const at of [0, 1, Math.floor(doc.log.length / 3), doc.log.length]) {
      const parsed = parseRound(text, at);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(digestOf(parsed.world)).toBe(digestOf(worlds[at]));
    }
    const beyond = parseRound(text, doc.log.length + 1);
    expect(beyond.ok).toBe(false);
    if (!beyond.ok) expect(beyond.error).toMatch(/no step/);
  });

  it('re-runs a log holding one world at a time, and names the first command refused', () => {
    const { last, at } = rerun(doc.config, doc.log, 5);
    expect(digestOf(last)).toBe(digestOf(run.world));
    expect(at!.step).toBe(5);
    expect(() => rerun(doc.config, [...doc.log, { type: 'drop', id: 1e9 }])).toThrow(new RegExp(`command ${doc.log.length} \\(drop\\)`));
  });

  it('refuses more commands or refused moves than a round may hold', () => {
    const long = parseRound({ ...doc, log: new Array(MAX_ROUND_COMMANDS + 1).fill({ type: 'tick' }) });
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error).toMatch(`at most ${MAX_ROUND_COMMANDS} commands`);
    const rejection = { step: 1, node: 0, code: 'x', message: 'y' };
    const refused = parseRound({ ...doc, meta: { rejections: new Array(MAX_ROUND_REJECTIONS + 1).fill(rejection) } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(`at most ${MAX_ROUND_REJECTIONS}`);
    expect(parseRound({ ...doc, meta: { rejections: new Array(MAX_ROUND_REJECTIONS).fill(rejection) } }).ok).toBe(true);
  });

  it("keeps a round's group, who held its seats when and the bots' moves at students' seats", () => {
    const seating = {
      group: 3,
      holders: [
        { node: 0, nickname: 'Ada', from: 0, to: 10 },
        // Nicknames are counted in characters: 24 emoji are 48 UTF-16 units.
        { node: 0, nickname: '🦊'.repeat(24), from: 10, to: null },
      ],
      botMoves: [4, 7, doc.log.length - 1],
    };
    const full = roundDocument(doc.config, doc.log, { ...doc.meta, players: [{ node: 0, nickname: '🦊'.repeat(24) }], ...seating });
    const parsed = parseRound(serializeRound(full));
    expect(parsed.ok && parsed.round).toEqual(full);
  });

  it('never throws on random garbage', () => {
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 500; i++) {
      const cut = next() % text.length;
      const mutated = text.slice(0, cut) + String.fromCharCode(32 + (next() % 90)) + text.slice(cut + 1);
      expect(() => parseRound(mutated)).not.toThrow();
    }
  });
});

/** Seating in meta that a round document may not carry, and what the refusal says. */
function seatingRefusals(): [string, unknown, RegExp][] {
  const holder = { node: 1, nickname: 'Ada', from: 0, to: null };
  const withMeta = (meta: object) => JSON.stringify({ ...doc, meta: { ...doc.meta, ...meta } });
  const steps = doc.log.length;
  return [
    ['group 0', withMeta({ group: 0 }), /meta\.group must be a group number from 1 to 100/],
    ['a group past the last', withMeta({ group: 101 }), /meta\.group/],
    ['a group that is not whole', withMeta({ group: 1.5 }), /meta\.group/],
    ['holders that are not a list', withMeta({ holders: { Ada: 1 } }), /meta\.holders must be a list of at most/],
    ['too many seat holders', withMeta({ holders: new Array(MAX_ROUND_HOLDERS + 1).fill(holder) }), new RegExp(`at most ${MAX_ROUND_HOLDERS} seat holders`)],
    ['a nickname too long', withMeta({ holders: [{ ...holder, nickname: 'x'.repeat(25) }] }), /meta\.holders\[0\]/],
    ['an empty nickname', withMeta({ holders: [{ ...holder, nickname: '' }] }), /meta\.holders\[0\]/],
    ['a step that is not whole', withMeta({ holders: [{ ...holder, from: 0.5 }] }), /meta\.holders\[0\]/],
    ['a negative step', withMeta({ holders: [{ ...holder, from: -1 }] }), /meta\.holders\[0\]/],
    ['a seat given up before it was taken', withMeta({ holders: [{ ...holder, from: 5, to: 4 }] }), /meta\.holders\[0\]/],
    ['a seat the round does not have', withMeta({ holders: [{ ...holder, node: doc.config.nodes }] }), /names seat 5 of a round of 5 nodes/],
    ['a holder beyond the log', withMeta({ holders: [{ ...holder, to: steps + 1 }] }), /beyond the log/],
    ['bot moves that are not steps', withMeta({ botMoves: ['3'] }), /meta\.botMoves\[0\] must be a step/],
    ['bot moves out of order', withMeta({ botMoves: [5, 5] }), /meta\.botMoves\[1\]/],
    ['a bot move beyond the log', withMeta({ botMoves: [steps] }), /beyond the log/],
  ];
}
