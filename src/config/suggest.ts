/** "Did you mean" for unknown keys, rule ids and setting names. */
import { distance } from 'fastest-levenshtein';

/**
 * The closest candidate, if it is close enough to be a plausible typo:
 * at most a third of the word's length away (and at least 2 edits allowed).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;

  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }

  const allowed = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}
