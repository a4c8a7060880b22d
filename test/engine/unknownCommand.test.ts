import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command } from '../../shared/engine/types';
import { worldFrom } from './helpers';

const STRANGE: unknown[] = [
  { type: 'teleport', node: 1 },
  { type: '' },
  { type: 'constructor' },
  { type: 'toString' },
  { type: 'ACT', node: 0, action: { kind: 'vote', decree: 'X' } },
  { type: 7 },
  { node: 1 },
  {},
  null,
];

describe('a command the engine does not know', () => {
  for (const sandbox of [false, true]) {
    for (const command of STRANGE) {
      it(`is refused${sandbox ? ' in sandbox mode too' : ''}, and changes nothing: ${JSON.stringify(command)}`, () => {
        const world = worldFrom([`config majority nodes=3 latency=1-1${sandbox ? ' sandbox' : ''}`, 'propose A X', 'act A vote decree=X']);
        const before = JSON.stringify(world);
        const result = step(world, command as Command);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.rejection.code).toBe('unknown-command');
        // Not a rule a sandbox may break: an impossible command.
        expect(result.rejection.rule).toBe(false);
        expect(result.rejection.message).toMatch(/There is no command/);
        expect(JSON.stringify(world)).toBe(before);
        expect(world.global.violations).toEqual([]);
      });
    }
  }

  it('does not count as a step: the next known command is the next step', () => {
    const world = worldFrom(['config paxos nodes=3']);
    expect(step(world, { type: 'warp' } as unknown as Command).ok).toBe(false);
    const ticked = step(world, { type: 'tick' });
    expect(ticked.ok && ticked.world.step).toBe(world.step + 1);
  });
});
