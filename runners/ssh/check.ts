// `nightshift hosts`: connect to each host once and say what it is and what is wrong with it:
// reachable, round-trip latency, GPUs (nvidia-smi) or CPUs and load, python after setup, free disk
// in the workdir, and a plain-words problem for each host that cannot take trials.
import { HostConnection } from './connection.js';
import { hostProblem, type HostSpec } from './host.js';
import { parseProbe, probeScript, shCommand } from './remote.js';
import { resolveTarget, type TargetSpec } from './target.js';

export interface HostReport {
  name: string;
  where: string;
  reachable: boolean;
  latencyMs?: number;
  compute?: string;
  python?: string;
  diskFree?: string;
  /** Empty when the host can take trials. */
  problem: string;
}

function size(kb: number): string {
  if (kb >= 2 ** 30) return `${(kb / 2 ** 30).toFixed(1)} TB`;
  if (kb >= 2 ** 20) return `${(kb / 2 ** 20).toFixed(1)} GB`;
  return `${Math.round(kb / 1024)} MB`;
}

export async function checkHost(h: TargetSpec & HostSpec, opts: { acceptNewHostKeys: boolean; home?: string }): Promise<HostReport> {
  const target = resolveTarget(h, opts);
  const report: HostReport = { name: h.name, where: `${target.user}@${target.host}:${target.port}${target.proxyJump ? ` via ${target.proxyJump.name}` : ''}`, reachable: false, problem: '' };
  const conn = new HostConnection(target, undefined, { reconnect: false });
  try {
    await conn.ready(15_000);
    report.reachable = true;
    // The best of three exec round trips: what dispatching a command costs on this connection.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await conn.exec('true', { timeoutMs: 10_000 });
      best = Math.min(best, performance.now() - t0);
    }
    report.latencyMs = best;
    const r = await conn.exec(shCommand(probeScript(h.workdir, h.setup)), { timeoutMs: 60_000 });
    const p = parseProbe(r.stdout.toString('utf8'));
    report.compute = p.gpus.length
      ? p.gpus.map((g) => `${g.index}: ${g.name} ${g.memUsed}/${g.memTotal} MiB ${g.util}%`).join('; ')
      : `${p.nproc} CPU${p.nproc === 1 ? '' : 's'}, load ${p.load}`;
    report.python = p.python?.replace(/^Python /, '') || (p.setupFailed ? 'setup failed' : 'none');
    if (p.diskFreeKb !== undefined) report.diskFree = size(p.diskFreeKb);
    report.problem = hostProblem(h, p, target.user);
    if (!report.problem && !/^\d/.test(report.python)) report.problem = `no python3 on the host${h.setup ? ' after setup' : ''}; install it or set setup: to activate an environment`;
  } catch (err) {
    report.problem = (err as Error).message;
  } finally {
    conn.close();
  }
  return report;
}

export function hostsTable(rows: HostReport[]): string {
  const head = ['host', 'address', 'reachable', 'latency', 'GPUs / CPUs', 'python', 'free disk'];
  const cells = rows.map((r) => [r.name, r.where, r.reachable ? 'yes' : 'no', r.latencyMs !== undefined ? `${r.latencyMs.toFixed(1)} ms` : '-', r.compute ?? '-', r.python ?? '-', r.diskFree ?? '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const problems = rows.filter((r) => r.problem).map((r) => `${r.name}: ${r.problem}`);
  const usable = rows.filter((r) => !r.problem).length;
  return [line(head), ...cells.map(line), '', ...problems, `${usable} of ${rows.length} host${rows.length === 1 ? '' : 's'} usable.`].join('\n') + '\n';
}
