import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { StreamSocketState } from '../src/errors.ts';
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
    const { life: listening } = lifecycle();
    listening.listening();
    expect(() => listening.assertState('fresh', 'bind')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(life.notReady('recv', 'connected')).toMatchObject({ code: 'ENOTCONN' });
  });

  it('moves only along its transitions: a connect or listen given up is fresh again, closed stays closed', () => {
    const { life } = lifecycle();
    type Transition = 'connecting' | 'connected' | 'abandonConnect' | 'listening' | 'abandonListen' | 'close';
    /** Each transition, what it returns, and the state after it. */
    const walk: [Transition, boolean | undefined, StreamSocketState][] = [
      ['connected', false, 'fresh'],
      ['listening', undefined, 'listening'],
      ['abandonListen', true, 'fresh'],
      ['connecting', undefined, 'connecting'],
      ['abandonConnect', undefined, 'fresh'],
      ['connecting', undefined, 'connecting'],
      ['connected', true, 'connected'],
      ['abandonConnect', undefined, 'connected'],
      ['abandonListen', false, 'connected'],
      ['close', undefined, 'closed'],
      ['abandonConnect', undefined, 'closed'],
      ['abandonListen', false, 'closed'],
      ['connected', false, 'closed'],
      ['connecting', undefined, 'closed'],
      ['listening', undefined, 'closed'],
    ];
    for (const [transition, returns, state] of walk) {
      expect(life[transition](), transition).toBe(returns);
      expect(life.state, transition).toBe(state);
    }
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
