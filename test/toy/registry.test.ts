/**
 * A protocol is one folder and one line in the registry. This test registers Relay, a toy protocol
 * that lives only in `test/toy/relay/`, and shows that everything else picks it up by itself: the
 * menus and the setup form, the wire, bots, the swarm, the room's opening requests, words, pictures,
 * views and the reveal. Nothing outside its folder names it.
 */
import { describe, expect, it } from 'vitest';
import { actionLabel, nodeStateLines, nodeSummaryLines, protocolOptions, roleHint, learnedLine } from '../../client/src/describe';
import { paletteEntries, styleOf, OKABE_ITO } from '../../client/src/layout';
import { pictureOf } from '../../client/src/picture';
import { MemoryHost } from '../../server/sim/host';
import { runRoomSwarm } from '../../server/sim/roomSwarm';
import { botDecide } from '../../shared/bots';
import { commitPointSentence, outcomeSentence } from '../../shared/engine/reveal';
import { step } from '../../shared/engine/step';
import { Replay } from '../../shared/engine/replay';
import type { World } from '../../shared/engine/types';
import { godView, legalActions, legalInView, roundOver, roundStatus, ruleBreakingActions, ruleBreakingInView, sentViewOf, viewOf, type NodeView } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { Rng } from '../../shared/engine/rng';
import { allProtocols, protocolNames, registerProtocol } from '../../shared/protocols';
import { runSeed } from '../../shared/sim/swarm';
import { configSchema } from '../../shared/wire/commands';
import { joinOptions, roundSetupSchema } from '../../shared/wire/messages';
import { check } from '../../shared/wire/schema';
import { playedRound } from '../engine/helpers';
import { relay } from './relay';

