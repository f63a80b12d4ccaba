/**
 * `model.summary()`: the same table Keras 3 prints (keras/src/utils/summary_utils.py rendered by
 * rich with `show_lines=True`), character for character for plain-text output: column widths
 * from Keras' positions, shrunk to the line length with rich's `ratio_reduce`, words wrapped
 * greedily inside cells.
 */
import { ValueError, fmt } from "../errors";
import { Layer } from "../layers/layer";
import type { Node, Operation } from "../symbolic/node";
import type { Model } from "./model";
import type { Functional } from "./functional";
import type { Variable } from "../variables/variable";

export interface SummaryOptions {
  /** Total width of the table (default 88, or 108 for non-sequential graphs). */
  lineLength?: number;
  /** Relative column positions (default Keras': [0.45, 0.8, 1] or [0.3, 0.56, 0.74, 1]). */
  positions?: number[];
  /** Called with the whole summary text (default console.log). */
  printFn?: (text: string) => void;
  expandNested?: boolean;
  showTrainable?: boolean;
}

/** Python's round(): halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** rich's `ratio_reduce`. */
function ratioReduce(total: number, ratios: number[], maximums: number[], values: number[]): number[] {
  ratios = ratios.map((r, i) => (maximums[i] ? r : 0));
  let totalRatio = ratios.reduce((a, b) => a + b, 0);
  if (!totalRatio) return [...values];
  let remaining = total;
  return values.map((v, i) => {
    const r = ratios[i]!;
    if (r && totalRatio > 0) {
      const d = Math.min(maximums[i]!, roundHalfEven((r * remaining) / totalRatio));
      remaining -= d;
      totalRatio -= r;
      return v - d;
    }
    return v;
  });
}

/** Greedy word wrap as rich does for a cell; over-long words are folded. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(" ")) {
      let w = word;
      if (line && (line + " " + w).length <= width) {
        line += " " + w;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      while (w.length > width) {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
      line = w;
    }
    lines.push(line);
  }
  return lines;
}

/** Keras' `format_shape`: "(None, 32)"; a rank-1 shape prints as "(None)". */
function formatShape(s: readonly (number | null)[]): string {
  return `(${s.map((d) => (d === null ? "None" : String(d))).join(", ")})`;
}

function outputShape(op: Operation, relevant: Node[]): string {
  const nodes = op instanceof Layer ? op.inboundNodes : relevant.filter((n) => n.operation === op);
  if (nodes.length > 0) {
    const outs = nodes[nodes.length - 1]!.outputs;
    return outs.length === 1 ? formatShape(outs[0]!.shape) : `[${outs.map((o) => formatShape(o.shape)).join(", ")}]`;
  }
  if (op instanceof Layer && op.built && op.buildInputShape !== null) {
    try {
      const out = op.computeOutputShape(op.buildInputShape);
      const isShape = (x: unknown) => Array.isArray(x) && x.every((d) => d === null || typeof d === "number");
      if (isShape(out)) return formatShape(out as number[]);
      return fmt(out);
    } catch {
      return "?";
    }
  }
  return "?";
}

function paramsOf(ws: Variable[]): [number, number] {
  const unique = [...new Set(ws)];
  const count = unique.reduce((n, w) => n + w.size, 0);
  const bytes = unique.reduce((n, w) => n + w.size * (w.dtype === "bool" ? 1 : 4), 0);
  return [count, bytes];
}

function readableSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  for (const u of units) {
    if (bytes / 1024 < 1) return `${bytes.toFixed(2)} ${u}`;
    bytes /= 1024;
  }
  return `${bytes.toFixed(2)} PB`;
}

const thousands = (n: number): string => n.toLocaleString("en-US");

