// samples/code-mutation end to end, as a new user runs it: the sample's own files in a fresh git
// repository, the real CLI (`run --headless`, a child process), the real `openai` SDK, and a
// scripted chat-completions server on 127.0.0.1 standing in for the model. TPE tunes until the
// stall, the model's edit (new features in model.py) is kept and moves the campaign branch, an
// edit of the frozen evaluator is refused, and tuning resumes on the new code.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliAsync, ROOT, events, stateOf } from '../helpers.js';
import { git, makeRepo } from '../workspace/helpers.js';
import { allTrials } from '../../src/state.js';
import { completion, startLlmServer, type FakeLlmServer, type RecordedRequest, type ScriptedResponse } from '../fakes/llm-server.js';

const SAMPLE = path.join(ROOT, 'samples', 'code-mutation');
const FEATURES = `model.py
<<<<<<< SEARCH
def features(x):
    """Features of one input; the model is a weighted sum of these."""
    return [1.0, x, x * x]
=======
import math


def features(x):
    """Features of one input; the model is a weighted sum of these."""
    return [1.0, x, x * x, math.sin(2.5 * x), math.cos(2.5 * x)]
>>>>>>> REPLACE`;
const CHEAT = `evaluate.py
<<<<<<< SEARCH
    print("val_loss: %.6f" % loss)
=======
    print("val_loss: %.6f" % 0.0)
>>>>>>> REPLACE`;

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startLlmServer();
});
afterEach(async () => {
  await server.close();
});

/** A loopback port that was free a moment ago and has no listener now. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const run = cliAsync;

/** The sample's files, committed in a fresh repository, with the campaign file adjusted by `edit`. */
function sampleRepo(edit: (yaml: string) => string): string {
  const files: Record<string, string> = {};
  for (const f of fs.readdirSync(SAMPLE)) files[f] = fs.readFileSync(path.join(SAMPLE, f), 'utf8');
  files['campaign.yaml'] = edit(files['campaign.yaml']);
  return makeRepo(files);
}

/** The first model call gets the feature edit plus a frozen-file cheat; later calls repeat the cheat. */
function model(): (req: RecordedRequest) => ScriptedResponse {
  let calls = 0;
  return (req) => {
    calls++;
    const prompt = req.body.messages.map((m: { content: string }) => m.content).join('\n');
    const k = Number(/Propose (\d+) different/.exec(prompt)?.[1] ?? 1);
    const edits = calls === 1 ? [FEATURES, CHEAT] : [CHEAT];
    const text = edits
      .slice(0, Math.max(1, k))
      .map((e, i) => `### Proposal ${i + 1}\nHypothesis: ${e === FEATURES ? 'Fourier features fit the curve far better than a quadratic.' : 'Report a perfect score.'}\n${e}`)
      .join('\n\n');
    return { body: completion(text, { prompt_tokens: 2000, completion_tokens: 200 }) };
  };
}

describe('samples/code-mutation', () => {
  it('without a key, or with no server at base_url, says exactly what to set and exits 2 before writing anything', async () => {
    const noKey = await run(['run', 'campaign.yaml', '--headless'], SAMPLE, { OPENAI_API_KEY: undefined });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/OPENAI_API_KEY is not set/);
    expect(noKey.stderr).not.toMatch(/\n\s+at /);
    // A port nobody listens on: the server was never started.
    const port = await closedPort();
    const dir = sampleRepo((y) => y.replace(/base_url: \S+/, `base_url: http://127.0.0.1:${port}/v1`));
    const noServer = await run(['run', 'campaign.yaml', '--headless'], dir, { OPENAI_API_KEY: 'ollama' });
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain(`Nothing answers at llm.base_url http://127.0.0.1:${port}/v1 (ECONNREFUSED)`);
    expect(fs.existsSync(path.join(dir, '.nightshift'))).toBe(false);
    expect(fs.existsSync(path.join(SAMPLE, '.nightshift'))).toBe(false);
  });

  it('runs hybrid end to end: tuning stalls, the kept edit moves the branch, the frozen cheat is refused, tuning resumes on the new code', async () => {
    server.respond(model());
    const dir = sampleRepo((y) =>
      y
        .replace(/base_url: \S+/, `base_url: ${server.baseUrl}`)
        .replace(/stall: \d+/, 'stall: 3')
        .replace(/trials: \d+/, "trials: 14"),
    );
    const r = await run(['run', 'campaign.yaml', '--headless'], dir, { OPENAI_API_KEY: 'sk-sample-SECRET' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(dir, '.nightshift', 'code-mutation');
    const evs = events(out);
    const s = stateOf(out);
    const trials = allTrials(s);
    expect(evs.some((e) => e.type === 'proposer.escalated')).toBe(true);
    // Sandboxed by default (the sample has mutable: files): every trial, code or params, ran under bwrap.
    const started = evs.filter((e) => e.type === 'trial.started');
    expect(started.length).toBeGreaterThan(0);
    for (const e of started) expect(e.type === 'trial.started' && e.sandboxed).toBe(true);
    const kept = trials.find((t) => t.proposal.kind === 'code' && t.status === 'keep');
    expect(kept).toBeDefined();
    // The features fit the curve: far below the quadratic's 0.598.
    expect(kept!.score!).toBeLessThan(0.1);
    const cheats = trials.filter((t) => t.proposal.kind === 'code' && t.proposal.hypothesis.startsWith('Report a perfect'));
    expect(cheats.length).toBeGreaterThan(0);
    for (const t of cheats) {
      expect(t.status).toBe('invalid');
      expect(t.reason).toMatch(/evaluate\.py/);
    }
    // The lab notebook: the campaign branch ends at (or after) the kept edit, with its trailer.
    const log = git(dir, 'log', '--format=%s%n%b', 'nightshift/code-mutation');
    expect(log).toMatch(/Fourier features/);
    expect(log).toMatch(new RegExp(`Nightshift-Trial: ${kept!.id}\\b`));
    // The user's branch and the frozen evaluator are untouched.
    expect(git(dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(fs.readFileSync(path.join(dir, 'evaluate.py'), 'utf8')).toBe(fs.readFileSync(path.join(SAMPLE, 'evaluate.py'), 'utf8'));
    // Param trials started after the edit was kept run on the new code (its commit or a later one);
    // the ones already running when it was kept finish on the code they started with.
    const keptAt = evs.find((e) => e.type === 'trial.decided' && e.id === kept!.id)!.seq;
    const after = evs.flatMap((e) => (e.type === 'trial.started' && e.seq > keptAt && allTrials(s)[e.id - 1].proposal.kind === 'params' ? [allTrials(s)[e.id - 1]] : []));
    expect(after.length).toBeGreaterThan(0);
    for (const t of after) expect(git(dir, 'merge-base', '--is-ancestor', kept!.commit!, t.commit!)).toBe('');
    expect(Math.min(...after.map((t) => t.score ?? Infinity))).toBeLessThan(0.1);
    // results.tsv: autoresearch's format, commit first.
    const tsv = fs.readFileSync(path.join(out, 'results.tsv'), 'utf8').split('\n');
    expect(tsv[0].split('\t')[0]).toBe('commit');
    expect(tsv.some((l) => l.startsWith(kept!.commit!.slice(0, 7)) && l.includes('keep'))).toBe(true);
    // No worktree is left behind.
    expect(git(dir, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 240_000);
});
