import { describe, expect, it } from 'vitest';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { step } from '../../shared/engine/step';
import { godView } from '../../shared/engine/view';
import type { Command, EngineEvent, World } from '../../shared/engine/types';
import type { GroupsMessage, RevealMessage, RoundInfo, TickedEvent } from '../../shared/wire/messages';
import { nodeLabelLines, pictureOf } from '../../client/src/picture';
import {
  concealedEvent,
  projectorEvents,
  projectorKey,
  projectorMagnification,
  projectorPage,
  projectorPicture,
  screenCodeFromPath,
  screenPath,
  typingTarget,
} from '../../client/src/projector';
import { App } from '../../client/src/app';

/** Runs commands, keeping every event the god view would get. */
function run(world: World, commands: Command[], events: TickedEvent[] = []): World {
  for (const command of commands) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`${command.type}: ${result.rejection.message}`);
    world = result.world;
    for (const e of result.events) events.push({ ...e, tick: world.tick });
  }
  return world;
}

/** Majority vote on 3 nodes: B's vote for X makes the majority, the commit point, while the round still runs. */
function decidedButRunning(events: TickedEvent[] = []): World {
  let w = createWorld(makeConfig('majority', 3, 7, { latencyMin: 1, latencyMax: 1 }));
  w = run(w, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'putForward', decree: 'X' } }], events);
  w = run(w, [{ type: 'tick' }], events);
  w = run(w, [{ type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } }, { type: 'act', node: 1, action: { kind: 'vote', decree: 'X' } }], events);
  return run(w, [{ type: 'tick' }], events);
}

const round = (phase: RoundInfo['phase'], id: string | null = 'r1'): RoundInfo => ({ id, phase, protocol: 'majority', nodes: 3, speed: 1, tick: 3, sandbox: false });

const groupsOf = (phase: RoundInfo['phase']): GroupsMessage => ({
  selected: 1,
  groups: [
    {
      group: 1,
      round: round(phase),
      seats: [
        { node: 0, nickname: 'Ada', connected: true, crashed: false, learned: false },
        { node: 1, nickname: 'Bo', connected: true, crashed: false, learned: false },
        { node: 2, nickname: null, connected: true, crashed: false, learned: false },
      ],
      holdUps: [],
      outcome: phase === 'ended' ? 'X' : null,
    },
  ],
});

function revealOfWorld(w: World, roundId: string | null = 'r1'): RevealMessage {
  const god = godView(w);
  return { god, outcome: 'X', commitPoints: god.global.chosen, roundId, group: 1, scoreboard: null };
}

/** Every word the canvas writes beside the nodes. */
function canvasWords(picture: ReturnType<typeof pictureOf>): string[] {
  return picture.nodes.flatMap((n) => nodeLabelLines(n, picture));
}

describe('the projector conceals the commit point until the reveal', () => {
  it('draws a running god view that holds a commit point with no star and no commit point text', () => {
    const w = decidedButRunning();
    const god = godView(w);
    expect(god.global.chosen.length).toBe(1);
    const picture = projectorPicture({ view: god, round: round('running'), reveal: null, groups: groupsOf('running'), group: 1 });
    expect(picture.god).toBe(true);
    expect(picture.commitPoints).toEqual([]);
    expect(picture.nodes.some((n) => n.commit)).toBe(false);
    const words = canvasWords(picture).join('\n');
    expect(words).not.toMatch(/★|commit point/i);
    // Every student is named beside their node.
    expect(picture.nodes.map((n) => n.title)).toEqual(['A · Ada', 'B · Bo', 'C']);
  });

  it('conceals even when it is handed the commit points, and a reveal of another round reveals nothing', () => {
    const w = decidedButRunning();
    const god = godView(w);
    const concealed = pictureOf({ view: god, commitPoints: god.global.chosen, conceal: true });
    expect(concealed.commitPoints).toEqual([]);
    expect(canvasWords(concealed).join('\n')).not.toContain('★');
    // The round has not ended, or the reveal is of the group's previous round: still concealed.
    for (const [info, reveal] of [
      [round('running'), revealOfWorld(w)],
      [round('ended', 'r2'), revealOfWorld(w, 'r1')],
    ] as const) {
      const picture = projectorPicture({ view: god, round: info, reveal, groups: groupsOf(info.phase), group: 1 });
      expect(canvasWords(picture).join('\n')).not.toContain('★');
    }
  });

  it('marks the commit point once that group’s round has ended and been revealed', () => {
    const w = decidedButRunning();
    const reveal = revealOfWorld(w);
    const picture = projectorPicture({ view: godView(w), round: round('ended'), reveal, groups: groupsOf('ended'), group: 1 });
    const node = picture.nodes.find((n) => n.commit)!;
    expect(node.id).toBe(reveal.commitPoints[0]!.node);
    expect(nodeLabelLines(node, picture)[0]).toBe('★ commit point');
  });

  it('leaves the commit point and the proof of a split vote out of its live log', () => {
    const events: TickedEvent[] = [];
    decidedButRunning(events);
    expect(events.some((e) => e.type === 'chosen' && /Commit point/.test(e.text))).toBe(true);
    const shown = projectorEvents(events);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.some((e) => /commit point|became chosen/i.test(e.text))).toBe(false);
    expect(shown.some((e) => e.type === 'delivered')).toBe(false);
    const split: Pick<EngineEvent, 'type'>[] = [{ type: 'stuck' }, { type: 'unstuck' }, { type: 'chosen' }];
    expect(split.every(concealedEvent)).toBe(true);
    expect(concealedEvent({ type: 'crashed' })).toBe(false);
  });

  it('keeps the commit point out of the app’s log and canvas when it is a projector, until the reveal', async () => {
    const events: TickedEvent[] = [];
    const w = decidedButRunning(events);
    const app = new App('http://127.0.0.1:1');
    app.receive('welcome', { role: 'screen', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: 'Networks', group: 1 });
    app.receive('groups', groupsOf('running'));
    app.receive('view', { round: round('running'), view: godView(w), events, lastSeq: 0 });
    expect(app.screen).toBe('projector');
    expect(app.log.length).toBeGreaterThan(0);
    expect(app.log.some((e) => /commit point|became chosen/i.test(e.text))).toBe(false);
    expect(canvasWords(app.picture()!).join('\n')).not.toContain('★');
    // The instructor's own log keeps it: only the projector conceals.
    const instructor = new App('http://127.0.0.1:1');
    instructor.receive('welcome', { role: 'instructor', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: 'Networks', group: 1 });
    instructor.receive('view', { round: round('running'), view: godView(w), events, lastSeq: 0 });
    expect(instructor.log.some((e) => /Commit point/.test(e.text))).toBe(true);
    // The group's round ends and is revealed: now the projector marks it.
    app.receive('view', { round: round('ended'), view: godView(w), events: [], lastSeq: 0 });
    app.receive('reveal', revealOfWorld(w));
    expect(canvasWords(app.picture()!).join('\n')).toContain('★ commit point');
  });

  it('keeps another group’s reveal until that group is shown', () => {
    const w = decidedButRunning();
    const app = new App('http://127.0.0.1:1');
    app.receive('welcome', { role: 'screen', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: '', group: 2 });
    app.receive('view', { round: { ...round('running'), id: 'r2' }, view: godView(w), events: [], lastSeq: 0 });
    app.receive('reveal', revealOfWorld(w, 'r1'));
    expect(app.reveal).toBeNull();
    expect(canvasWords(app.picture()!).join('\n')).not.toContain('★');
    app.receive('welcome', { role: 'screen', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: '', group: 1 });
    app.receive('view', { round: round('ended'), view: godView(w), events: [], lastSeq: 0 });
    expect(app.reveal?.group).toBe(1);
    expect(canvasWords(app.picture()!).join('\n')).toContain('★ commit point');
  });
});

