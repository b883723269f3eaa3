/**
 * Gateway benchmark: one local OpenAI-compatible upstream (test/support's, in its own process),
 * reached in one run
 *   (a) directly,
 *   (b) through a minimal node:http + undici pass-through proxy (the ceiling of any Node.js proxy),
 *   (c) through Portkey's AI gateway (`@portkey-ai/gateway`, custom host), and
 *   (d) through basalt's Bedrock runtime (Converse, SigV4-signed, authorized against an IAM user's
 *       policies, routed to the upstream by a provider file).
 * For each: the saturation throughput (closed loop), then p50/p99 latency in an open loop at half
 * of that target's own saturation rate, with the direct upstream measured at the same rate right
 * after, so "added latency" is the target's percentile minus the upstream's at the same offered load.
 *
 *   npm run bench:gateway [-- --quick] [-- --seconds 5 --rounds 3 --connections 32 --caller root --profile]
 */

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { startBasalt, type TestServer } from '../test/support/basalt.ts';
import { type Credentials, rootCredentials } from '../test/support/clients.ts';
import { callQuery } from '../test/support/query.ts';
import { UPSTREAM_ANSWER } from '../test/support/upstreams.ts';
import { createBenchUser } from './lib/bench-user.ts';
import { type ProfileSummary, summarizeProfile } from './lib/cpu-profile.ts';
import type { GcPauses } from './lib/gc-stats.ts';
import { type LoadResult, responseFrame } from './lib/load.ts';
import { freePort, type Helper, runLoadChild, startHelper, startPortkey } from './lib/processes.ts';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const PROFILE = args.includes('--profile');
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
/** Measured seconds of each saturation run and of each half-load run. */
const SECONDS = flag('seconds', QUICK ? 1 : 5);
const LATENCY_SECONDS = flag('latency-seconds', QUICK ? 1 : 4);
/** Unmeasured load before each run (JIT warm-up, connection pools filled). */
const WARMUP = flag('warmup', QUICK ? 0.5 : 1);
const CONNECTIONS = flag('connections', 32);
/** Times the whole sequence runs; the report gives the median of each figure. */
const ROUNDS = flag('rounds', 1);
/** `user`: an IAM user with three policies (the realistic case); `root`: the account root. */
const CALLER = option('caller', 'user') === 'root' ? 'root' : 'user';
/** Non-200 answers above this share of a run fail the benchmark: a benchmark of errors says nothing. */
const MAX_ERROR_SHARE = 0.001;
const MODEL_ID = 'meta.llama3-8b-instruct-v1:0';
const here = import.meta.dirname;
/** Where --profile leaves basalt's CPU profile (outside the repository: it is large). */
const keptProfile = join(os.tmpdir(), 'basalt-gateway-bench.cpuprofile');

type TargetName = 'direct' | 'proxy' | 'portkey' | 'leastWork' | 'basalt';
const LABELS: Record<TargetName, string> = {
  direct: 'direct upstream',
  proxy: 'undici proxy',
  portkey: 'Portkey gateway',
  leastWork: 'least-work gateway',
  basalt: 'basalt (SigV4+IAM)',
};

interface Target {
  name: TargetName;
  port: number;
  /** The process that serves it (the upstream's for the direct target). */
  pid: number | undefined;
  /** The request bytes replayed for every request. */
  request: Buffer;
}

/** The three runs of one target in one round. */
interface Round {
  saturation: LoadResult;
  /**
   * CPU time (user + system, all threads) the target's own process spent per request during the
   * saturation run, in µs; undefined where /proc is not available. The upstream's is apart.
   */
  cpuMicrosPerRequest: number | undefined;
  halfLoad: LoadResult;
  /** basalt only: its garbage collector's pauses during the saturation and the half-load runs. */
  gc?: { saturation: GcSummary; halfLoad: GcSummary };
  /** The upstream alone at the half-load rate (the half-load run itself for the direct target). */
  directAtSameRate: LoadResult;
}

