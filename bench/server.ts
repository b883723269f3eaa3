/**
 * Server benchmark: authenticated, authorized IAM read calls per second (GetUser) against the real
 * `basalt serve` (SQLite), side by side in one run with a minimal node:http server answering a
 * fixed body of the same size (the ceiling of any Node.js HTTP service on this machine), under the
 * same closed-loop load from a separate process. Also times SigV4 verification alone (parse +
 * verify with the signing key cached), the cost every request pays.
 *
 *   npm run bench:server [-- --seconds 10 --connections 16]
 */

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { type IncomingSignedRequest, parseSigV4, verifySigV4 } from '../src/auth/sigv4/index.ts';
import { startBasalt } from '../test/support/basalt.ts';
import { rootCredentials } from '../test/support/clients.ts';
import { callQuery, formBody } from '../test/support/query.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = flag('seconds', 10);
const CONNECTIONS = flag('connections', 16);
const ROUNDS = flag('rounds', 2);
const here = import.meta.dirname;

interface Signed {
  raw: Buffer;
  incoming: IncomingSignedRequest;
}

async function signGetUser(
  host: string,
  port: number,
  creds: { accessKeyId: string; secretAccessKey: string },
): Promise<Signed> {
  const body = formBody({ Action: 'GetUser', Version: '2010-05-08', UserName: 'bench' });
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'iam', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: host,
    port,
    path: '/',
    query: {},
    headers: { host: `${host}:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) };
  const head = `POST / HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return {
    raw: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]),
    incoming: { method: 'POST', rawPath: '/', rawQuery: '', headers: lower, body: Buffer.from(body), http2: false },
  };
}

function load(
  port: number,
  requests: Buffer[],
): Promise<{ perSecond: number; p50ms: number; p99ms: number; requests: number; statuses: Record<string, number> }> {
  return new Promise((resolveLoad, reject) => {
    const spec = JSON.stringify({
      host: '127.0.0.1',
      port,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: requests.map((r) => r.toString('base64')),
    });
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib', 'load.ts'), '--child', spec], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolveLoad(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

async function startStatic(size: number): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib', 'static-server.ts'), String(size)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res) =>
    createInterface({ input: child.stdout }).once('line', (l) => res((JSON.parse(l) as { port: number }).port)),
  );
  return { port, stop: () => child.kill('SIGTERM') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

// --- the server under test, with a realistic principal: 5 managed policies, a group, a boundary.
// The default log level: one log line per request is part of what a request costs.
const server = await startBasalt({ keepOutput: false });
const url = server.url;
const ok = async (action: string, params: Record<string, string>) => {
  const r = await callQuery(url, rootCredentials, action, params);
  if (r.status !== 200) throw new Error(`${action}: ${r.body}`);
  return r.body;
};
await ok('CreateUser', { UserName: 'bench', 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'ml' });
for (let i = 0; i < 5; i++) {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [`iam:List*`, `iam:Get${i}*`],
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
      },
      { Effect: 'Deny', Action: 'iam:Delete*', Resource: `arn:aws:iam::*:user/admin-${i}` },
    ],
  };
  await ok('CreatePolicy', { PolicyName: `bench-${i}`, PolicyDocument: JSON.stringify(doc) });
  await ok('AttachUserPolicy', { UserName: 'bench', PolicyArn: `arn:aws:iam::123456789012:policy/bench-${i}` });
}
await ok('CreateGroup', { GroupName: 'bench-readers' });
await ok('AddUserToGroup', { GroupName: 'bench-readers', UserName: 'bench' });
await ok('PutGroupPolicy', {
  GroupName: 'bench-readers',
  PolicyName: 'self',
  PolicyDocument: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iam:GetUser',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
        Resource: 'arn:aws:iam::*:user/${aws:username}',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  }),
});
await ok('PutUserPermissionsBoundary', {
  UserName: 'bench',
  PermissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
});
const keyXml = await ok('CreateAccessKey', { UserName: 'bench' });
const creds = {
  accessKeyId: /<AccessKeyId>([^<]+)</.exec(keyXml)?.[1] ?? '',
  secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(keyXml)?.[1] ?? '',
};
const signed = await signGetUser('127.0.0.1', server.port, creds);
const probe = await callQuery(url, creds, 'GetUser', { UserName: 'bench' });
if (probe.status !== 200) throw new Error(`GetUser as bench is not allowed: ${probe.body}`);
const staticServer = await startStatic(Buffer.byteLength(probe.body));

// --- SigV4 verification alone, in this process.
const verifyRuns = 50_000;
for (let i = 0; i < 5_000; i++) verifySigV4(signed.incoming, parseSigV4(signed.incoming), creds.secretAccessKey);
const t0 = process.hrtime.bigint();
for (let i = 0; i < verifyRuns; i++) verifySigV4(signed.incoming, parseSigV4(signed.incoming), creds.secretAccessKey);
const verifyUs = Number(process.hrtime.bigint() - t0) / 1000 / verifyRuns;

// --- load, alternating the two servers.
const basaltRuns: Awaited<ReturnType<typeof load>>[] = [];
const staticRuns: Awaited<ReturnType<typeof load>>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  staticRuns.push(await load(staticServer.port, [signed.raw]));
  basaltRuns.push(await load(server.port, [signed.raw]));
}
staticServer.stop();
await server.destroy();

const basaltRate = median(basaltRuns.map((x) => x.perSecond));
const staticRate = median(staticRuns.map((x) => x.perSecond));
const non200 = basaltRuns.reduce(
  (n, x) =>
    n +
    Object.entries(x.statuses)
      .filter(([s]) => s !== '200')
      .reduce((m, [, c]) => m + c, 0),
  0,
);
const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  load: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS },
  basalt: {
    perSecond: Math.round(basaltRate),
    p50ms: median(basaltRuns.map((x) => x.p50ms)),
    p99ms: median(basaltRuns.map((x) => x.p99ms)),
    non200,
  },
  nodeHttpCeiling: { perSecond: Math.round(staticRate), p50ms: median(staticRuns.map((x) => x.p50ms)) },
  ratioToCeiling: basaltRate / staticRate,
  sigv4VerifyMicroseconds: verifyUs,
  sigv4ShareOfRequest: verifyUs / (1e6 / basaltRate),
};
mkdirSync(resolve(here, 'results'), { recursive: true });
writeFileSync(resolve(here, 'results', 'server.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `GetUser (authenticated + authorized), ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS}:\n` +
    `  basalt            ${result.basalt.perSecond.toLocaleString('en-US')} req/s  p50 ${result.basalt.p50ms.toFixed(2)} ms  p99 ${result.basalt.p99ms.toFixed(2)} ms  (non-200: ${non200})\n` +
    `  node:http ceiling ${result.nodeHttpCeiling.perSecond.toLocaleString('en-US')} req/s  p50 ${result.nodeHttpCeiling.p50ms.toFixed(2)} ms\n` +
    `  ratio basalt / ceiling: ${result.ratioToCeiling.toFixed(3)}\n` +
    `  SigV4 verification: ${verifyUs.toFixed(1)} µs per request (${(result.sigv4ShareOfRequest * 100).toFixed(1)}% of a request's time at this rate)\n`,
);
