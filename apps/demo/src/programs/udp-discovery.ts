import { networkInterfaces } from 'node:os';
import { createCodec } from '@sockkit/framing';
import { type DatagramSource, type UdpEndpoint, udpEndpoint } from '@sockkit/udp';
import { UdpChatMessage } from '../protocols/udp-chat.js';

/** The group of multicast discovery: organisation-local scope (239.255/16, RFC 2365). */
export const DISCOVERY_GROUP = '239.255.77.88';
const LIMITED_BROADCAST = '255.255.255.255';
const HELLO_INTERVAL_MS = 5_000;

export interface DiscoveryOptions {
  readonly mode: 'broadcast' | 'multicast';
  /** The port every peer listens on for announcements (shared: bound with SO_REUSEADDR). 0 picks one. */
  readonly port: number;
  /** Local IPv4 address of the interface to announce on; default: the system's choice. */
  readonly iface?: string | undefined;
  readonly name: string;
  /** Ours, so our own looped-back announcements are ignored. */
  readonly id: string;
}

/** The broadcast address of the subnet of a local IPv4 address (127.0.0.1/8 -> 127.255.255.255). */
export function directedBroadcast(address: string): string {
  const entry = Object.values(networkInterfaces())
    .flat()
    .find((candidate) => candidate?.family === 'IPv4' && candidate.address === address);
  if (!entry) throw new Error(`no IPv4 interface has the address ${address}`);
  const octets = (text: string) => text.split('.').map(Number);
  const mask = octets(entry.netmask);
  return octets(address)
    .map((octet, i) => (octet | (~(mask[i] ?? 0) & 0xff)) & 0xff)
    .join('.');
}

/**
 * Finds peers on the local network: `chat` announces itself every few seconds to the
 * broadcast address or the multicast group on `port`, and a listener on that port reports
 * each announcement's sender (a peer's chat address) to `onPeer`.
 */
export async function startDiscovery(
  chat: UdpEndpoint<UdpChatMessage>,
  options: DiscoveryOptions,
  onPeer: (name: string, address: DatagramSource) => void,
): Promise<{ readonly target: { host: string; port: number } } & AsyncDisposable> {
  const listener = await udpEndpoint({
    bind: { host: '0.0.0.0', port: options.port, reuseAddress: true },
    codec: createCodec(UdpChatMessage),
  });
  let host: string;
  if (options.mode === 'multicast') {
    listener.join(DISCOVERY_GROUP, options.iface);
    if (options.iface) chat.setMulticastInterface(options.iface);
    chat.setMulticastTTL(1); // the local network only
    chat.setMulticastLoopback(true); // peers on this machine hear it too
    host = DISCOVERY_GROUP;
  } else {
    chat.setBroadcast(true);
    host = options.iface ? directedBroadcast(options.iface) : LIMITED_BROADCAST;
  }
  const target = { host, port: listener.address.port };
  const hello = () =>
    void chat.send({ type: 'hello', name: options.name, id: options.id }, target).catch(() => {});
  hello();
  const timer = setInterval(hello, HELLO_INTERVAL_MS);
  const listening = (async () => {
    for await (const { data, from } of listener) {
      if (data.type === 'hello' && data.id !== options.id) onPeer(data.name, from);
    }
  })();
  return {
    target,
    async [Symbol.asyncDispose]() {
      clearInterval(timer);
      await listener.close();
      await listening;
    },
  };
}
