#!/usr/bin/env node
// The `remaster` executable (package.json "bin").
import { main } from './index';

main(process.argv.slice(2)).then(
  (code) => {
    // `serve` keeps running (code -1); every other command exits with its code.
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    process.stderr.write(String(e) + '\n');
    process.exitCode = 1;
  },
);