describe('the projector page', () => {
  it('opens at /class/CODE/screen', () => {
    expect(screenCodeFromPath('/class/k7mq4x/screen')).toBe('K7MQ4X');
    expect(screenCodeFromPath('/class/K7MQ4X/screen/')).toBe('K7MQ4X');
    expect(screenCodeFromPath('/join/K7MQ4X')).toBeNull();
    expect(screenCodeFromPath('/class/K7MQ4X')).toBeNull();
    expect(screenPath('K7MQ4X')).toBe('/class/K7MQ4X/screen');
  });

  it('shows the join code until a round starts, then what was asked for, and results only once there are some', () => {
    const base = { problem: null, connected: true, groups: groupsOf('setup'), comparison: null, mode: 'grid' as const, hasView: true, revealed: false };
    expect(projectorPage({ ...base, problem: 'no key' })).toBe('problem');
    expect(projectorPage({ ...base, connected: false })).toBe('connecting');
    expect(projectorPage(base)).toBe('lobby');
    expect(projectorPage({ ...base, groups: null })).toBe('lobby');
    const running = { ...base, groups: groupsOf('running') };
    expect(projectorPage(running)).toBe('grid');
    expect(projectorPage({ ...running, mode: 'group' })).toBe('group');
    expect(projectorPage({ ...running, mode: 'group', hasView: false })).toBe('grid');
    expect(projectorPage({ ...running, mode: 'results' })).toBe('grid');
    // One group's round is over and revealed while the others run: its scoreboard may be shown.
    expect(projectorPage({ ...running, mode: 'results', revealed: true })).toBe('results');
    const compared = { ...base, groups: groupsOf('ended'), comparison: { sentences: ['Group 1 decided X.'], scoreboards: [] }, mode: 'results' as const };
    expect(projectorPage(compared)).toBe('results');
    // Set up again for the next round, the results stay up until it starts.
    expect(projectorPage({ ...compared, groups: groupsOf('setup') })).toBe('results');
  });

  it('reads the keys: arrows step, digits name a group, G and R switch pages, and typing in a field is left alone', () => {
    expect(projectorKey('g')).toEqual({ kind: 'grid' });
    expect(projectorKey('G')).toEqual({ kind: 'grid' });
    expect(projectorKey('r')).toEqual({ kind: 'results' });
    expect(projectorKey('ArrowRight')).toEqual({ kind: 'step', delta: 1 });
    expect(projectorKey('ArrowUp')).toEqual({ kind: 'step', delta: -1 });
    expect(projectorKey('7')).toEqual({ kind: 'digit', digit: '7' });
    expect(projectorKey('r', { ctrl: true })).toBeNull();
    expect(projectorKey('x')).toBeNull();
    expect(typingTarget({ tagName: 'input' })).toBe(true);
    expect(typingTarget({ tagName: 'BUTTON' })).toBe(false);
  });

  it('draws larger on a large screen, never smaller than a laptop', () => {
    expect(projectorMagnification(800, 340)).toBe(1);
    expect(projectorMagnification(1600, 900)).toBe(2.5);
    expect(projectorMagnification(1300, 760)).toBe(2);
    expect(projectorMagnification(4000, 2000)).toBe(3);
    expect(projectorMagnification(0, 0)).toBe(1);
  });
});
