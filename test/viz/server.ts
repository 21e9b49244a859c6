/**
 * Starts `handover viz` as a user does (the CLI, in a child process) on a free port, and waits until it has
 * computed its data. One server per test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/handover.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

export interface VizProcess {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Runs `handover viz --port 0 ARGS`; resolves once `/api/status` says ready (rejects on error or exit). */
export async function startViz(args: string[], readyTimeoutMs = 240_000): Promise<VizProcess> {
  const proc = spawn(process.execPath, [CLI, 'viz', '--port', '0', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl).trim());
    });
    proc.once('exit', (code) => reject(new Error(`handover viz exited ${code} before printing its URL: ${err}`)));
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`handover viz exited ${proc.exitCode}: ${err}`);
    const st = (await fetch(`${url}api/status`).then((r) => r.json())) as { state: string; error?: string };
    if (st.state === 'ready') break;
    if (st.state === 'error') {
      await stop();
      throw new Error(`handover viz could not compute its data: ${st.error}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`handover viz not ready after ${readyTimeoutMs} ms: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, proc, stderr: () => err, stop };
}
