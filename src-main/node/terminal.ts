// The one way main-side code writes a line for the terminal. Under the test runner (REMASTER_TEST=1) lines are
// held back, so a passing run's output is only results; a process that exits with a failure prints the lines it
// held (the last 200) as it exits, so a failing test still shows them.
const heldForTests: string[] | null = process.env.REMASTER_TEST === '1' ? [] : null;
if (heldForTests) {
  process.once('exit', (code) => {
    if ((code || process.exitCode) && heldForTests.length) process.stderr.write(heldForTests.join(''));
  });
}

/** Writes `line` (a newline added when missing) to stderr, or holds it under the test runner. */
export function writeToTerminal(line: string): void {
  const text = line.endsWith('\n') ? line : line + '\n';
  if (!heldForTests) {
    process.stderr.write(text);
    return;
  }
  heldForTests.push(text);
  if (heldForTests.length > 200) heldForTests.shift();
}