/** The collector's pauses of one run (lib/gc-stats.ts). */
interface GcSummary {
  /** Young-generation collections (scavenges): each stops every request in flight. */
  scavenges: number;
  /** Milliseconds between two scavenges, on average. */
  scavengeEveryMs: number;
  /** Scavenge pause per request served, in µs. */
  scavengeMicrosPerRequest: number;
  scavengeP50ms: number;
  scavengeMaxMs: number;
  /** Other collections (mark-compact steps and finalization), and their longest pause. */
  others: number;
  otherMaxMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** An HTTP/1.1 request as bytes, with Host and Content-Length. */
function rawRequest(port: number, path: string, headers: Record<string, string>, body: string): Buffer {
  const all = { host: `127.0.0.1:${port}`, ...headers, 'content-length': String(Buffer.byteLength(body)) };
  const head = `POST ${path} HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

/** The OpenAI chat body the upstream, the proxy and Portkey get. */
const CHAT_BODY = JSON.stringify({ model: MODEL_ID, messages: [{ role: 'user', content: 'hello' }] });
/** The same prompt as a Converse body. */
const CONVERSE_BODY = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });

/**
 * One Converse request signed once (SigV4, service bedrock): AWS accepts a signature for 15 minutes
 * and basalt has no replay check, so the load generator replays the same bytes at no cost.
 */
async function signedConverse(port: number, creds: Credentials): Promise<Buffer> {
  const path = `/model/${encodeURIComponent(MODEL_ID)}/converse`;
  const signer = new SignatureV4({
    credentials: creds,
    region: 'us-east-1',
    service: 'bedrock',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
    body: CONVERSE_BODY,
  });
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return rawRequest(port, path, headers, CONVERSE_BODY);
}

/** Sends `request` once on a fresh socket and resolves to the whole response as text. */
function probe(port: number, request: Buffer): Promise<string> {
  return new Promise((res, rej) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      rej(new Error(`no complete answer from port ${port} in 10 s: ${buffer.toString('latin1')}`));
    }, 10_000);
    socket.on('connect', () => socket.write(request));
    socket.on('error', rej);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const frame = responseFrame(buffer);
      if (frame === undefined) return;
      clearTimeout(timer);
      socket.destroy();
      res(buffer.subarray(0, frame.length).toString('utf8'));
    });
  });
}

/** Checks that a target answers 200 with the upstream's sentence, i.e. that it really reached it. */
async function verify(target: Target): Promise<void> {
  const answer = await probe(target.port, target.request);
  if (!answer.startsWith('HTTP/1.1 200') || !answer.includes(UPSTREAM_ANSWER)) {
    throw new Error(`${LABELS[target.name]} does not relay the upstream's answer:\n${answer.slice(0, 2000)}`);
  }
}

/** The non-200 answers of a run, and their share. */
function errorsOf(r: LoadResult): { count: number; share: number } {
  let total = 0;
  let count = 0;
  for (const [status, n] of Object.entries(r.statuses)) {
    total += n;
    if (status !== '200') count += n;
  }
  return { count, share: total === 0 ? 1 : count / total };
}

/** Runs one load and fails the benchmark when more than 0.1% of the answers are not 200. */
async function measure(target: Target, what: string, rate?: number): Promise<LoadResult> {
  const seconds = rate === undefined ? SECONDS : LATENCY_SECONDS;
  process.stderr.write(
    `${LABELS[target.name]}: ${what}${rate === undefined ? '' : ` at ${Math.round(rate)} req/s`}, ${seconds} s… `,
  );
  const result = await runLoadChild({
    host: '127.0.0.1',
    port: target.port,
    connections: CONNECTIONS,
    seconds,
    warmupSeconds: WARMUP,
    ...(rate === undefined ? {} : { rate }),
    requests: [target.request.toString('base64')],
  });
  const errors = errorsOf(result);
  process.stderr.write(
    `${Math.round(result.perSecond)} req/s, p50 ${result.p50ms.toFixed(2)} ms, p99 ${result.p99ms.toFixed(2)} ms\n`,
  );
  if (errors.share > MAX_ERROR_SHARE) {
    throw new Error(
      `${LABELS[target.name]} (${what}): ${errors.count} of ${result.requests} answers were not 200 ` +
        `(${JSON.stringify(result.statuses)}); the figures would measure errors`,
    );
  }
  return result;
}