/** Renders the summary text of `model` (Keras `model.summary()`). */
export function summaryText(model: Model, options: SummaryOptions = {}): string {
  let ops: Operation[];
  let sequentialLike = true;
  let relevant: Node[] = [];
  // Duck-typed: importing Functional here would make a module cycle (Functional extends Model).
  if ("nodesByDepth" in model && "operations" in model) {
    const fn = model as unknown as Functional;
    ops = fn.operations;
    relevant = fn.nodes;
    // Keras: not sequential-like if some depth has several nodes, a node has several inputs,
    // or a layer is used at several nodes of the graph.
    for (const group of fn.nodesByDepth) {
      if (group.length > 1 || (group.length === 1 && group[0]!.inputs.length > 1)) {
        sequentialLike = false;
        break;
      }
    }
    if (sequentialLike)
      for (const l of fn.layers) if (l.inboundNodes.filter((n) => relevant.includes(n)).length > 1) sequentialLike = false;
  } else {
    ops = model.layers;
  }
  const showTrainable = options.showTrainable ?? false;
  let lineLength = options.lineLength ?? (sequentialLike ? 88 : 108);
  let positions = options.positions ?? (sequentialLike ? [0.45, 0.8, 1.0] : [0.3, 0.56, 0.74, 1.0]);
  const header = sequentialLike ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"];
  const align: ("left" | "right" | "center")[] = sequentialLike ? ["left", "left", "right"] : ["left", "left", "right", "left"];
  if (showTrainable) {
    if (options.lineLength === undefined) lineLength += 12;
    positions = [...positions.map((p) => p * 0.9), 1.0];
    header.push("Trainable");
    align.push("center");
  }
  const widths: number[] = [];
  let current = 0;
  for (const p of positions) {
    const w = Math.floor(p * lineLength) - current;
    if (w < 4) throw new ValueError(`summary: insufficient console width to print the summary. Received: lineLength=${lineLength}`);
    widths.push(w);
    current += w;
  }
  // rich: padded widths, then shrink evenly to fit inside the borders.
  let cells = widths.map((w) => w + 2);
  const maxWidth = lineLength - (cells.length + 1);
  const total = cells.reduce((a, b) => a + b, 0);
  if (total > maxWidth) cells = ratioReduce(total - maxWidth, cells.map(() => 1), cells, cells);
  const inner = cells.map((c) => c - 2);

  const connections = (op: Operation): string => {
    const nodes = op instanceof Layer ? op.inboundNodes : relevant.filter((n) => n.operation === op);
    const parts: string[] = [];
    for (const node of nodes) {
      if (relevant.length && !relevant.includes(node)) continue;
      for (const kt of node.inputs) {
        const h = kt.kerasHistory!;
        const producer = h.node.operation;
        const idx = producer instanceof Layer ? producer.inboundNodes.indexOf(h.node) : 0;
        parts.push(`${producer.name}[${idx}][${h.tensorIndex}]`);
      }
    }
    return parts.length ? parts.join(", ") : "-";
  };

  const rowsFor = (op: Operation, level: number): string[][] => {
    const prefix = level ? "   ".repeat(level) + "└ " : "";
    // Primitive ops used directly in a graph show as Keras shows ops: "add (Add)".
    const prim = (op as { prim?: string }).prim;
    const cls = op instanceof Layer ? op.className : prim ? prim.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase()) : "Operation";
    const name = `${prefix}${op.name} (${cls})`;
    let params = "0";
    if (op instanceof Layer) params = op.built ? thousands(op.countParams()) : "0 (unbuilt)";
    const row = [name, outputShape(op, relevant), params];
    if (!sequentialLike) row.push(connections(op));
    if (showTrainable) row.push(op instanceof Layer && op.weights.length > 0 ? (op.trainable ? "Y" : "N") : "-");
    const rows = [row];
    if (options.expandNested && op instanceof Layer && "layers" in op) {
      const sub = (op as unknown as Model).layers;
      for (const l of sub ?? []) rows.push(...rowsFor(l, level + 1));
    }
    return rows;
  };

  const pad = (text: string, width: number, a: "left" | "right" | "center"): string => {
    const gap = width - text.length;
    if (gap <= 0) return text;
    if (a === "right") return " ".repeat(gap) + text;
    if (a === "center") return " ".repeat(Math.floor(gap / 2)) + text + " ".repeat(gap - Math.floor(gap / 2));
    return text + " ".repeat(gap);
  };
  const renderRow = (fields: string[], v: string): string[] => {
    const wrapped = fields.map((f, i) => wrap(f, inner[i]!));
    const h = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let r = 0; r < h; r++) out.push(v + wrapped.map((w, i) => " " + pad(w[r] ?? "", inner[i]!, align[i]!) + " ").join(v) + v);
    return out;
  };
  const rule = (l: string, m: string, r: string, c: string) => l + cells.map((w) => c.repeat(w)).join(m) + r;

  const lines: string[] = [`Model: "${model.name}"`];
  lines.push(rule("┏", "┳", "┓", "━"));
  lines.push(...renderRow(header, "┃"));
  lines.push(rule("┡", "╇", "┩", "━"));
  const allRows = ops.flatMap((op) => rowsFor(op, 0));
  allRows.forEach((row, i) => {
    if (i > 0) lines.push(rule("├", "┼", "┤", "─"));
    lines.push(...renderRow(row, "│"));
  });
  lines.push(rule("└", "┴", "┘", "─"));
  const [tCount, tBytes] = paramsOf(model.trainableWeights);
  const [nCount, nBytes] = paramsOf(model.nonTrainableWeights);
  const optVars = optimizerVariables(model);
  const [oCount, oBytes] = paramsOf(optVars ?? []);
  lines.push(` Total params: ${thousands(tCount + nCount + oCount)} (${readableSize(tBytes + nBytes + oBytes)})`);
  lines.push(` Trainable params: ${thousands(tCount)} (${readableSize(tBytes)})`);
  lines.push(` Non-trainable params: ${thousands(nCount)} (${readableSize(nBytes)})`);
  if (optVars) lines.push(` Optimizer params: ${thousands(oCount)} (${readableSize(oBytes)})`);
  return lines.join("\n") + "\n";
}

/** Optimizer variables when the model is compiled and its optimizer built (else null). */
function optimizerVariables(model: Model): Variable[] | null {
  const opt = (model.compiled as { optimizer?: { built?: boolean; variables?: Variable[] } } | null)?.optimizer;
  return opt && opt.built && opt.variables ? opt.variables : null;
}
