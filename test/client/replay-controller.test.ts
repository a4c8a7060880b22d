import { describe, expect, it } from 'vitest';
import { ReplayController } from '../../client/src/replay/controller';
import { roundDocument } from '../../shared/engine/round';
import { runSeed } from '../../shared/sim/swarm';
import { digestOf } from '../../shared/engine/digest';
import { replay } from '../../shared/engine/replay';

const run = runSeed({ protocol: 'majority', nodes: 5, seed: 12, faults: false });
const doc = roundDocument(run.world.config, run.log);

describe('replay controller', () => {
  it('seeks anywhere and shows the engine world of that step', () => {
    const c = new ReplayController(doc);
    const worlds = replay(doc.config, doc.log);
    for (const i of [0, 1, 17, Math.floor(doc.log.length / 2), doc.log.length]) {
      c.seek(i);
      expect(digestOf(c.world())).toBe(digestOf(worlds[i]));
    }
    c.seek(-5);
    expect(c.step).toBe(0);
    c.seek(10 ** 9);
    expect(c.step).toBe(doc.log.length);
  });

  it('steps forward and back one command', () => {
    const c = new ReplayController(doc);
    c.stepForward();
    c.stepForward();
    c.stepBack();
    expect(c.step).toBe(1);
  });

  it('switches point of view: a node view hides what the node could not know', () => {
    const c = new ReplayController(doc);
    c.seek(doc.log.length);
    const god = c.view();
    expect(god.kind).toBe('god');
    c.setPointOfView(1);
    const view = c.view();
    expect(view.kind).toBe('node');
    if (view.kind !== 'node') return;
    expect(view.self.id).toBe(1);
    expect('nodes' in view && typeof view.nodes === 'number').toBe(true);
    expect(JSON.stringify(view)).not.toContain('"global"');
    expect(() => c.setPointOfView(9)).toThrow();
  });

  it('plays at the chosen speed and stops at the end', () => {
    const c = new ReplayController(doc);
    c.setSpeed(2);
    c.play();
    expect(c.advance(1000)).toBe(true);
    expect(c.step).toBe(8);
    c.setSpeed(16);
    for (let i = 0; i < 1000 && c.isPlaying; i++) c.advance(1000);
    expect(c.step).toBe(doc.log.length);
    expect(c.isPlaying).toBe(false);
    expect(() => c.setSpeed(3)).toThrow();
  });

  it('jumps to the commit point: the world right after the deciding vote', () => {
    const c = new ReplayController(doc);
    expect(c.jumpToCommitPoint()).toBe(true);
    const chosen = c.world().global.chosen[0]!;
    expect(chosen.step).toBe(c.step - 1);
    c.seek(c.step - 1);
    expect(c.world().global.chosen).toHaveLength(0);
  });
});
