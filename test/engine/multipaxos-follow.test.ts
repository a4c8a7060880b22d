/**
 * A Multi-Paxos follower that comes to believe in a leader again (here by answering an ACCEPT the
 * leader sent before it crashed) keeps a leader timer running, so that it suspects that leader again
 * and someone runs: a belief with no timer behind it would wait for a dead leader for ever.
 */
import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command, World } from '../../shared/engine/types';
import { createWorld, makeConfig } from '../../shared/engine/world';
import type { MpVolatile } from '../../shared/protocols/multipaxos';

const A = 0;
const B = 1;

describe('Multi-Paxos: a follower keeps a leader timer behind its belief', () => {
  it('answers a dead leader\'s old ACCEPT after suspecting it, and still runs for leader later', () => {
    let w: World = createWorld(makeConfig('multipaxos', 3, 1, { election: 'naive', latencyMin: 1, latencyMax: 1, timeoutTicks: 10 }));
    const run = (c: Command): void => {
      const r = step(w, c);
      if (!r.ok) throw new Error(`${JSON.stringify(c)}: ${r.rejection.message}`);
      w = r.world;
    };
    const inbox = (id: number, kind: string): number => w.nodes[id]!.inbox.find((m) => m.payload.kind === kind)!.id;
    const v = (id: number): MpVolatile => w.nodes[id]!.volatile as MpVolatile;
    // A becomes leader (waiting its first timer where the protocol asks it to), then sends an ACCEPT.
    for (let i = 0; i < 40 && !v(A).lead; i++) {
      if (v(A).electionDue && !v(A).campaign) run({ type: 'act', node: A, action: { kind: 'elect', ballot: 1 } });
      for (const id of [1, 2]) {
        const prepare = w.nodes[id]!.inbox.find((m) => m.payload.kind === 'prepare');
        if (prepare) run({ type: 'act', node: id, action: { kind: 'promise', msg: prepare.id } });
      }
      run({ type: 'tick' });
    }
    expect(v(A).lead).not.toBeNull();
    run({ type: 'propose', node: A, decree: 'X' });
    run({ type: 'act', node: A, action: { kind: 'propose', slot: 0, value: 'X' } });
    run({ type: 'tick' });
    run({ type: 'crash', node: A });
    // B lets A's ACCEPT wait until its leader timer has fired and it suspects A.
    for (let i = 0; i < 40 && v(B).leader !== null; i++) run({ type: 'tick' });
    expect(v(B).leader).toBeNull();
    run({ type: 'act', node: B, action: { kind: 'accept', msg: inbox(B, 'accept') } });
    // Accepting A's ballot makes B believe in A again: then a leader timer must run behind that belief.
    expect(v(B).leader).toBe(A);
    expect(w.nodes[B]!.timers.map((t) => t.name)).toContain('leader');
    // And once it fires, B suspects A again.
    for (let i = 0; i < 40 && v(B).leader !== null; i++) run({ type: 'tick' });
    expect(v(B).leader).toBeNull();
  });
});
