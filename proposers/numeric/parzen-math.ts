// Normal-distribution maths for the Parzen estimators: erfc, log Φ, log of a Gaussian mass,
// the inverse CDF and truncated-normal sampling. Written for speed (no allocation) and for
// stability in the tails, where TPE's bucket masses for int and stepped dimensions live.
import type { Rng } from './rng.js';

export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT1_2 = Math.SQRT1_2;
const LN_HALF = Math.log(0.5);
/** A bucket narrower than this (in standard deviations, scaled by its distance from 0) uses the midpoint rule. */
const NARROW_BUCKET = 0.3;
/** Φ(−8.3) < 5.3e-17: below double precision next to 1. */
const TAIL_NEGLIGIBLE = 8.3;

/**
 * log erfc(z) for z >= 0, from the Chebyshev fit in Numerical Recipes (erfcc, relative error < 1.2e-7),
 * kept in log form so that it stays finite far into the tail.
 */
function logErfcPos(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  return (
    Math.log(t) -
    z * z -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
      t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  );
}

export function erfc(x: number): number {
  return x >= 0 ? Math.exp(logErfcPos(x)) : 2 - Math.exp(logErfcPos(-x));
}

/**
 * Φ(x) for x ≤ 0 from Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7 · e^(−x²/2)): one exp, no log.
 * Only used for the truncation mass of kernels whose centre lies inside the range (mass ≥ 0.3), where
 * that error is far below anything TPE can notice.
 */
function lowerTail(x: number): number {
  const z = -x * SQRT1_2;
  const t = 1 / (1 + 0.3275911 * z);
  return 0.5 * t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
}

/** Standard normal CDF. */
export function ndtr(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** log Φ(x), accurate in the left tail. */
export function logNdtr(x: number): number {
  if (x < 0) return LN_HALF + logErfcPos(-x * SQRT1_2);
  return Math.log1p(-0.5 * Math.exp(logErfcPos(x * SQRT1_2)));
}

/** log(Φ(b) − Φ(a)) for a < b, stable when both are deep in the same tail or the interval is narrow. */
export function logGaussMass(a: number, b: number): number {
  const w = b - a;
  if (!(w > 0)) return -Infinity;
  const m = 0.5 * (a + b);
  if (w * (Math.abs(m) + 1) < NARROW_BUCKET) {
    // Midpoint rule with its second-order correction: mass ≈ w φ(m) (1 + w² (m² − 1) / 24).
    return Math.log(w) - 0.5 * m * m - LOG_SQRT_2PI + Math.log1p((w * w * (m * m - 1)) / 24);
  }
  if (a >= 0) {
    // Right tail: mirror into the left tail.
    const t = a;
    a = -b;
    b = -t;
  }
  if (b <= 0) {
    const la = logNdtr(a);
    const lb = logNdtr(b);
    return lb + Math.log1p(-Math.exp(la - lb));
  }
  // a < 0 < b: 1 − Φ(a) − Φ(−b); a tail beyond 8.3σ holds less than 5e-17 and is skipped.
  const left = a < -TAIL_NEGLIGIBLE ? 0 : lowerTail(a);
  const right = b > TAIL_NEGLIGIBLE ? 0 : lowerTail(-b);
  return left === 0 && right === 0 ? 0 : Math.log1p(-left - right);
}

/** Inverse of the standard normal CDF (Wichura's AS241, about 1e-16 relative). */
export function ndtri(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
          133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
        42.313330701600911252) * r + 1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
        4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
        2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    x =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
        5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
        0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -x : x;
}

/**
 * One draw of N(mu, sigma²) truncated to [low, high], by inversion (as Optuna's _truncnorm.rvs).
 * The interval is mirrored into the left tail when it lies right of mu so Φ keeps its precision.
 */
export function sampleTruncNorm(rng: Rng, mu: number, sigma: number, low: number, high: number): number {
  if (!(high > low)) return low;
  let a = (low - mu) / sigma;
  let b = (high - mu) / sigma;
  const flip = a > 0;
  if (flip) {
    const t = a;
    a = -b;
    b = -t;
  }
  const pa = ndtr(a);
  const pb = ndtr(b);
  let z = ndtri(pa + rng.next() * (pb - pa));
  if (!(z >= a)) z = a;
  else if (!(z <= b)) z = b;
  const x = mu + sigma * (flip ? -z : z);
  return x < low ? low : x > high ? high : x;
}
