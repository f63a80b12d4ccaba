/**
 * `plotModel`: Keras' `keras.utils.plot_model` for the web. The model's graph becomes an SVG
 * string (one box per layer, one arrow per connection), laid out by dagre, a layered (Sugiyama)
 * graph layout, so branching Functional graphs (several inputs, shared layers, several outputs)
 * read top to bottom without crossings where it can avoid them.
 *
 * The graph is read as Keras' `model_to_dot` reads it (keras/src/utils/model_visualization.py):
 * a Sequential model is its `layers` chained in order (no InputLayer box); a Functional model is
 * its `operations` joined along the inbound nodes that belong to the model; any other model is a
 * single box. Labels carry what Keras' do: "name (Class)" or "Class", then optionally the
 * activation, input / output shapes, output dtype and a trainable badge.
 *
 * Not a renderer of arbitrary graphs, and not Graphviz: there is no `to_file`; write the string
 * yourself, or use `plotModelElement` in a browser.
 */
import { Graph, layout } from "@dagrejs/dagre";
import {
  activations,
  type KerasTensor,
  type Layer,
  type Model,
  type Node,
  type Operation,
} from "@webkeras/core";
import { FONT_FAMILY, esc, num, textWidth } from "./svg";

/** Options of `plotModel` (Keras `plot_model` arguments, camelCase; no `to_file`). */
export interface PlotModelOptions {
  /** Show each layer's input and output shapes. Default false. */
  showShapes?: boolean;
  /** Show each layer's output dtype. Default false. */
  showDtype?: boolean;
  /** Boxes read "name (Class)" instead of "Class". Default false, as in Keras' `plot_model`. */
  showLayerNames?: boolean;
  /** "TB" (top to bottom, default), "BT", "LR" (left to right) or "RL". */
  rankdir?: "TB" | "BT" | "LR" | "RL";
  /** Draw nested Functional / Sequential models as dashed clusters of their own layers. Default false. */
  expandNested?: boolean;
  /** Show the activation of layers that have one. Default false. */
  showLayerActivations?: boolean;
  /** Mark layers with weights as trainable (green) or non-trainable (red). Default false. */
  showTrainable?: boolean;
  /**
   * Resolution: the SVG's `width` / `height` are its layout size times `dpi / 96`; the `viewBox`
   * does not change. Default 96 (one layout unit per CSS pixel). Keras' default of 200 is for
   * raster images; an SVG scales without it.
   */
  dpi?: number;
}

/** One box of the plot: a layer (or an op used directly in a Functional graph). */
export interface PlotNode {
  id: string;
  /** The layer's (or op's) name. */
  name: string;
  /** Keras class name ("Dense", "InputLayer"; a primitive op's CamelCase name). */
  className: string;
  /** Text rows of the box, from the header down. */
  rows: PlotRow[];
  /** Dashed cluster (a nested model) the box belongs to, or null. */
  cluster: string | null;
}

/** One row of a box: cells side by side. */
export interface PlotRow {
  cells: {
    text: string;
    value?: string;
    fill: string;
    color: string;
    bold?: boolean;
    size: number;
  }[];
}

/** A nested model drawn as a dashed cluster (`expandNested`). */
export interface PlotCluster {
  id: string;
  name: string;
  parent: string | null;
}

/** The graph `plotModel` draws, before layout. */
export interface PlotGraph {
  nodes: PlotNode[];
  edges: { from: string; to: string }[];
  clusters: PlotCluster[];
}

type AnyModel = Model | Layer;

const HEADER_SIZE = 14;
const CELL_SIZE = 12;
const PAD_X = 10;
const HEADER_H = 26;
const CELL_H = 24;

/** Functional models (duck-typed, so two copies of core in one page still work). */
function isFunctional(
  m: unknown,
): m is Model & {
  operations: Operation[];
  nodes: Node[];
  inputs: KerasTensor[];
  outputs: KerasTensor[];
} {
  return (
    typeof m === "object" &&
    m !== null &&
    Array.isArray((m as { operations?: unknown }).operations) &&
    "nodesByDepth" in m
  );
}

