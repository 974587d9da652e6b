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
});
