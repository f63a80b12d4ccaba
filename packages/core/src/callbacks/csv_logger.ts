/**
 * CSVLogger (Keras `keras.callbacks.CSVLogger`): writes each epoch's logs as a CSV row, in the
 * format Keras writes (Python's csv "excel" dialect: `\r\n` line ends, values as Python prints
 * floats, "NA" for missing keys).
 *
 * The destination is a file name (Node only: written with `node:fs`, loaded on first use so
 * browsers never import it) or a sink function that receives the text chunk by chunk (anywhere).
 */
import { ValueError, fmt } from "../errors";
import { Callback, type Logs } from "./callback";

export interface CSVLoggerOptions {
  /** Column separator. Default ",". */
  separator?: string;
  /** Append to an existing file (no header if it is not empty). Default false. */
  append?: boolean;
}

/** The slice of Node's `fs/promises` used here (core has no Node types). */
interface FsPromises {
  readFile(path: string, encoding: string): Promise<string>;
  writeFile(path: string, data: string, options?: { flag?: string }): Promise<void>;
  appendFile(path: string, data: string): Promise<void>;
}

async function nodeFs(): Promise<FsPromises> {
  const specifier = "node:fs";
  try {
    const fs = (await import(/* @vite-ignore */ specifier)) as { promises: FsPromises };
    return fs.promises;
  } catch (err) {
    throw new ValueError(`CSVLogger: writing to a file needs Node's fs; in a browser pass a function that receives the text. Received: ${(err as Error).message}`);
  }
}

/** Python's csv quoting for one field (QUOTE_MINIMAL). */
function quote(field: string, sep: string): string {
  return field.includes(sep) || field.includes('"') || field.includes("\n") || field.includes("\r") ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A value as Python's `str` writes it to the CSV (`1.0`, not `1`; `nan`, `inf`). */
function pyStr(v: unknown): string {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    const a = Math.abs(v);
    // Python's repr switches to exponent notation below 1e-4 and from 1e16, with 2+ exponent digits.
    if (a !== 0 && (a < 1e-4 || a >= 1e16)) return v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  }
  if (Array.isArray(v)) return `[${v.map(pyStr).join(", ")}]`;
  return String(v);
}

/**
 * @example
 * await model.fit(x, y, { epochs: 5, callbacks: [new keras.callbacks.CSVLogger("training.log")] });
 * // in a browser: new keras.callbacks.CSVLogger((text) => (csv += text))
 */
export class CSVLogger extends Callback {
  readonly filename: string | null;
  readonly sink: ((text: string) => void | Promise<void>) | null;
  readonly sep: string;
  readonly append: boolean;
  keys: string[] | null = null;
  private appendHeader = true;
  private fs: FsPromises | null = null;
  private headerWritten = false;

  constructor(filename: string | ((text: string) => void | Promise<void>), options: CSVLoggerOptions = {}) {
    super();
    if (typeof filename === "string") {
      this.filename = filename;
      this.sink = null;
    } else if (typeof filename === "function") {
      this.filename = null;
      this.sink = filename;
    } else throw new ValueError(`CSVLogger: expected a file name or a function receiving the text. Received: filename=${fmt(filename)}`);
    this.sep = options.separator ?? ",";
    this.append = options.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    this.headerWritten = false;
    this.appendHeader = true;
    if (this.filename === null) return;
    this.fs = await nodeFs();
    if (this.append) {
      let existing = "";
      try {
        existing = await this.fs.readFile(this.filename, "utf8");
      } catch {
        existing = "";
      }
      this.appendHeader = existing.split(/\r?\n/)[0]!.length === 0;
    } else await this.fs.writeFile(this.filename, "");
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      // With validationFreq > 1 the first epoch has no val_ keys: add them to the header.
      if (!this.keys.some((k) => k.startsWith("val_"))) this.keys.push(...this.keys.map((k) => `val_${k}`));
    }
    let text = "";
    if (!this.headerWritten) {
      this.headerWritten = true;
      if (this.appendHeader) text += ["epoch", ...this.keys].map((f) => quote(f, this.sep)).join(this.sep) + "\r\n";
    }
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? pyStr(logs[k]) : "NA"))];
    text += row.map((f) => quote(f, this.sep)).join(this.sep) + "\r\n";
    await this.write(text);
  }

  private async write(text: string): Promise<void> {
    if (this.sink) await this.sink(text);
    else await this.fs!.appendFile(this.filename!, text);
  }
}
