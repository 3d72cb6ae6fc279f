// The pieces of a Parzen estimator that Optuna defines one by one (optuna/samplers/_tpe/
// parzen_estimator.py and sampler.py): observation weights, per-dimension bandwidths (with the magic
// clip), categorical kernel weights. Pure functions, table-tested in test/proposers/numeric/.

/** Optuna's default_weights: trials older than the newest 25 get linearly lower weights. */
export const FLAT_WEIGHT_TRIALS = 25;
/** Magic clip: no kernel narrower than range / min(100, 1 + kernels). */
const MAGIC_CLIP_MAX_KERNELS = 100;

/** Optuna's default_weights(n). */
export function defaultWeights(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
  if (n < FLAT_WEIGHT_TRIALS) {
    out.fill(1, 0, n);
    return out;
  }
  const ramp = n - FLAT_WEIGHT_TRIALS;
  // numpy.linspace(1/n, 1, num=ramp)
  const start = 1 / n;
  for (let i = 0; i < ramp; i++) out[i] = ramp === 1 ? start : start + ((1 - start) * i) / (ramp - 1);
  out.fill(1, ramp, n);
  return out;
}

export interface ParzenOptions {
  priorWeight: number;
  multivariate: boolean;
  considerEndpoints: boolean;
  magicClip: boolean;
}

/**
 * Stable argsort of the first n values, all in [lo, hi], by a 32-bit key (the position in the range):
 * an LSD radix sort, 4 passes of 8 bits, several times faster than sorting doubles for TPE's sizes.
 * Values closer than 2.3e-10 of the range may come out in input order, which only moves a bandwidth
 * by that much (and the magic clip is range / 100).
 */
export function argsortInRange(values: Float64Array, n: number, lo: number, hi: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  if (scratchKeys.length < n) {
    const cap = Math.max(n, 2 * scratchKeys.length);
    scratchKeys = new Uint32Array(cap);
    scratchKeys2 = new Uint32Array(cap);
    scratchIdx = new Uint32Array(cap);
  }
  let keys = scratchKeys;
  let keys2 = scratchKeys2;
  let idx = out;
  let idx2 = scratchIdx;
  const scale = hi > lo ? 4294967295 / (hi - lo) : 0;
  const hist = scratchHist;
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const k = (values[i] - lo) * scale;
    const key = k <= 0 ? 0 : k >= 4294967295 ? 4294967295 : k >>> 0;
    keys[i] = key;
    idx[i] = i;
    hist[key & 255]++;
    hist[256 + ((key >>> 8) & 255)]++;
    hist[512 + ((key >>> 16) & 255)]++;
    hist[768 + (key >>> 24)]++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const h = pass * 256;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = hist[h + b];
      hist[h + b] = sum;
      sum += c;
    }
    const shift = pass * 8;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const pos = hist[h + ((key >>> shift) & 255)]++;
      keys2[pos] = key;
      idx2[pos] = idx[i];
    }
    let t = keys;
    keys = keys2;
    keys2 = t;
    t = idx;
    idx = idx2;
    idx2 = t;
  }
  // After an even number of passes the result is back in `out`.
  return out;
}

let scratchKeys = new Uint32Array(256);
let scratchKeys2 = new Uint32Array(256);
let scratchIdx = new Uint32Array(256);
const scratchHist = new Uint32Array(1024);

/**
 * Bandwidths of one numeric dimension (compute_sigmas in Optuna's newest parzen_estimator.py, used for
 * independent and multivariate TPE alike): the larger gap to a neighbouring observation or to an end of
 * the range, the outermost kernels one-sided (unless consider_endpoints), clipped to
 * [range / min(100, 1 + kernels), range]. Returns the observations' order by value and their
 * bandwidths in that order.
 */
export function sortedUnivariateKernels(
  values: Float64Array,
  n: number,
  lo: number,
  hi: number,
  options: Pick<ParzenOptions, 'considerEndpoints' | 'magicClip'>,
): { order: Uint32Array; sigmas: Float64Array } {
  const order = argsortInRange(values, n, lo, hi);
  const ext = new Float64Array(n + 2);
  ext[0] = lo;
  for (let p = 0; p < n; p++) ext[p + 1] = values[order[p]];
  ext[n + 1] = hi;
  const sigmas = new Float64Array(n);
  const oneSided = !options.considerEndpoints && n >= 2;
  for (let p = 1; p <= n; p++) {
    let s: number;
    if (oneSided && p === 1) s = ext[2] - ext[1];
    else if (oneSided && p === n) s = ext[n] - ext[n - 1];
    else s = Math.max(ext[p] - ext[p - 1], ext[p + 1] - ext[p]);
    sigmas[p - 1] = s;
  }
  clipSigmas(sigmas, hi - lo, n + 1, options.magicClip);
  return { order, sigmas };
}

/** The bandwidths of sortedUnivariateKernels in the observations' own order (for tests). */
export function univariateSigmas(values: Float64Array, lo: number, hi: number, options: Pick<ParzenOptions, 'considerEndpoints' | 'magicClip'>): Float64Array {
  const { order, sigmas } = sortedUnivariateKernels(values, values.length, lo, hi, options);
  const out = new Float64Array(values.length);
  for (let k = 0; k < order.length; k++) out[order[k]] = sigmas[k];
  return out;
}

function clipSigmas(sigmas: Float64Array, range: number, nKernels: number, magicClip: boolean): void {
  const minSigma = magicClip ? range / Math.min(MAGIC_CLIP_MAX_KERNELS, 1 + nKernels) : 1e-12;
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i];
    sigmas[i] = s < minSigma ? minSigma : s > range ? range : s;
  }
}

/** Categorical kernel weights of an observation kernel: its own choice and any other choice. */
export function categoricalKernelWeights(nObs: number, nChoices: number, priorWeight: number): { hit: number; miss: number } {
  const nKernels = nObs + 1;
  const base = priorWeight / nKernels;
  const total = base * nChoices + 1;
  return { hit: (base + 1) / total, miss: base / total };
}
