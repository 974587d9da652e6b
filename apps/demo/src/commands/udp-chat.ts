import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import { createCodec } from '@sockkit/framing';
import { type UdpEndpoint, udpEndpoint } from '@sockkit/udp';
import { z } from 'zod';
import { DEFAULT_HOST, formatHostPort, type HostPort, hostArg, hostPortArg, portArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal, type Shutdown } from '../cli/shutdown.js';
import { DISCOVERY_GROUP, startDiscovery } from '../programs/udp-discovery.js';
import { MemberName } from '../protocols/chat.js';
import { type ChatWire, printable, textWire, typedWire, UdpChatMessage } from '../protocols/udp-chat.js';

/** The peers of a chat, by address: given with --peer, found by discovery, or whoever wrote to us. */
class Peers {
  readonly #peers = new Map<string, HostPort>();

  constructor(initial: readonly HostPort[]) {
    for (const address of initial) this.#peers.set(formatHostPort(address), address);
  }

  /** Adds a peer, saying so; false when it was one already. */
  add(address: HostPort, name?: string): boolean {
    const key = formatHostPort(address);
    if (this.#peers.has(key)) return false;
    this.#peers.set(key, { host: address.host, port: address.port });
    print(`* ${name ? `${name} at ${key}` : key} is now a peer`);
    return true;
  }

  list(): string {
    return [...this.#peers.keys()].join(', ') || 'none yet';
  }

  [Symbol.iterator]() {
    return this.#peers.values();
  }
}

/**
 * The chat itself, the same in either format: each typed line goes to every peer; each datagram
 * received is printed with who sent it (and its sender becomes a peer) until Ctrl-D or Ctrl-C.
 */
async function chat<T>(endpoint: UdpEndpoint<T>, wire: ChatWire<T>, peers: Peers, shutdown: Shutdown) {
  const keyboard = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  keyboard.on('line', (line) => {
    if (line.trim() === '') return;
    for (const address of peers) {
      for (const datagram of wire.datagramsOf(line)) {
        void endpoint
          .send(datagram, address)
          .catch((error: Error) => print(`! to ${formatHostPort(address)}: ${error.message}`));
      }
    }
  });
  const stop = () => void endpoint.close();
  keyboard.on('close', stop); // Ctrl-D
  shutdown.signal.addEventListener('abort', stop);
  try {
    for await (const { data, from } of endpoint) {
      const { name, text } = wire.read(data);
      peers.add(from, name);
      if (text !== undefined) {
        const sender = name ? `${name}@${formatHostPort(from)}` : formatHostPort(from);
        print(`<${sender}> ${printable(text)}`);
      }
    }
  } finally {
    keyboard.close();
  }
}

export const udpChatCommand = defineCommand({
  name: 'udp-chat',
  summary: "chat over UDP datagrams, plain text like the tutorial's (or typed); optional LAN discovery",
  lesson:
    "Lesson: the UDP chat (bind a known port, sendto(text.encode('utf-8'), (ip, 7788)), recvfrom(1024) gives data and sender). It speaks the tutorial's own format, so it chats with the tutorial's Python program. sockkit adds: datagrams that are not UTF-8 counted and dropped, lines too long for recvfrom(1024) split, control characters never printed raw, a bounded receive queue, peers learned from whoever writes to us; with --typed, MessagePack datagrams checked by zod carrying names, and broadcast or multicast discovery when asked (off by default: the demo stays on loopback).",
  options: {
    name: {
      type: 'string',
      short: 'n',
      placeholder: 'name',
      description: 'your name, sent with --typed (required there; plain text carries none)',
    },
    typed: {
      type: 'boolean',
      description:
        "typed MessagePack datagrams with names (sockkit peers only) instead of the tutorial's plain text",
    },
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
      description: `find peers on the local network (multicast group ${DISCOVERY_GROUP}); needs --typed [default: off]`,
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
  args: z
    .object({
      name: MemberName.optional(),
      typed: z.boolean().optional(),
      host: hostArg.optional(),
      port: portArg,
      peer: z.array(hostPortArg).default([]),
      discover: z
        .enum(['broadcast', 'multicast'], { error: "must be 'broadcast' or 'multicast'" })
        .optional(),
      'discover-port': portArg,
      interface: z
        .string()
        .refine((text) => isIP(text) === 4, 'must be a local IPv4 address')
        .optional(),
    })
    .refine((args) => !args.typed || args.name !== undefined, {
      path: ['name'],
      message: 'is required with --typed',
    })
    .refine((args) => !args.discover || args.typed, {
      path: ['discover'],
      message:
        'needs --typed: announcements are typed datagrams, which plain-text peers would print as garbage',
    }),
  examples: [
    'sockkit-demo udp-chat --port 7788 --peer 127.0.0.1:7789',
    'sockkit-demo udp-chat --port 7789 --peer 127.0.0.1:7788',
    'sockkit-demo udp-chat --typed --name carol --port 0 --discover multicast --interface 127.0.0.1',
  ],
  async run({ name, typed, host, port, peer, discover, 'discover-port': discoverPort, interface: iface }) {
    // Discovered peers must be able to reach us: bind the discovery interface, or all of them.
    const bind = { host: host ?? (discover ? (iface ?? '0.0.0.0') : DEFAULT_HOST), port };
    const peers = new Peers(peer);
    using shutdown = onShutdownSignal();
    if (!typed || name === undefined) {
      await using endpoint = await udpEndpoint({ bind, codec: textWire.codec });
      print(`udp-chat ready: plain text on ${formatHostPort(endpoint.address)}, peers: ${peers.list()}`);
      await chat(endpoint, textWire, peers, shutdown);
    } else {
      const codec = createCodec(UdpChatMessage);
      await using endpoint = await udpEndpoint({ bind, codec });
      print(`udp-chat ready: ${name} on ${formatHostPort(endpoint.address)}, peers: ${peers.list()}`);
      const id = randomBytes(8).toString('hex');
      await using discovery = discover
        ? await startDiscovery(
            endpoint,
            { mode: discover, port: discoverPort, iface, name, id },
            (peerName, address) => {
              // Say hello straight back, so the new peer knows us without waiting for our next announcement.
              if (peers.add(address, peerName))
                void endpoint.send({ type: 'hello', name, id }, address).catch(() => {});
            },
          )
        : undefined;
      if (discovery) print(`udp-chat: discovering peers on ${formatHostPort(discovery.target)}`);
      await chat(endpoint, typedWire(name, codec), peers, shutdown);
    }
    print('* udp-chat closed');
  },
});
