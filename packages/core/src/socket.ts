import {
  type AddressFamily,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from './constants.js';
import { DatagramSocket, type DatagramSocketOptions } from './datagram-socket.js';
import { errnoOf, UnsupportedError } from './errors.js';
import type { StreamSocketOptions } from './stream-options.js';
import { StreamSocket } from './stream-socket.js';

const unsupportedKinds: Record<number, string> = {
  [SOCK_RAW]:
    'SOCK_RAW needs raw IP packets, which Node.js cannot open (no raw socket API, and root privileges)',
  [SOCK_RDM]: 'SOCK_RDM (reliable datagrams) is not offered by Node.js (nor by Linux TCP/IP)',
  [SOCK_SEQPACKET]:
    'SOCK_SEQPACKET is not offered by Node.js: use SOCK_STREAM with @sockkit/framing for message boundaries',
};

/**
 * Creates a socket, as Python's `socket.socket(family, type)`. Stream sockets carry TCP (or a
 * Unix stream); datagram sockets carry UDP. Types Node cannot provide throw `UnsupportedError`
 * at once, saying why.
 *
 * @example
 * ```ts
 * const server = socket(AF_INET, SOCK_STREAM);
 * server.bind({ host: '127.0.0.1', port: 8081 });
 * await server.listen(5);
 * const [conn, address] = await server.accept();
 * ```
 */
export function socket(
  family?: AddressFamily,
  type?: typeof SOCK_STREAM,
  options?: StreamSocketOptions,
): StreamSocket;
export function socket(
  family: typeof AF_INET | typeof AF_INET6,
  type: typeof SOCK_DGRAM,
  options?: DatagramSocketOptions,
): DatagramSocket;
export function socket(
  family: number = AF_INET,
  type: number = SOCK_STREAM,
  options: StreamSocketOptions & DatagramSocketOptions = {},
): StreamSocket | DatagramSocket {
  if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) {
    throw new UnsupportedError(
      `address family ${family} is not supported: use AF_INET, AF_INET6 or AF_UNIX`,
      {
        errno: errnoOf('EAFNOSUPPORT'),
      },
    );
  }
  const why = unsupportedKinds[type];
  if (why !== undefined) throw new UnsupportedError(why, { errno: errnoOf('EPROTONOSUPPORT') });
  if (type === SOCK_STREAM) return new StreamSocket(family, options);
  if (type === SOCK_DGRAM) {
    if (family === AF_UNIX) {
      throw new UnsupportedError(
        'AF_UNIX with SOCK_DGRAM is not offered by Node.js (node:dgram is UDP only)',
        {
          errno: errnoOf('EPROTONOSUPPORT'),
        },
      );
    }
    return new DatagramSocket(family, options);
  }
  throw new UnsupportedError(`socket type ${type} is unknown: use SOCK_STREAM or SOCK_DGRAM`, {
    errno: errnoOf('EPROTONOSUPPORT'),
  });
}
