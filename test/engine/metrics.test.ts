import { describe, expect, it } from 'vitest';
import { MAX_PARSED_CHARS, MAX_POINTS_PER_LINE, MetricParser, parseMetricNumber, type MetricPoint } from '../../src/metrics.js';

type P = [name: string, step: number, value: number];

interface Case {
  name: string;
  /** Lines fed in order to one fresh parser. */
  lines: string[];
  /** Every point produced by all lines, in order. */
  want: P[];
  pattern?: string;
  primary?: string;
}

const cases: Case[] = [
  // --- the helper's own format and plain key=value --------------------------------------------
  { name: 'helper line: step is the x-axis and not a metric', lines: ['step=12 val_loss=0.53 acc=0.81'], want: [['val_loss', 12, 0.53], ['acc', 12, 0.81]] },
  { name: 'spaces around =', lines: ['loss = 0.25  step = 3'], want: [['loss', 3, 0.25]] },
  { name: 'comma separated, no spaces', lines: ['loss=0.5,acc=0.75,step=7'], want: [['loss', 7, 0.5], ['acc', 7, 0.75]] },
  { name: 'keys with slash, dash, dot', lines: ['train/loss=1.5 val-acc=0.9 lr.group0=0.01'], want: [['train/loss', 1, 1.5], ['val-acc', 1, 0.9], ['lr.group0', 1, 0.01]] },
  { name: 'ints, floats, exponents, signs', lines: ['a=3 b=-2.5 c=1e-3 d=+4E+02 e=.5 f=7.'], want: [['a', 1, 3], ['b', 1, -2.5], ['c', 1, 0.001], ['d', 1, 400], ['e', 1, 0.5], ['f', 1, 7]] },
  { name: 'nan and infinities in any case', lines: ['a=nan b=NaN c=inf d=-inf e=+Infinity f=-INF'], want: [['a', 1, NaN], ['b', 1, NaN], ['c', 1, Infinity], ['d', 1, -Infinity], ['e', 1, Infinity], ['f', 1, -Infinity]] },
  { name: 'no step: n-th report of a metric is step n, counted per metric', lines: ['loss=3', 'loss=2 acc=0.1', 'loss=1'], want: [['loss', 1, 3], ['loss', 2, 2], ['acc', 1, 0.1], ['loss', 3, 1]] },
  { name: 'implicit steps continue after explicit ones (monotone)', lines: ['step=10 loss=3', 'loss=2'], want: [['loss', 10, 3], ['loss', 11, 2]] },
  { name: 'step 0 is a step', lines: ['step=0 loss=9'], want: [['loss', 0, 9]] },
  { name: 'iter, iteration, global_step and Step are step keys', lines: ['iter=5 a=1', 'iteration=6 a=2', 'global_step=7 a=3', 'Step: 8 a=4'], want: [['a', 5, 1], ['a', 6, 2], ['a', 7, 3], ['a', 8, 4]] },
  { name: 'a non-integer step is neither x-axis nor metric', lines: ['step=1.5 loss=2'], want: [['loss', 1, 2]] },
  { name: 'epoch is an ordinary metric', lines: ['epoch=2 step=40 loss=1.25'], want: [['epoch', 40, 2], ['loss', 40, 1.25]] },
  { name: 'duplicate key on one line: first wins', lines: ['loss=1 loss=2'], want: [['loss', 1, 1]] },
  { name: 'percent sign after the value', lines: ['acc=81.2% mfu: 39.8%'], want: [['acc', 1, 81.2], ['mfu', 1, 39.8]] },
  { name: 'values inside brackets and parentheses', lines: ['(loss=0.5) [acc=0.25] {f1=0.125}'], want: [['loss', 1, 0.5], ['acc', 1, 0.25], ['f1', 1, 0.125]] },

  // --- key: value -----------------------------------------------------------------------------
  {
    name: 'autoresearch train.py summary after ---',
    lines: [
      '---',
      'val_bpb:          0.997900',
      'training_seconds: 300.1',
      'total_seconds:    325.9',
      'peak_vram_mb:     45060.2',
      'mfu_percent:      39.80',
      'total_tokens_M:   499.6',
      'num_steps:        953',
      'num_params_M:     50.3',
      'depth:            8',
    ],
    want: [
      ['val_bpb', 1, 0.9979], ['training_seconds', 1, 300.1], ['total_seconds', 1, 325.9], ['peak_vram_mb', 1, 45060.2],
      ['mfu_percent', 1, 39.8], ['total_tokens_M', 1, 499.6], ['num_steps', 1, 953], ['num_params_M', 1, 50.3], ['depth', 1, 8],
    ],
  },
  {
    name: 'autoresearch \\r progress output: one report per segment, leading "step 00953" is the step, 1,234,567 and 314ms are skipped',
    lines: [
      '\rstep 00952 (99.9%) | loss: 3.200000 | lrm: 0.50 | dt: 314ms | tok/sec: 1,234,567 | mfu: 39.8% | epoch: 1 | remaining: 1s    ' +
        '\rstep 00953 (100.0%) | loss: 3.123456 | lrm: 0.25 | dt: 315ms | tok/sec: 1,230,001 | mfu: 39.7% | epoch: 1 | remaining: 0s    ',
    ],
    want: [
      ['loss', 952, 3.2], ['lrm', 952, 0.5], ['mfu', 952, 39.8], ['epoch', 952, 1],
      ['loss', 953, 3.123456], ['lrm', 953, 0.25], ['mfu', 953, 39.7], ['epoch', 953, 1],
    ],
  },
  { name: 'Keras progress line', lines: ['10/10 [==============================] - 1s 10ms/step - loss: 0.2500 - accuracy: 0.9000 - val_loss: 0.3000'], want: [['loss', 1, 0.25], ['accuracy', 1, 0.9], ['val_loss', 1, 0.3]] },
  { name: 'Hugging Face Trainer dict (quoted keys)', lines: ["{'loss': 0.5, 'learning_rate': 5e-05, 'epoch': 0.1}"], want: [['loss', 1, 0.5], ['learning_rate', 1, 0.00005], ['epoch', 1, 0.1]] },
  { name: 'compact JSON (quoted keys, no space after colon)', lines: ['{"step":3,"val_loss":0.75,"note":"x"}'], want: [['val_loss', 3, 0.75]] },
  { name: 'Python logging default format', lines: ['INFO:root:val_loss: 0.5', 'INFO:__main__:step=3 loss=0.25'], want: [['val_loss', 1, 0.5], ['loss', 3, 0.25]] },
  { name: 'tqdm postfix', lines: ['100%|██████████| 10/10 [00:01<00:00,  9.50it/s, loss=0.5, acc=0.875]'], want: [['loss', 1, 0.5], ['acc', 1, 0.875]] },
  { name: 'pipe separated with leading "iter 100"', lines: ['iter 100 | loss=2.5 | lr=3e-4'], want: [['loss', 100, 2.5], ['lr', 100, 0.0003]] },

  // --- things that are not metrics ------------------------------------------------------------
  { name: 'timestamps are not metrics', lines: ['[12:30:01] starting', '2024-01-05 12:30:01,123 INFO epoch done', 'elapsed=1:02:03'], want: [] },
  { name: 'URLs and host:port are not metrics', lines: ['serving on http://x:8080/path', 'connecting to localhost:8080', 'wandb: https://wandb.ai/u/p/runs/abc?x=1'], want: [] },
  { name: 'key: non-number is not a metric', lines: ['device: cuda', 'status: ok', 'flag=True', 'model: resnet50', 'val_bpb:disabled error=boom'], want: [] },
  { name: 'dates and versions are not values', lines: ['date=2024-01-05', 'version: 1.2.3', 'python: 3.11.7+'], want: [] },
  { name: 'number followed by a unit is not a value', lines: ['dt: 314ms', 'remaining: 0s', 'size=12MB'], want: [] },
  { name: 'thousands separators are not values', lines: ['tokens: 1,234,567'], want: [] },
  { name: 'command-line flags are not metrics', lines: ['running train.py --lr=0.1 --width=64'], want: [] },
  { name: 'words that begin with nan/inf are not values', lines: ['x=nanny y=information z=inf0'], want: [] },
  { name: 'a key must start with a letter', lines: ['3d=4 _ok=1'], want: [['_ok', 1, 1]] },
  { name: 'plain text and empty lines', lines: ['', '   ', 'Training complete.', 'loss went down'], want: [] },

  // --- nanoGPT ---------------------------------------------------------------------------------
  // Documented: phrases without a separator ("train loss 2.31") are not pairs, so the default parser
  // reads nothing from nanoGPT's eval line; use a pattern for it (next cases).
  { name: 'nanoGPT eval line with the default parser yields nothing', lines: ['step 100: train loss 2.3100, val loss 2.4000', 'iter 100: loss 2.3100, time 45.21ms, mfu 12.34%'], want: [] },
  {
    name: 'nanoGPT eval line with a pattern and a step group',
    pattern: String.raw`^step (?<step>\d+): train loss [\d.]+, val loss ([\d.]+)`,
    lines: ['step 0: train loss 4.2000, val loss 4.2500', 'iter 10: loss 3.9000, time 45.21ms', 'step 100: train loss 2.3100, val loss 2.4000'],
    want: [['val_loss', 0, 4.25], ['val_loss', 100, 2.4]],
  },

  // --- pattern mode ----------------------------------------------------------------------------
  { name: 'pattern without step: n-th match is step n; other pairs ignored', pattern: String.raw`val loss ([-\d.eE+naif]+)`, lines: ['val loss 2.5 acc=0.3', 'noise=1', 'val loss 2.25'], want: [['val_loss', 1, 2.5], ['val_loss', 2, 2.25]] },
  { name: 'pattern: step group written before the value group', pattern: String.raw`\[(?<step>\d+)\] score (\S+)`, primary: 'score', lines: ['[7] score 0.5'], want: [['score', 7, 0.5]] },
  { name: 'pattern: value equal to step text', pattern: String.raw`it (?<step>\d+) v (\d+)`, primary: 'v', lines: ['it 5 v 5'], want: [['v', 5, 5]] },
  { name: 'pattern: named value group and /flags/ form', pattern: String.raw`/PPL[:=]\s*(?<value>\S+)/i`, primary: 'ppl', lines: ['ppl: 12.5', 'PPL=nan', 'ppl: abc'], want: [['ppl', 1, 12.5], ['ppl', 2, NaN]] },
];

