export type {
  AddressInput,
  HostAddress,
  PathAddress,
  SocketAddress,
} from './address.js';
export type {
  DatagramDropEvent,
  DatagramDropReason,
  RefuseReason,
  ServerAcceptEvent,
  ServerRefuseEvent,
  SocketCloseEvent,
  SocketConnectContext,
  SocketOpenEvent,
  SocketTlsContext,
} from './channels.js';
export {
  type AddressFamily,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  DEFAULT_BACKLOG,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_DATAGRAMS,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
  MAX_BACKLOG,
  MAX_IPV4_PAYLOAD,
  MAX_IPV6_PAYLOAD,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  type SocketKind,
} from './constants.js';
export { type CreateConnectionOptions, createConnection } from './create-connection.js';
export {
  DatagramSocket,
  type DatagramSocketOptions,
  type DatagramSocketOptionValues,
  type DatagramStats,
  type ReceivedDatagram,
  type SendErrorHandler,
} from './datagram-socket.js';
export {
  AddressInUseError,
  BlockingIOError,
  BrokenPipeError,
  CertificateError,
  CertificateExpiredError,
  CertificateRejectedError,
  ClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  type CoreErrorCode,
  errnoOf,
  HostnameMismatchError,
  InvalidArgumentError,
  InvalidStateError,
  SocketClosedError,
  SocketError,
  type SocketErrorOptions,
  SocketTimeoutError,
  TimeoutError,
  TlsError,
  type TlsErrorCode,
  type TlsErrorOptions,
  TlsHandshakeTimeoutError,
  TlsProtocolError,
  TlsVersionError,
  toSocketError,
  UnsupportedError,
  UntrustedCertificateError,
} from './errors.js';
export {
  type ConnectionHandler,
  createServer,
  type ServerCloseOptions,
  type ServerOptions,
  type ServerStats,
  SocketServer,
} from './server.js';
export { socket } from './socket.js';
export { SockkitError } from './sockkit-error.js';
export type {
  ConnectOptions,
  ShutdownHow,
  StreamSocketOptions,
  StreamSocketOptionValues,
} from './stream-options.js';
export { StreamSocket } from './stream-socket.js';
export { type StartTlsClientOptions, type StartTlsServerOptions, startTls } from './tls.js';
export type { TlsClientOptions, TlsServerOptions } from './tls-options.js';
export type { TlsAuthorization, TlsSession } from './tls-session.js';
export type { BlockingOptions } from './waiter.js';
