// Renders a family's results as a Markdown section and writes it into RESULTS.md between
// `<!-- section:ID -->` and `<!-- /section:ID -->`, replacing that family's previous section in
// place (or appending it), so that runs of other families leave each other's sections alone.
// Tables are padded as Prettier pads them, so that `prettier --check` accepts the file as is.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { pairedSpeedup } from "./harness.mjs";

/** CPU model, logical cores, Node version, OS: where the numbers come from. */
export function machineInfo() {
  let model = os.cpus()[0]?.model?.trim() || "unknown CPU";
  let flags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() || model;
    const f = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? [];
    flags = ["avx2", "fma", "avx512f"].filter((x) => f.includes(x)).join(", ");
  } catch {
    // not Linux: os.cpus() is all there is
  }
  return {
    cpu: model,
    flags,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** `abc1234` (+ "dirty" when the tree has changes), or "unknown" outside git. */
export function gitRevision(cwd) {
  try {
    const git = (...args) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
    // RESULTS.md itself is left out: a run of several families rewrites it as it goes.
    const dirty = git("status", "--porcelain", "--", ":/", ":(top,exclude)bench/RESULTS.md");
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

/** Three significant figures, no exponent: 0.0123, 1.23, 12.3, 123, 1234. */
export function fmtNum(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  if (x >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/**
 * A Markdown table padded as Prettier pads it. `align`: "l" or "r" per column.
 * @example table(["a", "b"], [["1", "2"]], ["l", "r"])
 */
export function table(head, rows, align) {
  const cols = head.map((_, j) => Math.max(3, ...[head, ...rows].map((r) => String(r[j]).length)));
  const cell = (s, j) =>
    align[j] === "r" ? String(s).padStart(cols[j]) : String(s).padEnd(cols[j]);
  const line = (r) => `| ${r.map(cell).join(" | ")} |`;
  const rule = cols.map((w, j) => (align[j] === "r" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(head), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}

/**
 * One family's section body (without the markers).
 * @param {object} run { family, machine, date, revision, opts, contenders, rows, command }
 */
export function renderSection(run) {
  const { family, machine, contenders, rows } = run;
  const names = contenders.map((c) => c.name);
  const peers = family.peers.filter((p) => names.includes(p));
  const { peer: tPeer, factor } = family.target;
  // `target.cases`: per-case factors where the issue asks more of some cases than `factor`.
  // A factor of null: the issue sets no target on that case (shown as "-", not counted).
  const perCase = family.target.cases ?? {};
  const factorOf = (id) => (id in perCase ? perCase[id] : factor);
  const mixed = rows.some((row) => factorOf(row.case.id) !== factor);
  // `target.also`: further targets against other peers on some cases, e.g. 1x jax-js on matmul.
  const also = (family.target.also ?? []).filter((a) => names.includes(a.peer));
  const median = (row, n) => row.results[n]?.stats?.median ?? null;
  const out = [];
  out.push(`## ${family.title}: ${names.join(" vs ")}`, "");
  out.push(
    `Run on ${run.date} at revision ${run.revision}, \`${run.command}\`.`,
    `Machine: ${machine.cpu}${machine.flags ? ` (${machine.flags})` : ""}, ${machine.cores} logical` +
      ` cores, ${machine.memGiB} GiB; Node ${machine.node}; ${machine.os}.`,
    `Contenders: ${contenders.map((c) => `${c.name} (${c.versions.join(", ")})`).join("; ")}.`,
    `Load average (1 min) at start ${run.load[0].toFixed(1)}, at end ${run.load[1].toFixed(1)}` +
      ` (${machine.cores} cores: above that, other processes competed for the CPU).`,
    `Per case: ${run.opts.warmup} warmup rounds, then ${run.opts.minRuns} to ${run.opts.maxRuns} timed` +
      ` rounds (about ${run.opts.budgetMs / 1000} s), contenders interleaved; each run reads its` +
      " outputs back. Times are milliseconds per run.",
    "",
  );
  for (const c of run.unavailable ?? []) out.push(`- ${c.name} unavailable: ${c.error}`);
  if (run.unavailable?.length) out.push("");

  // Summary: medians, speedups, target, GFLOP/s.
  const head = [
    "case",
    ...names.map((n) => `${n} median`),
    ...peers.map((p) => `speedup vs ${p}`),
    mixed ? `target vs ${tPeer}` : `${factor}x ${tPeer}`,
    ...also.map((a) => `${a.factor}x ${a.peer}`),
    ...names.map((n) => `${n} GFLOP/s`),
  ];
  const align = head.map((_, j) => (j === 0 ? "l" : "r"));
  let met = 0;
  const missed = [];
  const unmeasured = [];
  const body = rows.map((row) => {
    const s = median(row, family.subject);
    const ratio = (p) => (s && median(row, p) ? median(row, p) / s : null);
    const t = ratio(tPeer);
    const f = factorOf(row.case.id);
    // A peer that could not run the case (t === null) leaves its target unmeasured, not missed.
    if (f !== null && t !== null) {
      if (t >= f) met++;
      else missed.push(row.case.id);
    } else if (f !== null) unmeasured.push(row.case.id);
    const alsoCells = also.map((a) => {
      if (!a.cases.includes(row.case.id)) return "-";
      const r = ratio(a.peer);
      if (r === null) {
        unmeasured.push(`${row.case.id} (vs ${a.peer})`);
        return "n/a";
      }
      if (r !== null && r >= a.factor) {
        met++;
        return "met";
      }
      missed.push(`${row.case.id} (vs ${a.peer})`);
      return "missed";
    });
    const agree = names.some((n) => row.results[n]?.check && !row.results[n].check.ok);
    return [
      `${row.case.title}${agree ? " (OUTPUTS DISAGREE)" : ""}`,
      ...names.map((n) => fmtNum(median(row, n))),
      ...peers.map((p) => (ratio(p) === null ? "-" : `${fmtNum(ratio(p))}x`)),
      f === null ? "-" : t === null ? "n/a" : `${t >= f ? "met" : "missed"}${mixed ? ` (${f}x)` : ""}`,
      ...alsoCells,
      ...names.map((n) =>
        row.case.flops && median(row, n) ? fmtNum(row.case.flops / median(row, n) / 1e6) : "-",
      ),
    ];
  });
  out.push(table(head, body, align), "");
  const onCases = (f) => rows.filter((r) => factorOf(r.case.id) === f).map((r) => r.case.id);
  const targets = [
    ...new Set(rows.map((r) => factorOf(r.case.id))),
  ].map((f) => (f === null ? `none on ${onCases(f).join(", ")}` : `${f}x ${tPeer}${mixed ? ` on ${onCases(f).join(", ")}` : ""}`));
  for (const a of also) targets.push(`${a.factor}x ${a.peer} on ${a.cases.join(", ")}`);
  out.push(
    `Speedup = ${peers.length ? "peer" : "the peer's"} median / ${family.subject} median.` +
      ` Targets (${targets.join("; ")}): met ${met} of ${met + missed.length}` +
      `${missed.length ? `; missed: ${missed.join(", ")}` : ""}` +
      `${unmeasured.length ? `; not measured (the peer could not run it): ${unmeasured.join(", ")}` : ""}.`,
    "",
  );

  // Details: spread, agreement, live tensors.
  const dHead = [
    "case",
    "contender",
    "median",
    "min",
    "p90",
    "runs",
    "paired speedup",
    "check",
    "live tensors",
  ];
  const dRows = [];
  for (const row of rows) {
    for (const n of names) {
      const r = row.results[n];
      if (!r) continue;
      const st = r.stats;
      const check = r.check
        ? `${r.check.ok ? "ok" : "DISAGREES"} vs ${r.check.vs} (max err ${r.check.maxAbsErr.toExponential(1)})`
        : n === family.reference && st
          ? "reference"
          : "-";
      const l = r.live;
      const liveText =
        l.afterWarmup === undefined
          ? "-"
          : `${l.afterWarmup} -> ${l.afterRuns}${l.afterWarmup === l.afterRuns ? " (stable)" : " (GROWS)"}`;
      dRows.push([
        row.case.id,
        n,
        st ? fmtNum(st.median) : r.error ? `error: ${r.error}`.replaceAll("|", "\\|") : "-",
        st ? fmtNum(st.min) : "-",
        st ? fmtNum(st.p90) : "-",
        st ? st.runs : "-",
        n === family.subject || !st || !row.results[family.subject]?.stats
          ? "-"
          : `${fmtNum(pairedSpeedup(row.results[family.subject].times, r.times))}x`,
        check,
        liveText,
      ]);
    }
  }
  out.push(table(dHead, dRows, ["l", "l", "r", "r", "r", "r", "r", "l", "l"]), "");
  out.push(
    `Paired speedup: median over rounds of the peer's time / ${family.subject}'s time in the same` +
      " round; it moves less than the ratio of medians when the machine is busy.",
    "Live tensors: the library's own count after warmup -> after the timed runs (the case's" +
      " inputs included); equal means nothing leaks per run.",
  );
  return out.join("\n");
}

const HEADER = `# webkeras benchmark results

Written by \`pnpm bench\` (see [README.md](README.md)). Each section holds the latest run of one
backend family and is replaced in place by the next run of that family.
`;

/** Replaces (or appends) the section `id` of the Markdown file at `path` with `body`. */
export function writeSection(path, id, body) {
  const open = `<!-- section:${id} -->`;
  const close = `<!-- /section:${id} -->`;
  const block = `${open}\n\n${body.trim()}\n\n${close}`;
  let text = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const i = text.indexOf(open);
  const j = text.indexOf(close);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + close.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text.endsWith("\n") ? text : `${text}\n`);
}
