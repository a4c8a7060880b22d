/**
 * Transcript tests: a script of commands in, the narration out, in one readable file. Each block is a
 * command line, a `----` line, and what the engine said. Test-only verbs: `status` (the god view's
 * verdict), `reveal` (what the reveal would say if the round ended now) and `state X` (node X's
 * durable and volatile state, and its running timers).
 */
import { digestOf } from '../../shared/engine/digest';
import { nodeIdFromName, nodeName } from '../../shared/engine/names';
import { parseScriptLine } from '../../shared/engine/script';
import { step } from '../../shared/engine/step';
import type { EngineEvent, World } from '../../shared/engine/types';
import { commitPointSentence, detailSentences, noCommitPointSentence, outcomeSentence } from '../../shared/engine/reveal';
import { roundStatus } from '../../shared/engine/view';
import { createWorld } from '../../shared/engine/world';
import { checkInvariants } from '../../shared/invariants';

export interface Block {
  comments: string[];
  command: string;
  expected: string[];
}

export function parseTranscript(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && (lines[i]!.startsWith('#') || lines[i]!.trim() === '')) {
      if (lines[i]!.startsWith('#')) comments.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) break;
    const command = lines[i++]!;
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!);
    blocks.push({ comments, command, expected });
  }
  return blocks;
}

function narrate(event: EngineEvent): string {
  const id = event.message ? ` [#${event.message.id}]` : '';
  return `${event.text}${id}`;
}

export function runTranscript(blocks: Block[]): { output: string[][]; text: string } {
  let world: World | null = null;
  const output: string[][] = [];
  for (const block of blocks) {
    const out: string[] = [];
    const [verb, arg] = block.command.trim().split(/\s+/);
    if (verb === 'status') {
      if (!world) throw new Error('status before config');
      const s = roundStatus(world);
      out.push(`tick ${world.tick}, step ${world.step}; decided: ${s.decided ? 'yes' : 'no'}; outcome: ${s.outcome ?? 'none'}; stuck: ${s.stuck ? 'yes' : 'no'}`);
      for (const c of world.global.chosen) {
        out.push(
          `commit point: ${c.decree} chosen at step ${c.step} (tick ${c.tick}) by ${nodeName(c.node)}, who ${c.nodeKnew ? 'knew' : 'did not know'}; votes from ${c.voters.map(nodeName).join(' ')}`,
        );
      }
      for (const v of world.global.violations) out.push(`violation at step ${v.step}: ${v.code}`);
    } else if (verb === 'reveal') {
      if (!world) throw new Error('reveal before config');
      const protocol = world.config.protocol;
      const s = roundStatus(world);
      out.push(outcomeSentence(protocol, s.outcome, s.stuck));
      for (const c of world.global.chosen) out.push(commitPointSentence(protocol, c, undefined, world.config.nodes));
      if (world.global.chosen.length === 0) out.push(noCommitPointSentence(protocol, s.outcome));
      out.push(...detailSentences(world.config, world.global, world.tick));
    } else if (verb === 'state') {
      if (!world) throw new Error('state before config');
      const node = world.nodes[nodeIdFromName(arg ?? '') ?? -1];
      if (!node) throw new Error(`state needs a node name: ${block.command}`);
      out.push(`${nodeName(node.id)}${node.crashed ? ' (crashed)' : ''} durable ${JSON.stringify(node.durable)}`);
      out.push(`${nodeName(node.id)} volatile ${JSON.stringify(node.volatile)}`);
      if (node.timers.length) out.push(`${nodeName(node.id)} timers ${node.timers.map((t) => `${t.name} fires at tick ${t.firesAt}`).join(', ')}`);
      if (node.inbox.length) out.push(`${nodeName(node.id)} inbox ${node.inbox.map((m) => `#${m.id} ${m.payload.kind} from ${nodeName(m.from)}`).join(', ')}`);
    } else {
      const parsed = parseScriptLine(block.command);
      if (parsed.kind === 'config') {
        world = createWorld(parsed.config);
        out.push(`${parsed.config.protocol} with ${parsed.config.nodes} nodes, seed ${parsed.config.seed} (world ${digestOf(world)})`);
      } else {
        if (!world) throw new Error('commands before config');
        for (const command of parsed.commands) {
          const result = step(world, command);
          if (!result.ok) {
            out.push(`refused (${result.rejection.code}): ${result.rejection.message}`);
            continue;
          }
          const broken = checkInvariants(world, result.world);
          world = result.world;
          out.push(...result.events.map(narrate));
          for (const b of broken) out.push(`INVARIANT BROKEN (${b.code}): ${b.message}`);
        }
        if (out.length === 0) out.push('(nothing happened)');
      }
    }
    output.push(out);
  }
  const text = blocks
    .map((b, i) => [...b.comments, b.command, '----', ...output[i]!].join('\n'))
    .join('\n\n')
    .concat('\n');
  return { output, text };
}
