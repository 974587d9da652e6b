import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createCodec } from '@sockkit/framing';
import { udpEndpoint } from '@sockkit/udp';
import { z } from 'zod';
import { DEFAULT_HOST, formatHostPort, type HostPort, hostArg, hostPortArg, portArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { MemberName } from '../protocols/chat.js';

const UdpChatMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('say'), name: MemberName, text: z.string().min(1).max(1000) }),
  /** Discovery: "I am here", sent to the broadcast address or the multicast group; `id` tells our own apart. */
  z.object({ type: z.literal('hello'), name: MemberName, id: z.string().max(32) }),
]);
type UdpChatMessage = z.infer<typeof UdpChatMessage>;

/** The group of `--discover multicast`: organisation-local scope (239.255/16, RFC 2365). */
const MULTICAST_GROUP = '239.255.77.88';
const BROADCAST_ADDRESS = '255.255.255.255';
const HELLO_INTERVAL_MS = 5_000;

export const udpChatCommand = defineCommand({
  name: 'udp-chat',
  summary: 'chat over UDP datagrams: peers by address, optional LAN discovery',
  lesson:
    'Lesson: the UDP chat (bind a known port, sendto(text, (ip, 7788)), recvfrom(1024) gives data and sender). sockkit adds: typed datagrams checked by zod (garbage is counted and dropped), a bounded receive queue, peers learned from whoever writes to us, and broadcast or multicast discovery when asked (off by default: the demo stays on loopback).',
  options: {
    name: { type: 'string', short: 'n', description: 'your name (required)' },
    host: {
      type: 'string',
      description: `address to bind [default: ${DEFAULT_HOST}, or 0.0.0.0 with --discover]`,
    },
    port: { type: 'string', short: 'p', default: '7788', description: 'port to bind (0: any free port)' },
    peer: {
      type: 'string',
      multiple: true,
      placeholder: 'host:port',
      description: 'a peer to talk to; repeat for more (peers who write to us are added too)',
    },
    discover: {
      type: 'string',
      placeholder: 'broadcast|multicast',
      description: `announce ourselves on the local network every ${HELLO_INTERVAL_MS / 1000} s (default: off)`,
    },
  },
  args: z.object({
    name: z.string({ error: 'is required' }).pipe(MemberName),
    host: hostArg.optional(),
    port: portArg,
    peer: z.array(hostPortArg).default([]),
    discover: z.enum(['broadcast', 'multicast'], { error: "must be 'broadcast' or 'multicast'" }).optional(),
  }),
  examples: [
    'sockkit-demo udp-chat --name alice --port 7788 --peer 127.0.0.1:7789',
    'sockkit-demo udp-chat --name bob --port 7789 --peer 127.0.0.1:7788',
  ],
  async run({ name, host, port, peer, discover }) {
    // Discovery hears the local network, so it binds every interface unless told otherwise.
    const bindHost = host ?? (discover ? '0.0.0.0' : DEFAULT_HOST);
    await using endpoint = await udpEndpoint({
      bind: { host: bindHost, port, reuseAddress: discover === 'multicast' },
      codec: createCodec(UdpChatMessage),
    });
    const peers = new Map<string, HostPort>(peer.map((address) => [formatHostPort(address), address]));
    const sendToPeers = async (message: UdpChatMessage) => {
      await Promise.all([...peers.values()].map((address) => endpoint.send(message, address)));
    };
    print(
      `udp-chat ready: ${name} on ${formatHostPort(endpoint.address)}, peers: ${[...peers.keys()].join(', ') || 'none yet'}`,
    );

    using shutdown = onShutdownSignal();
    const sessionId = randomBytes(8).toString('hex');
    let announce: NodeJS.Timeout | undefined;
    if (discover) {
      const target = {
        host: discover === 'broadcast' ? BROADCAST_ADDRESS : MULTICAST_GROUP,
        port: endpoint.address.port,
      };
      if (discover === 'broadcast') endpoint.setBroadcast(true);
      else endpoint.join(MULTICAST_GROUP);
      const hello = () => void endpoint.send({ type: 'hello', name, id: sessionId }, target).catch(() => {});
      hello();
      announce = setInterval(hello, HELLO_INTERVAL_MS);
      print(`udp-chat: announcing on ${formatHostPort(target)}`);
    }

    const keyboard = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    keyboard.on('line', (text) => {
      if (text.trim() !== '')
        void sendToPeers({ type: 'say', name, text }).catch((error: Error) => print(`! ${error.message}`));
    });
    const stop = () => void endpoint.close();
    keyboard.on('close', stop); // Ctrl-D
    shutdown.signal.addEventListener('abort', stop);

    try {
      for await (const { data, from } of endpoint) {
        const key = formatHostPort(from);
        if (data.type === 'hello' && data.id === sessionId) continue; // our own announcement, looped back
        if (!peers.has(key)) {
          peers.set(key, { host: from.host, port: from.port });
          print(`* ${data.name} at ${key} is now a peer`);
        }
        if (data.type === 'say') print(`<${data.name}@${key}> ${data.text}`);
      }
    } finally {
      clearInterval(announce);
      keyboard.close();
    }
    print('* udp-chat closed');
  },
});
