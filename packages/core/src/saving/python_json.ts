/**
 * JSON as Python's `json.dumps` / `json.loads` write and read it, for config.json,
 * metadata.json and `model.toJSON()`.
 *
 * Keras writes its files with `json.dumps(obj)`: separators `", "` and `": "`, non-ASCII
 * characters escaped as `\uXXXX`, floats in Python's `repr` form (`1e-07`, not `1e-7`), and the
 * non-standard tokens `NaN`, `Infinity`, `-Infinity`. Writing the same text keeps our files
 * byte-comparable with Keras' (except that JavaScript cannot tell `1.0` from `1`: whole numbers
 * are written as integers, which Python reads back as equal). Reading accepts those tokens.
 */

/** Python `repr(float)` for a finite, non-integer number (or a huge integer-valued one). */
function pythonFloat(x: number): string {
  // toExponential() with no argument gives the shortest digits that round-trip, like repr.
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let out: string;
  if (exp < -4 || exp >= 16) {
    // Python: d.ddde[+-]XX with at least two exponent digits.
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    out = `${m}e${exp < 0 ? "-" : "+"}${e}`;
  } else if (exp >= digits.length - 1) {
    out = `${digits}${"0".repeat(exp - digits.length + 1)}.0`;
  } else if (exp >= 0) {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${out}` : out;
}

function pythonNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return Object.is(x, -0) ? "-0.0" : String(x);
  return pythonFloat(x);
}

function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * Python `json.dumps(value)` (default arguments): `{"a": 1, "b": [1.5, null]}`.
 * @example pythonJsonDumps({ epsilon: 1e-7, units: 32 }) // '{"epsilon": 1e-07, "units": 32}'
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(`${pythonString(k)}: ${pythonJsonDumps(v)}`);
    }
    return `{${parts.join(", ")}}`;
  }
  throw new TypeError(`pythonJsonDumps: cannot serialize a ${typeof value}. Received: ${String(value)}`);
}

/**
 * `JSON.parse` that also accepts Python's `NaN`, `Infinity` and `-Infinity` tokens.
 * Throws SyntaxError on invalid JSON.
 * @example pythonJsonLoads('{"min": -Infinity}') // { min: -Infinity }
 */
export function pythonJsonLoads(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  // Replace the bare tokens (outside strings) by sentinel strings, then map them back.
  const SENT = "\u0000webkeras-nonfinite:";
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith("NaN", i)) {
      out += JSON.stringify(SENT + "NaN");
      i += 3;
    } else if (text.startsWith("-Infinity", i)) {
      out += JSON.stringify(SENT + "-Infinity");
      i += 9;
    } else if (text.startsWith("Infinity", i)) {
      out += JSON.stringify(SENT + "Infinity");
      i += 8;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out, (_k, v: unknown) =>
    typeof v === "string" && v.startsWith(SENT) ? Number(v.slice(SENT.length)) : v,
  );
}
