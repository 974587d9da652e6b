import { describe, expect, it } from 'vitest';
import { SettledRequests } from '../src/settled-requests.ts';

describe('SettledRequests', () => {
  it('remembers how requests ended, forgetting the oldest past capacity', () => {
    const settled = new SettledRequests(2);
    settled.record('a', 'answered');
    settled.record('b', 'abandoned');
    expect([settled.get('a'), settled.get('b'), settled.get('c')]).toEqual([
      'answered',
      'abandoned',
      undefined,
    ]);
    settled.record('c', 'answered');
    expect([settled.get('a'), settled.get('b'), settled.get('c')]).toEqual([
      undefined,
      'abandoned',
      'answered',
    ]);
  });

  it('updates an id recorded twice in place, without forgetting another', () => {
    const settled = new SettledRequests(2);
    settled.record('a', 'abandoned');
    settled.record('b', 'answered');
    settled.record('a', 'answered');
    expect([settled.get('a'), settled.get('b')]).toEqual(['answered', 'answered']);
    settled.record('c', 'abandoned');
    expect([settled.get('a'), settled.get('b'), settled.get('c')]).toEqual([
      undefined,
      'answered',
      'abandoned',
    ]);
  });

  it('tells apart ids that share a key by their check, the later replacing the earlier', () => {
    const settled = new SettledRequests<number>(4);
    settled.record(7, 'answered', 1);
    expect([settled.get(7, 1), settled.get(7, 2)]).toEqual(['answered', undefined]);
    settled.record(7, 'abandoned', 2);
    expect([settled.get(7, 1), settled.get(7, 2)]).toEqual([undefined, 'abandoned']);
  });
});
