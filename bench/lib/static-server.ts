/**
 * The ceiling peer of the server benchmark: a minimal node:http server that reads the request body
 * and answers a fixed XML body of a given size — what any Node.js HTTP service costs here before
 * it does any work. Prints its port as one JSON line.
 */

import http from 'node:http';

const size = Number(process.argv[2] ?? '600');
const body = Buffer.from(`<GetUserResponse>${'x'.repeat(Math.max(0, size - 36))}</GetUserResponse>`);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(body.length) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
