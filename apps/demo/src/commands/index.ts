import type { Command } from '../cli/command.js';
import { chatClientCommand } from './chat-client.js';
import { chatServerCommand } from './chat-server.js';
import { echoClientCommand } from './echo-client.js';
import { echoServerCommand } from './echo-server.js';
import { recvFileCommand } from './recv-file.js';
import { sendFileCommand } from './send-file.js';
import { stickyCommand } from './sticky.js';
import { tourCommand } from './tour.js';
import { typedCommand } from './typed.js';
import { udpChatCommand } from './udp-chat.js';
import { udpRequestCommand } from './udp-request.js';

/** Every command of `sockkit-demo`, in the order the help lists them (the lessons' order). */
export const commands: readonly Command[] = [
  echoServerCommand,
  echoClientCommand,
  stickyCommand,
  typedCommand,
  chatServerCommand,
  chatClientCommand,
  udpChatCommand,
  udpRequestCommand,
  sendFileCommand,
  recvFileCommand,
  tourCommand,
];