function isSequential(m: unknown): m is Model {
  return (
    typeof m === "object" &&
    m !== null &&
    typeof (m as { add?: unknown }).add === "function" &&
    typeof (m as { pop?: unknown }).pop === "function" &&
    "layers" in m
  );
}

const isContainer = (op: unknown): op is Model => isFunctional(op) || isSequential(op);

function classNameOf(op: Operation): string {
  const cls = (op as { className?: unknown }).className;
  if (typeof cls === "string") return cls;
  // Primitive ops used directly in a graph read as Keras names ops: "add" -> "Add".
  const prim = (op as { prim?: unknown }).prim;
  if (typeof prim === "string")
    return prim.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
  return "Operation";
}

/** Python's tuple formatting, as Keras prints shapes: "(None, 32)", "(None,)", "()". */
export function formatShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

function formatTensors(
  ts: readonly KerasTensor[] | undefined,
  what: (t: KerasTensor) => string,
): string {
  if (!ts || ts.length === 0) return "?";
  return ts.length === 1 ? what(ts[0]!) : `[${ts.map(what).join(", ")}]`;
}

function activationName(op: Operation): string | null {
  const act = (op as { activation?: unknown }).activation;
  if (typeof act !== "function") return null;
  try {
    const s = activations.serialize(act as never);
    if (typeof s === "string") return s;
  } catch (_err) {
    // Not a registered activation: fall back to the function's own name.
  }
  return (act as { name?: string }).name || "custom";
}

/** The first node where `op` was called (Keras `layer.input` / `layer.output` read node 0). */
function firstNode(op: Operation, graphNodes: Node[]): Node | null {
  const inbound = (op as { inboundNodes?: Node[] }).inboundNodes;
  if (Array.isArray(inbound) && inbound.length > 0) return inbound[0]!;
  return graphNodes.find((n) => n.operation === op) ?? null;
}

function labelRows(
  op: Operation,
  graphNodes: Node[],
  o: Required<Omit<PlotModelOptions, "rankdir" | "dpi">>,
): PlotRow[] {
  const cls = classNameOf(op);
  const rows: PlotRow[] = [
    {
      cells: [
        {
          text: o.showLayerNames ? `${op.name} (${cls})` : cls,
          fill: "#000",
          color: "#fff",
          bold: true,
          size: HEADER_SIZE,
        },
      ],
    },
  ];
  const act = o.showLayerActivations ? activationName(op) : null;
  if (act !== null)
    rows.push({
      cells: [{ text: "Activation: ", value: act, fill: "#fff", color: "#000", size: CELL_SIZE }],
    });
  const cells: PlotRow["cells"] = [];
  const node = o.showShapes || o.showDtype ? firstNode(op, graphNodes) : null;
  if (o.showShapes) {
    const shape = (t: KerasTensor) => formatShape(t.shape);
    if (cls !== "InputLayer")
      cells.push({
        text: "Input shape: ",
        value: formatTensors(node?.inputs, shape),
        fill: "#fff",
        color: "#000",
        size: CELL_SIZE,
      });
    cells.push({
      text: "Output shape: ",
      value: formatTensors(node?.outputs, shape),
      fill: "#fff",
      color: "#000",
      size: CELL_SIZE,
    });
  }
  if (o.showDtype) {
    const dtype = (t: KerasTensor) => (node && node.outputs.length > 1 ? `'${t.dtype}'` : t.dtype);
    cells.push({
      text: "Output dtype: ",
      value: formatTensors(node?.outputs, dtype),
      fill: "#fff",
      color: "#000",
      size: CELL_SIZE,
    });
  }
  const weights = (op as { weights?: unknown[] }).weights;
  if (o.showTrainable && Array.isArray(weights) && weights.length > 0) {
    const trainable = (op as { trainable?: boolean }).trainable !== false;
    cells.push({
      text: trainable ? "Trainable" : "Non-trainable",
      fill: trainable ? "#228b22" : "#b22222", // Keras' forestgreen / firebrick
      color: "#fff",
      bold: true,
      size: CELL_SIZE,
    });
  }
  if (cells.length) rows.push({ cells });
  return rows;
}

