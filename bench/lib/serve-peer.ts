/**
 * How the benchmark's peer servers (lib/undici-proxy.ts, lib/least-work-gateway.ts) run: keep-alive
 * as basalt's server, on a free loopback port announced as one JSON line on stdout, and on SIGTERM
 * closed with their upstream pool.
 */

import type http from 'node:http';
import type { Pool } from 'undici';

export function servePeer(server: http.Server, pool: Pool): void {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(
      `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
    );
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void pool.close().then(() => process.exit(0)));
  });
}