/** The benchmark's IAM user (lib/bench-user.ts), created over HTTP. */
function benchUser(url: string): Promise<Credentials> {
  return createBenchUser(async (action, params) => {
    const r = await callQuery(url, rootCredentials, action, params);
    if (r.status !== 200) throw new Error(`${action}: ${r.body}`);
    return r.body;
  });
}

/**
 * CPU time of a process so far (user + system, every thread), in µs, from /proc; undefined where
 * there is no /proc. Ticks are 1/100 s (USER_HZ on Linux): a 5 s run resolves to about 0.2%.
 */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** The pauses basalt's gc-stats preload has written so far (none before its first collection). */
function gcPauses(file: string): GcPauses {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GcPauses;
  } catch {
    return { minor: [], other: [] };
  }
}

/** The pauses between two readings of the file, for a run of `seconds` that served `requests`. */
function gcSummary(before: GcPauses, after: GcPauses, seconds: number, requests: number): GcSummary {
  const minor = after.minor.slice(before.minor.length);
  const other = after.other.slice(before.other.length);
  const total = minor.reduce((a, b) => a + b, 0);
  return {
    scavenges: minor.length,
    scavengeEveryMs: minor.length === 0 ? Number.NaN : (seconds * 1000) / minor.length,
    scavengeMicrosPerRequest: requests === 0 ? Number.NaN : (total * 1000) / requests,
    scavengeP50ms: median(minor),
    scavengeMaxMs: Math.max(0, ...minor),
    others: other.length,
    otherMaxMs: Math.max(0, ...other),
  };
}

/** Waits for the preload's next write (every 200 ms), so that a reading covers the run just done. */
const gcSettle = (): Promise<void> => new Promise((res) => setTimeout(res, 300));

