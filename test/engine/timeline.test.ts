import { describe, expect, it } from 'vitest';
import { buildTimeline, commitPointStep } from '../../shared/engine/timeline';
import { Replay } from '../../shared/engine/replay';
import { parseScriptLine } from '../../shared/engine/script';
import type { Command } from '../../shared/engine/types';
import { runSeed } from '../../shared/sim/swarm';
import { configOf } from './helpers';

function script(lines: string[]): Command[] {
  return lines.flatMap((l) => {
    const parsed = parseScriptLine(l);
    return parsed.kind === 'commands' ? parsed.commands : [];
  });
}

describe('timeline', () => {
  const config = configOf('config majority nodes=3 latency=2-2');
  const log = script(['propose A X', 'act A vote decree=X', 'drop 1', 'tick 2', 'act C vote decree=X', 'tick 2']);
  const timeline = buildTimeline(config, log, [{ step: 2, node: 1, code: 'vote-locked', message: 'You already voted.' }]);

  it('marks proposals, faults, the commit point and recorded rejections at their steps', () => {
    const kinds = timeline.markers.map((m) => `${m.step}:${m.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['1:proposal', '2:rejection', '3:fault', '6:commit-point']));
    expect(commitPointStep(timeline)).toBe(6);
    const replay = new Replay(config, log);
    expect(replay.worldAt(6).global.chosen).toHaveLength(1);
    expect(replay.worldAt(5).global.chosen).toHaveLength(0);
  });

  it('traces every message from send to its fate', () => {
    const byId = new Map(timeline.messages.map((m) => [m.id, m]));
    expect(byId.get(1)).toMatchObject({ from: 0, to: 1, fate: 'dropped', sentStep: 2, endStep: 3, label: 'VOTE X' });
    expect(byId.get(2)).toMatchObject({ from: 0, to: 2, fate: 'delivered', sentTick: 0, endTick: 2 });
    expect(byId.get(3)).toMatchObject({ from: 2, to: 0, fate: 'delivered', sentTick: 2, endTick: 4 });
    expect(timeline.ticks).toHaveLength(log.length + 1);
  });

  it('agrees with the engine over a whole faulty round', () => {
    const run = runSeed({ protocol: 'paxos', nodes: 5, seed: 4, faults: true });
    const t = buildTimeline(run.world.config, run.log);
    expect(t.messages.length).toBe(run.world.nextMessageId - 1);
    expect(t.messages.filter((m) => m.fate === 'in-flight').length).toBe(run.world.inFlight.length);
    for (const m of t.messages) expect(m.endStep).toBeGreaterThanOrEqual(m.sentStep);
  });
});
