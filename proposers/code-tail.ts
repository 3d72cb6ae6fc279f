// A failed trial's output as the model reads it: thousands of repeated lines and progress bars
// confuse a model and waste its context, so runs of lines that differ only in their numbers are
// collapsed to the first and last with a count, progress bars keep their final state, and only the
// last few lines stay. Pure.

/** A progress bar: tqdm-style "45%|████▌ | 9/20", "[=====>   ]", or a line of bar characters. */
const BAR = /(\d+%\s*\|)|(\[[=#>.\- ]{5,}\])|([█▉▊▋▌▍▎▏▓▒░#]{5,})/;

/** The line with its numbers masked: "step 17 loss 0.31" and "step 18 loss 0.29" are alike. */
const shape = (line: string): string => line.replace(/[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi, '#');

/** What a terminal would show of a line rewritten with carriage returns: its last part. */
function lastFrame(line: string): string {
  const parts = line.split('\r').filter((p) => p.trim() !== '');
  return (parts[parts.length - 1] ?? '').trimEnd();
}

export function collapseOutput(text: string, maxLines: number): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n').map(lastFrame).filter((l) => l.trim() !== '');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    // A run of progress bars keeps only its last state.
    if (BAR.test(lines[i])) {
      let j = i;
      while (j + 1 < lines.length && BAR.test(lines[j + 1])) j++;
      out.push(lines[j]);
      i = j + 1;
      continue;
    }
    const key = shape(lines[i]);
    let j = i;
    while (j + 1 < lines.length && shape(lines[j + 1]) === key) j++;
    const n = j - i + 1;
    if (n === 1) out.push(lines[i]);
    else if (n === 2) out.push(lines[i], lines[j]);
    else out.push(lines[i], `… (${n - 2} similar lines)`, lines[j]);
    i = j + 1;
  }
  return out.slice(-Math.max(1, maxLines)).join('\n');
}