function pts(points: MetricPoint[]): P[] {
  return points.map((p) => [p.name, p.step, p.value]);
}

describe('MetricParser (table)', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
  for (const c of cases) {
    it(c.name, () => {
      const parser = new MetricParser({ primary: c.primary ?? 'val_loss', pattern: c.pattern });
      const got: P[] = [];
      for (const line of c.lines) got.push(...pts(parser.parse(line)));
      // toEqual treats NaN as equal to NaN, which is what we want here.
      expect(got).toEqual(c.want);
    });
  }
});

describe('MetricParser (behaviour)', () => {
  it('returns the same empty array for lines without metrics and it cannot be mutated', () => {
    const parser = new MetricParser({ primary: 'loss' });
    const a = parser.parse('hello');
    const b = parser.parse('note: nothing here');
    expect(a).toBe(b);
    expect(() => (a as MetricPoint[]).push({ name: 'x', step: 1, value: 1 })).toThrow();
  });

  it('reset() restarts the per-metric counters', () => {
    const parser = new MetricParser({ primary: 'loss' });
    parser.parse('loss=1');
    parser.parse('loss=2');
    parser.reset();
    expect(pts(parser.parse('loss=3'))).toEqual([['loss', 1, 3]]);
  });

  it('rejects an invalid pattern and a pattern without a value group with a clear message', () => {
    expect(() => new MetricParser({ primary: 'x', pattern: '(' })).toThrow(/metric.pattern is not a valid regular expression/);
    expect(() => new MetricParser({ primary: 'x', pattern: 'loss [0-9.]+' })).toThrow(/capture group/);
    expect(() => new MetricParser({ primary: 'x', pattern: String.raw`step (?<step>\d+)` })).toThrow(/capture group/);
  });

  it('parses number tokens', () => {
    expect(parseMetricNumber('1e3')).toBe(1000);
    expect(parseMetricNumber('-inf')).toBe(-Infinity);
    expect(parseMetricNumber('NaN')).toBeNaN();
    expect(parseMetricNumber('0x10')).toBeNull();
    expect(parseMetricNumber('')).toBeNull();
    expect(parseMetricNumber('abc')).toBeNull();
    expect(parseMetricNumber('nanx')).toBeNull();
  });

  it('handles a long chatty stream quickly', () => {
    const parser = new MetricParser({ primary: 'loss' });
    const lines = ['step=12 val_loss=0.53 acc=0.81', 'INFO loading shard 12 of 40 from /data/x', 'plain text', 'val_bpb:          0.997900'];
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < 200_000; i++) n += parser.parse(lines[i & 3]).length;
    const ms = performance.now() - t0;
    expect(n).toBe(150_000);
    // ~0.4 µs a line on the dev machine; the bound only catches a pathological regression.
    expect(ms).toBeLessThan(5_000);
  });

  // Hostile shapes (issue 7 item 17): the work per line is bounded and linear in its length.
  it('reads at most MAX_POINTS_PER_LINE metrics from a line, the first of a repeated key winning', () => {
    const parser = new MetricParser({ primary: 'k0' });
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}=${i}`);
    const got = parser.parse([...keys, 'k5=-1', 'k999=-1'].join(' '));
    expect(MAX_POINTS_PER_LINE).toBeGreaterThanOrEqual(64);
    expect(got).toHaveLength(MAX_POINTS_PER_LINE);
    expect(got.map((p) => p.name)).toEqual(keys.slice(0, MAX_POINTS_PER_LINE).map((k) => k.split('=')[0]));
    expect(got[5].value).toBe(5);
    // Past the small-list threshold the duplicate check still holds.
    const dup = parser.parse([...keys.slice(0, 40), 'k3=-1', 'k39=-1', 'late=1'].join(' '));
    expect(dup.map((p) => p.name)).toEqual([...keys.slice(0, 40).map((k) => k.split('=')[0]), 'late']);
    expect(dup[39].value).toBe(39);
  });

  it('reads only the first MAX_PARSED_CHARS of a line and never a number cut at that point', () => {
    const parser = new MetricParser({ primary: 'loss' });
    const pad = 'x'.repeat(MAX_PARSED_CHARS);
    expect(pts(parser.parse(`acc=1 ${pad} loss=2`))).toEqual([['acc', 1, 1]]);
    // A value straddling the limit is dropped, not read as its first digits.
    const head = 'y'.repeat(MAX_PARSED_CHARS - 'loss=0.12'.length);
    expect(parser.parse(`${head.slice(0, -1)} loss=0.123456`)).toHaveLength(0);
    const patterned = new MetricParser({ primary: 'loss', pattern: String.raw`loss=([\d.]+)` });
    expect(patterned.parse(`${head.slice(0, -1)} loss=0.123456`)).toHaveLength(0);
    // A line just within the limit is read whole.
    expect(pts(parser.parse(`${'z'.repeat(MAX_PARSED_CHARS - 12)} loss=0.25`))).toEqual([['loss', 1, 0.25]]);
  });

  it('rejects long unterminated runs of digits in time linear in their length', () => {
    const parser = new MetricParser({ primary: 'loss' });
    const n = MAX_PARSED_CHARS - 10;
    const shapes = [`loss=${'1'.repeat(n)}x`, `loss: ${'1'.repeat(n)}x`, `loss=1.${'1'.repeat(n)}x`, `loss=1e${'1'.repeat(n)}x`, `'loss': ${'9'.repeat(n)}x`];
    const t0 = performance.now();
    for (let rep = 0; rep < 4; rep++) for (const line of shapes) expect(parser.parse(line)).toHaveLength(0);
    // Linear: about a millisecond for all 20 lines. Quadratic backtracking took over a second per
    // line here (16k digits: 0.3-1.3 s), so this bound cannot be met by the old parser on any machine
    // and leaves three orders of magnitude of slack for a slow one.
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(pts(parser.parse(`loss=${'1'.repeat(20)} acc=2`))).toEqual([['loss', 1, 11111111111111111111], ['acc', 1, 2]]);
  });
});
