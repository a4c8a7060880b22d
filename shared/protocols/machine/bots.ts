/** How a bot plays one machine: it writes the first request waiting, and applies what its log holds. */
import type { BotView } from '../../engine/protocol';
import { find } from '../common';
import type { MachineAction, MachineDurable, MachinePayload, MachineVolatile } from './state';

export function machinePolicy(view: BotView<MachineDurable, MachineVolatile, MachineAction, MachinePayload>): MachineAction | undefined {
  return find(view.legal, 'apply') ?? find(view.legal, 'write');
}
