/**
 * A preload (`--import`) that CPU-profiles the process it is loaded into, from its first SIGUSR2
 * (so start-up and set-up stay out of the profile) to its exit, and writes the profile to
 * `$BENCH_CPU_PROFILE`: Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and a benchmark can pass its
 * servers an environment but not their command line.
 */

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.BENCH_CPU_PROFILE;
if (out !== undefined && out !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 100 µs: requests of about a millisecond need finer samples than the 1 ms default.
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('Profiler.start');
  });
  // A session in the same thread answers synchronously, so the profile is written before the exit.
  process.on('exit', () => {
    if (!started) return;
    session.post('Profiler.stop', (err, result) => {
      if (err === null) writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}
