/**
 * A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on a loopback port, in memory
 * only (no persistence file), for the report's --pushgateway tests.
 */
import { spawn } from 'node:child_process';
import { freePort } from './registry.js';

export interface LocalPushgateway {
  url: string;
  /** The exposition the Pushgateway serves at /metrics. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export const PUSHGATEWAY_BIN = process.env.REGSIZE_TEST_PUSHGATEWAY_BIN ?? '/usr/bin/prometheus-pushgateway';

export async function startPushgateway(): Promise<LocalPushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PUSHGATEWAY_BIN, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || i > 200) {
      await stop();
      throw new Error(`prometheus-pushgateway on ${port} did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop, metrics: async () => (await fetch(`${url}/metrics`)).text() };
}