/**
 * The boxes, arrows and clusters `plotModel` draws, read from the model's graph as Keras'
 * `model_to_dot` reads it. Exposed for tests and for callers who lay the graph out themselves.
 * @example
 * const g = modelGraph(model, { showShapes: true });
 * g.nodes.map((n) => n.name); // ["input_a", "shared_dense", ...]
 */
export function modelGraph(model: AnyModel, options: PlotModelOptions = {}): PlotGraph {
  const o = {
    showShapes: options.showShapes ?? false,
    showDtype: options.showDtype ?? false,
    showLayerNames: options.showLayerNames ?? false,
    expandNested: options.expandNested ?? false,
    showLayerActivations: options.showLayerActivations ?? false,
    showTrainable: options.showTrainable ?? false,
  };
  if (!model.built)
    throw new Error(
      `plotModel: model "${model.name}" has not yet been built. Build the model first by calling \`build()\` or by calling the model on a batch of data. Received: built=false`,
    );
  const graph: PlotGraph = { nodes: [], edges: [], clusters: [] };
  const ids = new Map<Operation, string>();
  const edgeKeys = new Set<string>();
  const addEdge = (from: Operation, to: Operation) => {
    const a = ids.get(from);
    const b = ids.get(to);
    if (a === undefined || b === undefined) return;
    const key = `${a}->${b}`;
    if (edgeKeys.has(key)) return; // Keras draws one arrow per pair of boxes.
    edgeKeys.add(key);
    graph.edges.push({ from: a, to: b });
  };
  const expand = (op: Operation) => o.expandNested && isContainer(op);

  // Where an arrow into / out of an expanded nested model lands: the inner box that takes that
  // input (a Functional's InputLayer, a Sequential's first layer) or makes that output.
  const entry = (op: Operation, inputIndex: number): Operation => {
    while (expand(op)) {
      const m = op as Model;
      if (isFunctional(m)) op = m.inputs[inputIndex]?.kerasHistory?.node.operation ?? m;
      else op = (m.layers[0] as Operation | undefined) ?? m;
      if (op === m) break;
      inputIndex = 0;
    }
    return op;
  };
  const exit = (op: Operation, outputIndex: number): Operation => {
    while (expand(op)) {
      const m = op as Model;
      const h = m.outputs?.[outputIndex]?.kerasHistory;
      if (!h) break;
      op = h.node.operation;
      outputIndex = h.tensorIndex;
    }
    return op;
  };

  const walk = (m: AnyModel, cluster: string | null): void => {
    const graphNodes = isFunctional(m) ? m.nodes : [];
    const ops: Operation[] = isFunctional(m)
      ? m.operations
      : isSequential(m)
        ? (m as Model).layers
        : [m];
    for (const op of ops) {
      if (expand(op)) {
        const id = `cluster${graph.clusters.length}`;
        graph.clusters.push({ id, name: op.name, parent: cluster });
        walk(op as Model, id);
        continue;
      }
      const id = `n${ids.size}`;
      ids.set(op, id);
      graph.nodes.push({
        id,
        name: op.name,
        className: classNameOf(op),
        rows: labelRows(op, graphNodes, o),
        cluster,
      });
    }
    if (isFunctional(m)) {
      const inModel = new Set(m.nodes);
      for (const op of ops) {
        const inbound =
          (op as { inboundNodes?: Node[] }).inboundNodes ??
          m.nodes.filter((n) => n.operation === op);
        for (const node of inbound) {
          if (!inModel.has(node)) continue;
          node.inputs.forEach((t, j) => {
            const h = t.kerasHistory;
            if (h) addEdge(exit(h.node.operation, h.tensorIndex), entry(op, j));
          });
        }
      }
    } else if (isSequential(m)) {
      for (let i = 0; i + 1 < ops.length; i++) addEdge(exit(ops[i]!, 0), entry(ops[i + 1]!, 0));
    }
  };
  walk(model, null);
  return graph;
}