function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// --- the servers, each in its own process.
const work = mkdtempSync(join(os.tmpdir(), 'basalt-gateway-bench-'));
const stops: Array<() => Promise<void>> = [];
let basalt: TestServer | undefined;
let failed = false;
try {
  const upstream = await startHelper<{ url: string }>('openai-upstream.ts', []);
  stops.push(upstream.stop);
  const upstreamUrl = upstream.announced.url;
  const upstreamPort = Number(new URL(upstreamUrl).port);
  const proxy: Helper<{ port: number }> = await startHelper('undici-proxy.ts', [upstreamUrl, String(CONNECTIONS)]);
  stops.push(proxy.stop);
  const portkeyPort = await freePort();
  const portkey = await startPortkey(portkeyPort);
  stops.push(portkey.stop);

  // basalt routes every model ID to the upstream, with as many upstream connections as the proxy.
  const configFile = join(work, 'providers.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      providers: {
        upstream: { type: 'openai-compatible', baseUrl: `${upstreamUrl}/v1`, maxConnections: CONNECTIONS },
      },
      models: [{ id: '*', provider: 'upstream' }],
      default: 'upstream',
    }),
  );
  const profileFile = join(work, 'basalt.cpuprofile');
  const gcFile = join(work, 'basalt-gc.json');
  const preloads = [join(here, 'lib', 'gc-stats.ts'), ...(PROFILE ? [join(here, 'lib', 'cpu-profiler.ts')] : [])];
  basalt = await startBasalt({
    keepOutput: false,
    env: {
      BASALT_CONFIG: configFile,
      NODE_OPTIONS: ['--import tsx', ...preloads.map((p) => `--import ${p}`)].join(' '),
      BENCH_GC_STATS: gcFile,
      ...(PROFILE ? { BENCH_CPU_PROFILE: profileFile } : {}),
    },
  });
  const creds = CALLER === 'root' ? rootCredentials : await benchUser(basalt.url);
  // The least-work gateway holds the bench user's key and policies (lib/least-work-gateway.ts).
  const userCreds = CALLER === 'root' ? await benchUser(basalt.url) : creds;
  const leastWork: Helper<{ port: number }> = await startHelper('least-work-gateway.ts', [
    upstreamUrl,
    userCreds.accessKeyId,
    userCreds.secretAccessKey,
    String(CONNECTIONS),
  ]);
  stops.push(leastWork.stop);

  const json = { 'content-type': 'application/json' };
  const targets: Target[] = [
    {
      name: 'direct',
      port: upstreamPort,
      pid: upstream.child.pid,
      request: rawRequest(upstreamPort, '/v1/chat/completions', json, CHAT_BODY),
    },
    {
      name: 'proxy',
      port: proxy.announced.port,
      pid: proxy.child.pid,
      request: rawRequest(proxy.announced.port, '/v1/chat/completions', json, CHAT_BODY),
    },
    {
      name: 'portkey',
      port: portkeyPort,
      pid: portkey.child.pid,
      request: rawRequest(
        portkeyPort,
        '/v1/chat/completions',
        {
          ...json,
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${upstreamUrl}/v1`,
          authorization: 'Bearer bench',
        },
        CHAT_BODY,
      ),
    },
    {
      name: 'leastWork',
      port: leastWork.announced.port,
      pid: leastWork.child.pid,
      request: await signedConverse(leastWork.announced.port, userCreds),
    },
    { name: 'basalt', port: basalt.port, pid: basalt.child.pid, request: await signedConverse(basalt.port, creds) },
  ];
  for (const t of targets) await verify(t);
  const direct = targets[0] as Target;

  // --- per target, back to back (the machine's other load drifts): saturation, half of it in an
  // open loop, then the upstream alone at that same rate. `--rounds` repeats the whole sequence.
  const loadBefore = os.loadavg();
  const runs = new Map<TargetName, Round[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      // The profile covers basalt's share of the load only (not its start or the set-up calls).
      if (t.name === 'basalt' && PROFILE && round === 0) basalt.child.kill('SIGUSR2');
      const gcBefore = gcPauses(gcFile);
      const cpuBefore = cpuMicros(t.pid);
      const saturation = await measure(t, `saturation (closed loop, ${CONNECTIONS} connections)`);
      const cpuAfter = cpuMicros(t.pid);
      if (t.name === 'basalt') await gcSettle();
      const gcAtSaturation = gcPauses(gcFile);
      // The CPU counters also run through the warm-up, whose requests are not counted: scaled to it.
      const served = saturation.requests * ((SECONDS + WARMUP) / SECONDS);
      const cpuMicrosPerRequest =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / served;
      const halfLoad = await measure(t, 'half load (open loop)', saturation.perSecond / 2);
      if (t.name === 'basalt') await gcSettle();
      const gcAfterHalfLoad = gcPauses(gcFile);
      const gc =
        t.name === 'basalt'
          ? {
              saturation: gcSummary(gcBefore, gcAtSaturation, SECONDS + WARMUP, served),
              halfLoad: gcSummary(
                gcAtSaturation,
                gcAfterHalfLoad,
                LATENCY_SECONDS + WARMUP,
                halfLoad.requests * ((LATENCY_SECONDS + WARMUP) / LATENCY_SECONDS),
              ),
            }
          : undefined;
      const directAtSameRate =
        t.name === 'direct' ? halfLoad : await measure(direct, 'the upstream alone', saturation.perSecond / 2);
      runs.get(t.name)?.push({ saturation, cpuMicrosPerRequest, halfLoad, directAtSameRate, ...(gc ? { gc } : {}) });
    }
  }
  const loadAfter = os.loadavg();

  await basalt.stop();
  let profile: ProfileSummary | undefined;
  if (PROFILE) {
    profile = summarizeProfile(profileFile);
    copyFileSync(profileFile, keptProfile);
  }

  // --- report: medians over the rounds.
  const rows = targets.map((t) => {
    const rounds = runs.get(t.name) ?? [];
    return {
      name: t.name,
      label: LABELS[t.name],
      perSecond: median(rounds.map((r) => r.saturation.perSecond)),
      cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)),
      halfRate: median(rounds.map((r) => r.halfLoad.offeredPerSecond ?? 0)),
      p50ms: median(rounds.map((r) => r.halfLoad.p50ms)),
      p99ms: median(rounds.map((r) => r.halfLoad.p99ms)),
      addedP50ms: median(rounds.map((r) => r.halfLoad.p50ms - r.directAtSameRate.p50ms)),
      addedP99ms: median(rounds.map((r) => r.halfLoad.p99ms - r.directAtSameRate.p99ms)),
      non200: rounds.reduce((n, r) => n + errorsOf(r.saturation).count + errorsOf(r.halfLoad).count, 0),
      rounds,
    };
  });
  const rate = (n: TargetName): number => rows.find((r) => r.name === n)?.perSecond ?? 0;
  const cpu = (n: TargetName): number => rows.find((r) => r.name === n)?.cpuMicrosPerRequest ?? Number.NaN;
  const basaltRow = rows.find((r) => r.name === 'basalt');
  const ratios = {
    basaltToProxyThroughput: rate('basalt') / rate('proxy'),
    basaltToPortkeyThroughput: rate('basalt') / rate('portkey'),
    proxyToDirectThroughput: rate('proxy') / rate('direct'),
    basaltToProxyCpuPerRequest: cpu('basalt') / cpu('proxy'),
    leastWorkToProxyThroughput: rate('leastWork') / rate('proxy'),
    leastWorkToProxyCpuPerRequest: cpu('leastWork') / cpu('proxy'),
    basaltToLeastWorkCpuPerRequest: cpu('basalt') / cpu('leastWork'),
    basaltAddedP99msAtHalfSaturation: basaltRow?.addedP99ms ?? Number.NaN,
  };
  // basalt's collector, medians over the rounds: the saturation run's pause per request (a share of
  // its CPU) and the half-load run's pauses, which every request in flight waits out.
  const basaltGcRounds = (basaltRow?.rounds ?? []).flatMap((r) => (r.gc ? [r.gc] : []));
  const basaltGc = {
    scavengeMicrosPerRequestAtSaturation: median(basaltGcRounds.map((g) => g.saturation.scavengeMicrosPerRequest)),
    scavengeEveryMsAtHalfLoad: median(basaltGcRounds.map((g) => g.halfLoad.scavengeEveryMs)),
    scavengeP50msAtHalfLoad: median(basaltGcRounds.map((g) => g.halfLoad.scavengeP50ms)),
    scavengeMaxMsAtHalfLoad: median(basaltGcRounds.map((g) => g.halfLoad.scavengeMaxMs)),
  };
  const targetsMet = {
    atLeast70PercentOfProxy: ratios.basaltToProxyThroughput >= 0.7,
    atLeast10TimesPortkey: ratios.basaltToPortkeyThroughput >= 10,
    addedP99UnderOneMs: ratios.basaltAddedP99msAtHalfSaturation < 1,
  };
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      // Other work on the machine moves every figure: the 1-minute load average around the run.
      loadAverageBefore: loadBefore[0],
      loadAverageAfter: loadAfter[0],
    },
    load: {
      connections: CONNECTIONS,
      rounds: ROUNDS,
      saturationSeconds: SECONDS,
      halfLoadSeconds: LATENCY_SECONDS,
      warmupSeconds: WARMUP,
      quick: QUICK,
      profiled: PROFILE,
    },
    basaltCaller: CALLER === 'root' ? 'account root' : 'IAM user, 3 policies',
    modelId: MODEL_ID,
    targets: Object.fromEntries(rows.map(({ name, label: _label, ...r }) => [name, r])),
    ratios,
    basaltGc,
    targetsMet,
    ...(profile === undefined
      ? {}
      : {
          basaltProfile: {
            ...profile,
            functions: profile.functions.slice(0, 40),
            files: profile.files.slice(0, 25),
            sourceTotals: profile.sourceTotals.slice(0, 40),
          },
        }),
  };
  mkdirSync(resolve(here, 'results'), { recursive: true });
  writeFileSync(resolve(here, 'results', 'gateway.json'), `${JSON.stringify(result, null, 2)}\n`);

  const pad = (s: string, n: number): string => s.padStart(n);
  const lines = [
    `Chat completion through each target to one local upstream; saturation: closed loop, ${CONNECTIONS} connections, ` +
      `${SECONDS} s; latency: open loop at half of the target's saturation, ${LATENCY_SECONDS} s ` +
      `(added = target minus the upstream alone at the same rate); ${ROUNDS === 1 ? '1 round' : `median of ${ROUNDS} rounds`}.`,
    `${'target'.padEnd(20)}${pad('req/s', 9)}${pad('vs proxy', 10)}${pad('@ half', 8)}${pad('p50 ms', 9)}` +
      `${pad('p99 ms', 9)}${pad('+p50 ms', 9)}${pad('+p99 ms', 9)}${pad('non-200', 9)}${pad('CPU µs/req', 12)}`,
    ...rows.map(
      (r) =>
        `${r.label.padEnd(20)}${pad(Math.round(r.perSecond).toLocaleString('en-US'), 9)}` +
        `${pad(fmt(r.perSecond / rate('proxy')), 10)}` +
        `${pad(Math.round(r.halfRate).toLocaleString('en-US'), 8)}` +
        `${pad(fmt(r.p50ms), 9)}${pad(fmt(r.p99ms), 9)}` +
        `${pad(fmt(r.addedP50ms), 9)}${pad(fmt(r.addedP99ms), 9)}${pad(String(r.non200), 9)}` +
        `${pad(Number.isNaN(r.cpuMicrosPerRequest) ? '-' : fmt(r.cpuMicrosPerRequest, 0), 12)}`,
    ),
    '',
    `basalt / minimal proxy throughput: ${fmt(ratios.basaltToProxyThroughput)} (target >= 0.70: ` +
      `${targetsMet.atLeast70PercentOfProxy ? 'met' : 'NOT met'})`,
    `basalt / Portkey throughput:       ${fmt(ratios.basaltToPortkeyThroughput)} (target >= 10: ` +
      `${targetsMet.atLeast10TimesPortkey ? 'met' : 'NOT met'})`,
    `basalt / proxy CPU per request:    ${fmt(ratios.basaltToProxyCpuPerRequest)} (the steadier figure on a shared ` +
      'machine; the throughput target needs at most about 1.43)',
    `least-work gateway / proxy:        ${fmt(ratios.leastWorkToProxyThroughput)} throughput, ` +
      `${fmt(ratios.leastWorkToProxyCpuPerRequest)} CPU per request (the same SigV4, policies and translation, ` +
      `nothing else); basalt / least-work CPU per request: ${fmt(ratios.basaltToLeastWorkCpuPerRequest)}`,
    `basalt added p99 at half load:     ${fmt(ratios.basaltAddedP99msAtHalfSaturation)} ms (target < 1 ms: ` +
      `${targetsMet.addedP99UnderOneMs ? 'met' : 'NOT met'})`,
    `basalt's collector: ${fmt(basaltGc.scavengeMicrosPerRequestAtSaturation, 1)} µs of scavenge pause per ` +
      `request at saturation; at half load a scavenge every ${fmt(basaltGc.scavengeEveryMsAtHalfLoad, 0)} ms, ` +
      `pausing ${fmt(basaltGc.scavengeP50msAtHalfLoad)} ms (median; longest ${fmt(basaltGc.scavengeMaxMsAtHalfLoad)} ms)`,
    `basalt caller: ${result.basaltCaller}${PROFILE ? '; basalt ran under the CPU profiler (slower)' : ''}; ` +
      `load average ${fmt(loadBefore[0] ?? 0)} before, ${fmt(loadAfter[0] ?? 0)} after`,
  ];
  if (profile !== undefined) {
    lines.push(
      '',
      `basalt CPU profile: ${fmt(profile.busyMs / 1000, 1)} s busy, ${fmt(profile.idleMs / 1000, 1)} s idle; ` +
        'top self time (share of busy):',
      ...profile.files.slice(0, 12).map((f) => `  ${pad(fmt(f.share * 100, 1), 5)}%  ${f.name}`),
      '  functions:',
      ...profile.functions.slice(0, 25).map((f) => `  ${pad(fmt(f.share * 100, 1), 5)}%  ${f.name}`),
      "  basalt's functions by total time (callees included):",
      ...profile.sourceTotals.slice(0, 30).map((f) => `  ${pad(fmt(f.share * 100, 1), 5)}%  ${f.name}`),
      `  the whole profile (open it in Chrome DevTools): ${keptProfile}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (e) {
  failed = true;
  process.stderr.write(`\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
} finally {
  await basalt?.destroy();
  for (const stop of stops.reverse()) await stop();
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
