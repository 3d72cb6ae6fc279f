#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('nightshift: the compiled CLI is missing (dist/src/cli.js). Run `npm install` (or `npm run build`) in the nightshift checkout first.\n');
  process.exit(1);
}
// React's development build costs several times more per frame; the TUI runs the production one.
process.env.NODE_ENV ??= 'production';
const { main } = await import(entry.href);
process.exit(await main(process.argv.slice(2)));
