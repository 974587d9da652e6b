import { createConnection, createServer } from '@sockkit/core';
import { until } from '@sockkit/testkit';
import { udpEndpoint } from '@sockkit/udp';
import { expect, it } from 'vitest';
import { takeVerbose, watchSockkit } from '../src/cli/verbose.ts';

it('takes --verbose from any position of the arguments', () => {
  expect(takeVerbose(['tour', '--verbose', '--fast'])).toEqual({ verbose: true, rest: ['tour', '--fast'] });
  expect(takeVerbose(['tour'])).toEqual({ verbose: false, rest: ['tour'] });
});

it('prints one line per sockkit event: connections, retransmissions and their failure', async () => {
  const lines: string[] = [];
  watchSockkit((line) => lines.push(line));
  await using server = await createServer({ host: '127.0.0.1', port: 0 }, () => undefined);
  const { host, port } = server.address as { host: string; port: number };
  const conn = await createConnection({ host, port });
  await conn.close();
  await until(() => lines.some((line) => line.startsWith('[sockkit:socket:close]')));
  await using silent = await udpEndpoint();
  await using client = await udpEndpoint();
  await client
    .request(new TextEncoder().encode('secret'), silent.address, { timeout: 10, retries: 1 })
    .catch(() => {});
  expect(lines).toContainEqual(
    expect.stringMatching(/^\[sockkit:socket:open\] connected 127\.0\.0\.1:\d+ <-> 127\.0\.0\.1:\d+$/),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(/^\[sockkit:server:accept\] accepted 127\.0\.0\.1:\d+$/),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^\[sockkit:udp:retransmit\] retransmission 1 of request [0-9a-f]{16} to 127\.0\.0\.1:\d+$/,
    ),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^\[sockkit:udp:request:error\] request to 127\.0\.0\.1:\d+ failed: RequestTimeoutError/,
    ),
  );
  expect(lines.join('\n')).not.toContain('secret');
});
