import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import { createCodec } from '@sockkit/framing';
import { udpEndpoint } from '@sockkit/udp';
import { z } from 'zod';
import { DEFAULT_HOST, formatHostPort, type HostPort, hostArg, hostPortArg, portArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { DISCOVERY_GROUP, startDiscovery } from '../programs/udp-discovery.js';
import { MemberName } from '../protocols/chat.js';
import { UdpChatMessage } from '../protocols/udp-chat.js';

export const udpChatCommand = defineCommand({
  name: 'udp-chat',
  summary: 'chat over UDP datagrams: peers by address, optional LAN discovery',
  lesson:
    'Lesson: the UDP chat (bind a known port, sendto(text, (ip, 7788)), recvfrom(1024) gives data and sender). sockkit adds: typed datagrams checked by zod (garbage is counted and dropped), a bounded receive queue, peers learned from whoever writes to us, and broadcast or multicast discovery when asked (off by default: the demo stays on loopback).',
  options: {
    name: { type: 'string', short: 'n', placeholder: 'name', description: 'your name (required)' },
    host: {
      type: 'string',
      placeholder: 'address',
      description: `address to bind [default: ${DEFAULT_HOST}; with --discover, the --interface address or 0.0.0.0]`,
    },
    port: {
      type: 'string',
      short: 'p',
      placeholder: 'port',
      default: '7788',
      description: 'port to bind (0: any free port)',
    },
    peer: {
      type: 'string',
      multiple: true,
      placeholder: 'host:port',
      description: 'a peer to talk to; repeat for more (peers who write to us are added too)',
    },
    discover: {
      type: 'string',
      placeholder: 'broadcast|multicast',
      description: `find peers on the local network (multicast group ${DISCOVERY_GROUP}) [default: off]`,
    },
    'discover-port': {
      type: 'string',
      placeholder: 'port',
      default: '7787',
      description: 'port every peer hears announcements on (0: any free port)',
    },
    interface: {
      type: 'string',
      placeholder: 'ipv4',
      description:
        "local address of the interface to discover on, e.g. 127.0.0.1 [default: the system's choice]",
    },
  },
  args: z.object({
    name: z.string({ error: 'is required' }).pipe(MemberName),
    host: hostArg.optional(),
    port: portArg,
    peer: z.array(hostPortArg).default([]),
    discover: z.enum(['broadcast', 'multicast'], { error: "must be 'broadcast' or 'multicast'" }).optional(),
    'discover-port': portArg,
    interface: z
      .string()
      .refine((text) => isIP(text) === 4, 'must be a local IPv4 address')
      .optional(),
  }),
  examples: [
    'sockkit-demo udp-chat --name alice --port 7788 --peer 127.0.0.1:7789',
    'sockkit-demo udp-chat --name bob --port 7789 --peer 127.0.0.1:7788',
    'sockkit-demo udp-chat --name carol --port 0 --discover multicast --interface 127.0.0.1',
  ],
  async run({ name, host, port, peer, discover, 'discover-port': discoverPort, interface: iface }) {
    // Discovered peers must be able to reach us: bind the discovery interface, or all of them.
    const bindHost = host ?? (discover ? (iface ?? '0.0.0.0') : DEFAULT_HOST);
    await using endpoint = await udpEndpoint({
      bind: { host: bindHost, port },
      codec: createCodec(UdpChatMessage),
    });
    const peers = new Map<string, HostPort>(peer.map((address) => [formatHostPort(address), address]));
    const addPeer = (peerName: string, address: HostPort) => {
      const key = formatHostPort(address);
      if (peers.has(key)) return false;
      peers.set(key, { host: address.host, port: address.port });
      print(`* ${peerName} at ${key} is now a peer`);
      return true;
    };
    print(
      `udp-chat ready: ${name} on ${formatHostPort(endpoint.address)}, peers: ${[...peers.keys()].join(', ') || 'none yet'}`,
    );

    using shutdown = onShutdownSignal();
    const id = randomBytes(8).toString('hex');
    await using discovery = discover
      ? await startDiscovery(
          endpoint,
          { mode: discover, port: discoverPort, iface, name, id },
          (peerName, address) => {
            // Say hello straight back, so the new peer knows us without waiting for our next announcement.
            if (addPeer(peerName, address))
              void endpoint.send({ type: 'hello', name, id }, address).catch(() => {});
          },
        )
      : undefined;
    if (discovery) print(`udp-chat: discovering peers on ${formatHostPort(discovery.target)}`);

    const keyboard = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    keyboard.on('line', (text) => {
      if (text.trim() === '') return;
      const message: UdpChatMessage = { type: 'say', name, text };
      for (const address of peers.values()) {
        void endpoint
          .send(message, address)
          .catch((error: Error) => print(`! to ${formatHostPort(address)}: ${error.message}`));
      }
    });
    const stop = () => void endpoint.close();
    keyboard.on('close', stop); // Ctrl-D
    shutdown.signal.addEventListener('abort', stop);

    try {
      for await (const { data, from } of endpoint) {
        addPeer(data.name, from);
        if (data.type === 'say') print(`<${data.name}@${formatHostPort(from)}> ${data.text}`);
      }
    } finally {
      keyboard.close();
    }
    print('* udp-chat closed');
  },
});
