// `nightshift doctor [campaign.yaml]`: per machine (this one, and each `hosts:` entry over SSH),
// whether the sandbox works there (bwrap run for real around `echo`) and which limits the machine
// can enforce (the limits probe). Everything is run, nothing is inferred from what is installed.
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import { HostConnection } from '../ssh/connection.js';
import { shCommand } from '../ssh/remote.js';
import { resolveTarget, type TargetSpec } from '../ssh/target.js';
import { LIMITS_PROBE, parseLimitsProbe, type LimitsReport } from './limits.js';
import { parseSandboxProbe, probeLocalSandbox, sandboxProbeScript, type SandboxProbe } from './probe.js';

export interface MachineReport {
  name: string;
  where: string;
  /** Undefined: the machine could not be reached (problem says why). */
  sandbox?: SandboxProbe;
  limits?: LimitsReport;
  problem?: string;
}

function limitsOf(stdout: string): LimitsReport {
  try {
    return parseLimitsProbe(stdout);
  } catch (err) {
    return { how: 'none', memory: false, processes: false, note: (err as Error).message };
  }
}

export async function doctorLocal(): Promise<MachineReport> {
  const [sandbox, limits] = await Promise.all([
    probeLocalSandbox(),
    new Promise<LimitsReport>((resolve) => execFile('/bin/sh', ['-c', LIMITS_PROBE], { timeout: 20_000 }, (_err, stdout) => resolve(limitsOf(stdout ?? '')))),
  ]);
  return { name: os.hostname(), where: 'this machine', sandbox, limits };
}

export async function doctorHost(h: TargetSpec, opts: { acceptNewHostKeys: boolean; home?: string }): Promise<MachineReport> {
  const target = resolveTarget(h, opts);
  const report: MachineReport = { name: h.name, where: `${target.user}@${target.host}:${target.port}${target.proxyJump ? ` via ${target.proxyJump.name}` : ''}` };
  const conn = new HostConnection(target, undefined, { reconnect: false });
  try {
    await conn.ready(15_000);
    const tmp = await conn.exec(shCommand('mktemp -d "${TMPDIR:-/tmp}/nightshift-sandbox-probe-XXXXXX"'), { timeoutMs: 10_000 });
    const dir = tmp.stdout.toString('utf8').trim();
    if (tmp.code !== 0 || !dir.startsWith('/')) throw new Error(`could not make a scratch directory: ${tmp.stderr.trim() || 'mktemp failed'}`);
    const probe = await conn.exec(shCommand(sandboxProbeScript(dir)), { timeoutMs: 30_000 });
    report.sandbox = parseSandboxProbe(probe.stdout.toString('utf8') + '\n' + probe.stderr);
    const limits = await conn.exec(shCommand(LIMITS_PROBE), { timeoutMs: 30_000 });
    report.limits = limitsOf(limits.stdout.toString('utf8'));
  } catch (err) {
    report.problem = (err as Error).message;
  } finally {
    conn.close();
  }
  return report;
}

function limitsText(l: LimitsReport | undefined): string {
  if (!l) return '-';
  const what = [l.memory ? 'memory' : '', l.processes ? 'processes' : ''].filter(Boolean);
  return what.length ? `${what.join(', ')} (${l.how})` : 'none';
}

export function doctorTable(rows: MachineReport[], wanted?: string): string {
  const head = ['machine', 'address', 'sandbox', 'limits'];
  const cells = rows.map((r) => [r.name, r.where, r.problem ? 'unreachable' : r.sandbox?.ok ? 'works' : 'no', limitsText(r.limits)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const notes: string[] = [];
  for (const r of rows) {
    if (r.problem) notes.push(`${r.name}: ${r.problem}`);
    else if (r.sandbox && !r.sandbox.ok) notes.push(`${r.name}: the sandbox does not work: ${r.sandbox.reason ?? 'bwrap failed'}. Install bubblewrap (apt-get install bubblewrap), or set sandbox: none.`);
    if (r.limits?.note && !(r.limits.memory && r.limits.processes)) notes.push(`${r.name}: limits: ${r.limits.note}`);
  }
  return [...(wanted ? [wanted, ''] : []), line(head), ...cells.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n') + '\n';
}
