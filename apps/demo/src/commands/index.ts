import type { Command } from '../cli/command.js';

/**
 * Every command of `sockkit-demo`, in the order the help lists them (the lessons' order). Each
 * module is loaded only when its command runs: loading them all (zod schemas, the UDP package,
 * the chat) would add a tenth of a second to the start of every one.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {
  'echo-server': async () => (await import('./echo-server.js')).echoServerCommand,
  'echo-client': async () => (await import('./echo-client.js')).echoClientCommand,
  sticky: async () => (await import('./sticky.js')).stickyCommand,
  typed: async () => (await import('./typed.js')).typedCommand,
  'chat-server': async () => (await import('./chat-server.js')).chatServerCommand,
  'chat-client': async () => (await import('./chat-client.js')).chatClientCommand,
  'udp-chat': async () => (await import('./udp-chat.js')).udpChatCommand,
  'udp-request': async () => (await import('./udp-request.js')).udpRequestCommand,
  'send-file': async () => (await import('./send-file.js')).sendFileCommand,
  'recv-file': async () => (await import('./recv-file.js')).recvFileCommand,
  tour: async () => (await import('./tour.js')).tourCommand,
};

/** The command called `name`, or `undefined` when there is none. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(commandLoaders, name) ? commandLoaders[name]!() : undefined;
}