describe('a protocol added in one folder and one registry line', () => {
  it('is unknown until it is registered', () => {
    expect(protocolNames()).not.toContain('relay');
    expect(check(configSchema, { protocol: 'relay', nodes: 3, seed: 1, settings: makeConfig('paxos', 3, 1).settings }).ok).toBe(false);
    registerProtocol(relay);
    expect(protocolNames()).toContain('relay');
    expect(() => registerProtocol(relay)).toThrow(/registered already/);
  });

  it('gets a place in the menus and the setup form, and on the wire', () => {
    expect(protocolOptions('relay')).toContainEqual({ value: 'relay', label: 'Relay', selected: true });
    expect(protocolOptions('paxos').map((o) => o.value)).toEqual(allProtocols().filter((p) => !p.lessonOnly).map((p) => p.name));
    expect(check(joinOptions.solo, { protocol: 'relay', nodes: 5 }).ok).toBe(true);
    expect(check(roundSetupSchema, { protocol: 'relay', nodes: 5 }).ok).toBe(true);
    expect(check(configSchema, { protocol: 'relay', nodes: 3, seed: 1, settings: makeConfig('relay', 3, 1).settings }).ok).toBe(true);
  });

  it('gets a room: the room core hands out its opening requests, shows each student their node and plays the other seats', () => {
    const host = new MemoryHost({ limits: { tickMs: 100 } });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'relay', nodes: 5, studentSeats: [0, 1], decrees: ['X', 'Y'], latencyMin: 1, latencyMax: 2 });
    const students = ['Ann', 'Ben'].map((name) => host.student(name));
    teacher.send('start', {});
    const stored = [...host.store.rounds.values()].at(-1)!;
    expect(stored.config.protocol).toBe('relay');
    const requests = stored.commands.filter((c) => c.type === 'propose');
    expect(requests.map((c) => c.decree)).toEqual(['X', 'Y']);
    expect(new Set(requests.map((c) => c.node)).size).toBe(2);
    // The students play their first legal move each tick, from the views their clients assembled.
    let acted = 0;
    for (let t = 0; t < 200 && teacher.got.reveal.length === 0; t++) {
      for (const student of students) {
        const view = student.lastView?.view as NodeView;
        if (view.legal.length === 0) continue;
        student.act(view.legal[0]!);
        acted += 1;
      }
      host.advance(100);
    }
    expect(acted).toBeGreaterThan(0);
    expect(teacher.got.reveal).toHaveLength(1);
    const world = new Replay(stored.config, stored.commands).worldAt(stored.commands.length);
    expect(roundStatus(world).decided).toBe(true);
    // The bots on seats 2 to 4 played Relay's moves.
    expect(stored.commands.some((c) => c.type === 'act' && c.node >= 2 && c.action.kind === 'adopt')).toBe(true);
    for (const student of students) {
      const view = student.lastView!.view as NodeView;
      expect(view).toEqual({ ...viewOf(world, view.node), now: view.now });
    }
  });

  it('gets the room swarm: classes that play it through the room core hold every check', () => {
    const run = runRoomSwarm(60);
    expect(run.violations).toEqual([]);
    expect(run.counts['relay rounds']).toBeGreaterThan(10);
  });

  it('gets bots that play it: the swarm runs it with faults, and its rounds decide', () => {
    let decided = 0;
    for (let seed = 0; seed < 60; seed++) {
      const result = runSeed({ protocol: 'relay', nodes: 3 + (seed % 5), seed, faults: true });
      expect(result.failures).toEqual([]);
      if (result.decided) decided += 1;
      // Every command a bot chose was the toy's own legal move.
      expect(result.log.filter((c) => c.type === 'act').every((c) => c.type === 'act' && ['announce', 'adopt', 'ignore'].includes(c.action.kind))).toBe(true);
    }
    expect(decided).toBeGreaterThan(30);
    // In a sandbox round its bots break its one rule now and then.
    const sandbox = Array.from({ length: 20 }, (_, seed) => runSeed({ protocol: 'relay', nodes: 5, seed, faults: false, settings: { sandbox: true } }));
    expect(sandbox.some((r) => r.world.global.violations.some((v) => v.code === 'adopted-once'))).toBe(true);
    expect(sandbox.flatMap((r) => r.failures)).toEqual([]);
  });

  it('gets views: a node sees its own state, and works out its legal and rule-breaking moves from its view as the server does', () => {
    let offered = 0;
    for (const world of playedRound('relay', 4, 300, { sandbox: true })) {
      for (const node of world.nodes) {
        const sent = sentViewOf(world, node.id);
        expect(legalInView(sent)).toEqual(legalActions(world, node.id));
        expect(ruleBreakingInView(sent)).toEqual(ruleBreakingActions(world, node.id));
        offered += legalActions(world, node.id).length;
        for (const m of sent.inFlight) if (m.from !== node.id && m.to !== node.id) expect(m.payload).toBeNull();
      }
    }
    expect(offered).toBeGreaterThan(100);
  });

  it('gets its words: state lines, button labels, the role hint, the event log and the reveal', () => {
    const config = makeConfig('relay', 3, 1, { latencyMin: 1, latencyMax: 1 });
    let world: World = createWorld(config);
    const apply = (command: Parameters<typeof step>[1]) => {
      const result = step(world, command);
      if (!result.ok) throw new Error(result.rejection.message);
      world = result.world;
      return result.events;
    };
    apply({ type: 'propose', node: 0, decree: 'X' });
    expect(viewOf(world, 0).legal.map((a) => actionLabel('relay', a))).toEqual(['Announce X']);
    expect(apply({ type: 'act', node: 0, action: { kind: 'announce', decree: 'X' } }).find((e) => e.type === 'acted')?.text).toBe('A announced X.');
    apply({ type: 'tick' });
    const b = viewOf(world, 1);
    expect(b.inbox.map((m) => m.label)).toEqual(['ANNOUNCE X']);
    expect(b.legal.map((a) => actionLabel('relay', a))).toEqual(['Adopt', 'Ignore']);
    expect(roleHint('relay', b.self.role, b.settings)).toContain('majority adopts it');
    for (const node of [0, 1]) apply({ type: 'act', node, action: { kind: 'adopt', msg: viewOf(world, node).inbox[0]!.id } });
    apply({ type: 'tick' });
    const god = godView(world);
    expect(nodeStateLines('relay', god.nodes[1]!, 3)).toEqual(['adopted X', 'learned: X is chosen']);
    expect(nodeSummaryLines('relay', { ...god.nodes[2]!, crashed: true })).toEqual(['crashed', 'waiting']);
    const cp = world.global.chosen[0]!;
    expect(commitPointSentence('relay', cp)).toMatch(/^X was chosen when node B adopted it at tick 1\./);
    expect(outcomeSentence('relay', roundStatus(world).outcome, false)).toBe('Decided: X.');
    expect(learnedLine('relay', god.nodes, god.global)).toBe('Nodes that learned the outcome: A, B, C.');
  });

  it('gets its pictures: the canvas draws its nodes and its messages in its own looks', () => {
    const world = [...playedRound('relay', 2, 60)].find((w) => w.inFlight.length > 1)!;
    const picture = pictureOf({ view: godView(world) });
    expect(picture.protocol).toBe('relay');
    expect(picture.nodes.every((n) => n.lines.length > 0 && n.summary.length > 0)).toBe(true);
    expect(picture.messages.every((m) => m.kind === 'announce' || m.kind === 'adopted')).toBe(true);
    expect(styleOf('announce', 'relay')).toEqual({ colour: OKABE_ITO.skyBlue, shape: 'triangle', short: 'ANNOUNCE' });
    expect(paletteEntries().map(([k]) => k)).toEqual(expect.arrayContaining(['relay/announce', 'relay/adopted']));
  });

  it('plays a whole round with bots, as a room would run it', () => {
    const rng = Rng.fromSeed(9);
    const config = makeConfig('relay', 5, 9);
    let world: World = createWorld(config);
    for (const request of relay.clients.openingRequests(['X'], config, rng)) world = (step(world, { type: 'propose', ...request }) as { world: World }).world;
    for (let t = 0; t < 200 && !roundStatus(world).decided; t++) {
      for (const node of world.nodes) {
        const command = botDecide('faithful', viewOf(world, node.id), rng, false);
        const result = command && step(world, command);
        if (result && result.ok) world = result.world;
      }
      world = (step(world, { type: 'tick' }) as { world: World }).world;
    }
    expect(roundStatus(world)).toMatchObject({ decided: true, outcome: 'X' });
    expect(roundOver(world)).toBe(world.nodes.every((n) => n.inbox.length === 0));
  });
});
