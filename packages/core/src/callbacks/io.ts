/**
 * Host output for callbacks and the trainer (Keras `utils/io_utils.print_msg` and `warnings`),
 * found by feature checks on `globalThis`: core compiles without DOM or Node types.
 */

interface HostConsole {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

interface HostStdout {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

function hostConsole(): HostConsole | undefined {
  return (globalThis as { console?: HostConsole }).console;
}

/** Node's `process.stdout`, when there is one. @example hostStdout()?.write("text"); */
export function hostStdout(): HostStdout | undefined {
  const out = (globalThis as { process?: { stdout?: HostStdout } }).process?.stdout;
  return out && typeof out.write === "function" ? out : undefined;
}

/** Prints a line: to stdout in Node, to the console elsewhere (Keras `io_utils.print_msg`). @example printMsg("Epoch 3: early stopping"); */
export function printMsg(message: string): void {
  const out = hostStdout();
  if (out) out.write(`${message}\n`);
  else hostConsole()?.log(message);
}

/** A user-facing warning (Keras `warnings.warn`). @example warn("Your input ran out of data"); */
export function warn(message: string): void {
  hostConsole()?.warn(message);
}
