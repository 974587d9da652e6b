/**
 * Address families and socket types, with the Linux values Python's `socket` module exposes,
 * so numbers printed by a Python peer mean the same here.
 */

/** IPv4 (the default family). */
export const AF_INET = 2;
/** IPv6. */
export const AF_INET6 = 10;
/** Unix domain sockets: a path on this machine. */
export const AF_UNIX = 1;

/** A reliable byte stream: TCP, or a Unix stream socket. */
export const SOCK_STREAM = 1;
/** Datagrams: UDP. */
export const SOCK_DGRAM = 2;
/** Raw IP packets: Node cannot open them (`socket()` throws `UnsupportedError`). */
export const SOCK_RAW = 3;
/** Reliable unordered datagrams: Node cannot open them (`socket()` throws `UnsupportedError`). */
export const SOCK_RDM = 4;
/** Reliable ordered datagrams: Node cannot open them (`socket()` throws `UnsupportedError`). */
export const SOCK_SEQPACKET = 5;

/** Families `socket()` can create. */
export type AddressFamily = typeof AF_INET | typeof AF_INET6 | typeof AF_UNIX;
/** Every socket type constant, the ones Node can provide and the ones it cannot. */
export type SocketKind =
  | typeof SOCK_STREAM
  | typeof SOCK_DGRAM
  | typeof SOCK_RAW
  | typeof SOCK_RDM
  | typeof SOCK_SEQPACKET;

/** Default read-side high-water mark of a stream socket: past it, reading from the kernel pauses. */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
/** Default `recv` size of async iteration, `makeFile()` and the Web Streams pair. */
export const DEFAULT_READ_SIZE = 64 * 1024;
/** Default `listen()` backlog, as Python's `min(SOMAXCONN, 128)`. */
export const DEFAULT_BACKLOG = 128;
/** Largest `listen()` backlog: Linux's `somaxconn` can go no higher, and each waiting connection holds a descriptor. */
export const MAX_BACKLOG = 65_535;
/** Default cap of a datagram socket's receive queue, in datagrams. */
export const DEFAULT_MAX_QUEUED_DATAGRAMS = 1024;
/** Default cap of a datagram socket's receive queue, in bytes. */
export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** How long `close()` waits for bytes still in Node's write buffer to reach the kernel. */
export const DEFAULT_CLOSE_FLUSH_TIMEOUT = 5_000;
/** Default grace period of `SocketServer.close()` for running handlers. */
export const DEFAULT_SERVER_CLOSE_GRACE = 5_000;
/**
 * Default deadline of a TLS handshake, client and server side: Node's `tls.Server` waits 120 s,
 * long enough for a slow-handshake flood to hold a server's connection slots.
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT = 10_000;
/** Largest UDP payload over IPv4: 65,535 minus the 20-byte IP header and the 8-byte UDP header. */
export const MAX_IPV4_PAYLOAD = 65_507;
/** Largest UDP payload over IPv6 without jumbograms: 65,535 minus the 8-byte UDP header. */
export const MAX_IPV6_PAYLOAD = 65_527;