interface Laid {
  svg: string;
  width: number;
  height: number;
}

function boxSize(rows: PlotRow[]): { w: number; h: number; rowWidths: number[][] } {
  const rowWidths = rows.map((r) =>
    r.cells.map(
      (c) =>
        textWidth(c.text, c.size, c.bold) +
        (c.value ? textWidth(c.value, c.size, true) : 0) +
        2 * PAD_X,
    ),
  );
  const w = Math.max(60, ...rowWidths.map((ws) => ws.reduce((a, b) => a + b, 0)));
  const h = rows.reduce((s, _r, i) => s + (i === 0 ? HEADER_H : CELL_H), 0);
  return { w: Math.ceil(w), h, rowWidths };
}

function renderBox(node: PlotNode, x: number, y: number, w: number, rowWidths: number[][]): string {
  const parts: string[] = [];
  let top = y;
  node.rows.forEach((row, i) => {
    const h = i === 0 ? HEADER_H : CELL_H;
    // Cells share the box width in proportion to their text.
    const need = rowWidths[i]!.reduce((a, b) => a + b, 0);
    const extra = (w - need) / row.cells.length;
    let left = x;
    row.cells.forEach((c, j) => {
      const cw = rowWidths[i]![j]! + extra;
      parts.push(
        `<rect x="${num(left)}" y="${num(top)}" width="${num(cw)}" height="${h}" fill="${c.fill}" stroke="#000"/>`,
      );
      const value = c.value ? `<tspan font-weight="bold">${esc(c.value)}</tspan>` : "";
      parts.push(
        `<text x="${num(left + cw / 2)}" y="${num(top + h / 2)}" font-size="${c.size}" fill="${c.color}"${c.bold ? ' font-weight="bold"' : ""} text-anchor="middle" dominant-baseline="central">${esc(c.text)}${value}</text>`,
      );
      left += cw;
    });
    top += h;
  });
  return parts.join("");
}

/** d3's curveBasis through `pts`: a smooth curve that starts and ends on the end points. */
function basisPath(pts: { x: number; y: number }[]): string {
  const p = (a: { x: number; y: number }) => `${num(a.x)},${num(a.y)}`;
  if (pts.length < 3) return `M${p(pts[0]!)}L${p(pts[pts.length - 1]!)}`;
  let d = `M${p(pts[0]!)}L${p({ x: (5 * pts[0]!.x + pts[1]!.x) / 6, y: (5 * pts[0]!.y + pts[1]!.y) / 6 })}`;
  const seg = (
    a: { x: number; y: number },
    b: { x: number; y: number },
    c: { x: number; y: number },
  ) =>
    `C${p({ x: (2 * a.x + b.x) / 3, y: (2 * a.y + b.y) / 3 })} ${p({ x: (a.x + 2 * b.x) / 3, y: (a.y + 2 * b.y) / 3 })} ${p({ x: (a.x + 4 * b.x + c.x) / 6, y: (a.y + 4 * b.y + c.y) / 6 })}`;
  for (let i = 2; i < pts.length; i++) d += seg(pts[i - 2]!, pts[i - 1]!, pts[i]!);
  const n = pts.length;
  d += seg(pts[n - 2]!, pts[n - 1]!, pts[n - 1]!);
  return d + `L${p(pts[n - 1]!)}`;
}

/** A filled arrowhead at `to`, pointing away from `from`. */
function arrowHead(from: { x: number; y: number }, to: { x: number; y: number }): string {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const L = 9;
  const W = 4;
  const bx = to.x - ux * L;
  const by = to.y - uy * L;
  return `<polygon points="${num(to.x)},${num(to.y)} ${num(bx - uy * W)},${num(by + ux * W)} ${num(bx + uy * W)},${num(by - ux * W)}" fill="#000"/>`;
}

