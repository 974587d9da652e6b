import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SocketClosedError, SocketError } from '../src/index.ts';
import { StreamLifecycle } from '../src/stream-lifecycle.ts';

function lifecycle() {
  const sticky: { failure: unknown } = { failure: undefined };
  return { life: new StreamLifecycle(() => sticky.failure), sticky };
}

describe('StreamLifecycle', () => {
  it('starts fresh, and names the errno of a verb called in the wrong state', () => {
    const { life } = lifecycle();
    expect(life.state).toBe('fresh');
    expect(() => life.assertUsable('send')).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
    expect(() => life.assertState('listening', 'accept')).toThrow(/call listen\(\) first/);
    life.connecting();
    life.connected();
    expect(() => life.assertState('fresh', 'connect')).toThrow(expect.objectContaining({ code: 'EISCONN' }));
    life.listening();
    expect(() => life.assertState('fresh', 'bind')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(life.notReady('recv', 'connected')).toMatchObject({ code: 'ENOTCONN' });
  });

  it('listens from fresh, and a failed listen makes it fresh again unless it was closed meanwhile', () => {
    const { life } = lifecycle();
    life.listening();
    expect(life.abandonListen()).toBe(true);
    expect(life.state).toBe('fresh');
    life.listening();
    life.close();
    expect(life.abandonListen()).toBe(false);
    expect(life.state).toBe('closed');
  });

  it('connects only from connecting; an abandoned attempt is fresh again, a closed socket stays closed', () => {
    const { life } = lifecycle();
    expect(life.connected()).toBe(false);
    expect(life.state).toBe('fresh');
    life.connecting();
    life.abandonConnect();
    expect(life.state).toBe('fresh');
    life.connecting();
    expect(life.connected()).toBe(true);
    expect(life.state).toBe('connected');
    life.abandonConnect();
    expect(life.state).toBe('connected');
    life.close();
    life.abandonConnect();
    expect(life.connected()).toBe(false);
    expect(life.state).toBe('closed');
  });

  it('reports close before a sticky failure, and the failure before the state', () => {
    const { life, sticky } = lifecycle();
    life.connecting();
    life.connected();
    expect(() => life.assertUsable('recv')).not.toThrow();
    const reset = new SocketError('ECONNRESET', 'reset');
    sticky.failure = reset;
    expect(() => life.assertUsable('recv')).toThrow(reset);
    expect(() => life.assertNotClosed('recv')).not.toThrow();
    life.close();
    expect(life.closed).toBe(true);
    expect(() => life.assertNotClosed('recv')).toThrow(SocketClosedError);
    expect(() => life.assertUsable('recv')).toThrow(SocketClosedError);
  });

  it('hands out the Node socket only while connected', () => {
    const { life } = lifecycle();
    const socket = new Socket();
    expect(() => life.connectedSocket(socket, 'shutdown')).toThrow(/not connected/);
    life.connecting();
    life.connected();
    expect(() => life.connectedSocket(undefined, 'shutdown')).toThrow(/not connected/);
    expect(life.connectedSocket(socket, 'shutdown')).toBe(socket);
    socket.destroy();
  });
});
