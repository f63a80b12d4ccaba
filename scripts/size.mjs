// Prints lines of TypeScript per package (sources and tests apart) and the number of
// primitives in core's closed table, so that growth is visible in every CI run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packagesDir = join(root, "packages");

/** All .ts files under `dir` (recursively), skipping dist and node_modules. */
function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((f) => !/[/\\](dist|node_modules)[/\\]/.test(f));
}

const countLines = (files) =>
  files.reduce(
    (n, f) =>
      n +
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.trim()).length,
    0,
  );
const isTest = (f) => /\.(test|spec)\.ts$/.test(f);

const rows = [];
for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  const srcFiles = tsFiles(join(dir, "src"));
  const src = srcFiles.filter((f) => !isTest(f));
  const tests = [...srcFiles.filter(isTest), ...tsFiles(join(dir, "test"))];
  rows.push([name, src.length, countLines(src), tests.length, countLines(tests)]);
}

const pad = (v, w) => String(v).padStart(w);
console.log("package            src files  src lines  test files  test lines");
for (const [name, sf, sl, tf, tl] of rows) {
  console.log(`${name.padEnd(18)} ${pad(sf, 9)} ${pad(sl, 10)} ${pad(tf, 11)} ${pad(tl, 11)}`);
}
const total = (i) => rows.reduce((n, r) => n + r[i], 0);
console.log(
  `${"total".padEnd(18)} ${pad(total(1), 9)} ${pad(total(2), 10)} ${pad(total(3), 11)} ${pad(total(4), 11)}`,
);

const primitiveFile = join(packagesDir, "core/src/primitives/primitive.ts");
if (existsSync(primitiveFile)) {
  const text = readFileSync(primitiveFile, "utf8");
  const body = /export enum Primitive \{([\s\S]*?)\n\}/.exec(text);
  const n = body ? body[1].split("\n").filter((l) => /^\s+\w+ = "/.test(l)).length : 0;
  console.log(`primitives: ${n}`);
} else {
  console.log("primitives: n/a");
}