function layoutAndRender(graph: PlotGraph, rankdir: PlotModelOptions["rankdir"]): Laid {
  const g = new Graph({ compound: graph.clusters.length > 0, multigraph: false });
  g.setGraph({ rankdir, nodesep: 30, ranksep: 40, edgesep: 15, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map<string, ReturnType<typeof boxSize>>();
  for (const c of graph.clusters) g.setNode(c.id, { label: c.name, paddingTop: 28 } as never);
  for (const c of graph.clusters) if (c.parent) g.setParent(c.id, c.parent);
  for (const n of graph.nodes) {
    const s = boxSize(n.rows);
    sizes.set(n.id, s);
    g.setNode(n.id, { width: s.w, height: s.h });
    if (n.cluster) g.setParent(n.id, n.cluster);
  }
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  // dagre orders each rank to reduce crossings; inputs may come out in any order (Graphviz too).
  layout(g);
  const gl = g.graph();
  const width = Math.ceil(gl.width ?? 0);
  const height = Math.ceil(gl.height ?? 0);
  const out: string[] = [];
  out.push(
    `<rect class="wk-background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
  );
  for (const c of graph.clusters) {
    const b = g.node(c.id) as { x: number; y: number; width: number; height: number };
    const x = b.x - b.width / 2;
    const y = b.y - b.height / 2;
    out.push(
      `<g class="wk-cluster" data-model="${esc(c.name)}"><rect x="${num(x)}" y="${num(y)}" width="${num(b.width)}" height="${num(b.height)}" fill="none" stroke="#555" stroke-dasharray="5,4"/><text x="${num(x + 6)}" y="${num(y + 14)}" font-size="12" fill="#333">${esc(c.name)}</text></g>`,
    );
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const e of graph.edges) {
    const pts = (g.edge(e.from, e.to) as { points: { x: number; y: number }[] }).points;
    const n = pts.length;
    out.push(
      `<g class="wk-edge" data-from="${esc(byId.get(e.from)!.name)}" data-to="${esc(byId.get(e.to)!.name)}"><path d="${basisPath(pts)}" fill="none" stroke="#000" stroke-width="1.5"/>${arrowHead(pts[n - 2]!, pts[n - 1]!)}</g>`,
    );
  }
  for (const n of graph.nodes) {
    const b = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const x = b.x - b.width / 2;
    const y = b.y - b.height / 2;
    out.push(
      `<g class="wk-node" data-layer="${esc(n.name)}" data-class="${esc(n.className)}" data-x="${num(b.x)}" data-y="${num(b.y)}"><title>${esc(`${n.name} (${n.className})`)}</title>${renderBox(n, x, y, b.width, sizes.get(n.id)!.rowWidths)}</g>`,
    );
  }
  return { svg: out.join("\n"), width, height };
}

/**
 * Draws a model's graph as an SVG string (Keras `keras.utils.plot_model`, without Graphviz).
 * Each box is a `<g class="wk-node" data-layer="name">`, each arrow a
 * `<g class="wk-edge" data-from="a" data-to="b">`.
 * @example
 * const svg = plotModel(model, { showShapes: true, showLayerNames: true, rankdir: "LR" });
 * document.querySelector("#graph")!.innerHTML = svg;
 */
export function plotModel(model: AnyModel, options: PlotModelOptions = {}): string {
  const rankdir = options.rankdir ?? "TB";
  if (!["TB", "BT", "LR", "RL"].includes(rankdir))
    throw new Error(
      `plotModel: rankdir must be one of "TB", "BT", "LR", "RL". Received: rankdir=${JSON.stringify(rankdir)}`,
    );
  const dpi = options.dpi ?? 96;
  if (!(dpi > 0)) throw new Error(`plotModel: dpi must be a positive number. Received: dpi=${dpi}`);
  const graph = modelGraph(model, options);
  const { svg, width, height } = layoutAndRender(graph, rankdir);
  const scale = dpi / 96;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="wk-plot-model" data-model="${esc(model.name)}" data-rankdir="${rankdir}" ` +
    `width="${num(width * scale)}" height="${num(height * scale)}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT_FAMILY)}">\n` +
    `<title>${esc(`Model: ${model.name}`)}</title>\n${svg}\n</svg>\n`
  );
}
