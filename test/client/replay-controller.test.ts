import { describe, expect, it } from 'vitest';
import { ReplayController } from '../../client/src/replay/controller';
import { roundDocument } from '../../shared/engine/round';
import { runSeed } from '../../shared/sim/swarm';
import { digestOf } from '../../shared/engine/digest';
import { replay } from '../../shared/engine/replay';
import { eventsFor, viewOf } from '../../shared/engine/view';
import { followsOn, pictureOf } from '../../client/src/picture';

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

describe('replay through one node\'s eyes', () => {
  // A round with faults (crashes, drops, a partition), decided: markers of every kind.
  const faulty = runSeed({ protocol: 'majority', nodes: 5, seed: 1, faults: true });
  const faultyDoc = roundDocument(faulty.world.config, faulty.log);
  const commit = faulty.world.global.chosen[0]!;

  it('the round under test has a commit point and network faults', () => {
    const c = new ReplayController(faultyDoc);
    const kinds = new Set(c.markers().map((m) => m.kind));
    expect(kinds.has('commit-point')).toBe(true);
    expect(kinds.has('fault')).toBe(true);
    expect(c.messages()).toHaveLength(c.timeline.messages.length);
  });

  for (let node = 0; node < 5; node++) {
    it(`node ${node}: the diagram holds only its own messages, the markers only what it could see`, () => {
      const c = new ReplayController(faultyDoc);
      c.setPointOfView(node);
      const messages = c.messages();
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(m.from === node || m.to === node).toBe(true);
      // Every message of its own is there.
      expect(messages).toHaveLength(c.timeline.messages.filter((m) => m.from === node || m.to === node).length);
      const markers = c.markers();
      for (const m of markers) {
        expect(m.kind).not.toBe('commit-point');
        expect(m.kind).not.toBe('violation');
        // The engine let this node see the event behind the marker.
        expect(eventsFor(c.replay.eventsOf(m.step - 1), node).some((e) => e.text === m.text)).toBe(true);
      }
      // Faults it could not see (a drop, a partition, another node's crash) are left out.
      const hidden = c.timeline.markers.filter((m) => m.kind === 'fault' && !markers.includes(m));
      for (const m of hidden) expect(eventsFor(c.replay.eventsOf(m.step - 1), node).some((e) => e.text === m.text)).toBe(false);
      expect(hidden.length).toBeGreaterThan(0);
    });
  }

  it('marks the commit point in the god view only, on the canvas too', () => {
    const c = new ReplayController(faultyDoc);
    c.seek(faultyDoc.log.length);
    expect(c.commitPoints()).toEqual([commit]);
    expect(pictureOf({ view: c.view(), commitPoints: c.commitPoints() }).nodes.filter((n) => n.commit).map((n) => n.id)).toEqual([commit.node]);
    c.setPointOfView(commit.node);
    expect(c.commitPoints()).toEqual([]);
    // Even handed the commit point, a node's picture has no star: the node never saw it.
    const picture = pictureOf({ view: viewOf(c.world(), commit.node), commitPoints: [commit] });
    expect(picture.nodes.some((n) => n.commit)).toBe(false);
    expect(picture.commitPoints).toEqual([]);
  });
});

describe('what the canvas shows happening between two replay steps', () => {
  // A Paxos round with faults: messages dropped by the network, lost at partitions and crashed nodes, and copied.
  const faulty = runSeed({ protocol: 'paxos', nodes: 5, seed: 7, faults: true, safetyTicks: 400 });
  const faultyDoc = roundDocument(faulty.world.config, faulty.log);
  const firstStep = (c: ReplayController, type: string) => {
    for (let step = 1; step <= c.length; step++) if (c.replay.eventsOf(step - 1).some((e) => e.type === type)) return step;
    throw new Error(`no ${type} in the round`);
  };

  it('gives the drops, losses and copies of the commands stepped over, and nothing for a step back or a long jump', () => {
    const c = new ReplayController(faultyDoc);
    for (const type of ['dropped', 'lost', 'duplicated'] as const) {
      const step = firstStep(c, type);
      const event = c.replay.eventsOf(step - 1).find((e) => e.type === type)!;
      c.seek(step);
      const effects = c.effectsSince(step - 1);
      if (type === 'duplicated') expect(effects.duplicates.get(event.message!.id)).toBe(event.original);
      else expect(effects.dropped.has(event.message!.id)).toBe(true);
      // Playback may pass a few commands between two frames: their effects add up.
      expect(c.effectsSince(Math.max(0, step - 3)).dropped.size).toBeGreaterThanOrEqual(effects.dropped.size);
      c.seek(step - 1);
      expect(c.effectsSince(step)).toEqual({ dropped: new Set(), duplicates: new Map() });
    }
    c.seek(c.length);
    expect(c.effectsSince(0)).toEqual({ dropped: new Set(), duplicates: new Map() });
    expect(c.effectsSince(-1)).toEqual({ dropped: new Set(), duplicates: new Map() });
  });

  it('shows only a step forward, or playback moving on, as following the last step', () => {
    const at = (step: number, played = false, replay = 1) => ({ replay, step, played });
    expect(followsOn(null, null)).toBe(true);
    expect(followsOn(at(4), at(5))).toBe(true);
    expect(followsOn(at(4), at(7, true))).toBe(true);
    // Seeks: back, a jump forward, the same step again, another replay or other eyes, in or out of live play.
    expect(followsOn(at(5), at(4))).toBe(false);
    expect(followsOn(at(4), at(7))).toBe(false);
    expect(followsOn(at(4), at(4))).toBe(false);
    expect(followsOn(at(7, true), at(4, true))).toBe(false);
    expect(followsOn(at(4), at(5, false, 2))).toBe(false);
    expect(followsOn(null, at(1))).toBe(false);
    expect(followsOn(at(1), null)).toBe(false);
  });
});
