import type { Command } from '../cli/command.js';
import { echoClientCommand } from './echo-client.js';
import { echoServerCommand } from './echo-server.js';
import { stickyCommand } from './sticky.js';

/** Every command of `sockkit-demo`, in the order the help lists them (the lessons' order). */
export const commands: readonly Command[] = [echoServerCommand, echoClientCommand, stickyCommand];
