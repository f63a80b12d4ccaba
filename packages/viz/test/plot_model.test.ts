import { describe, expect, it } from "vitest";
import * as keras from "@webkeras/core";
import { modelGraph, plotModel } from "../src/index";

const { Dense, Add, Concatenate, LayerNormalization, Dropout } = keras.layers;

/** The c_functional_dag reference model: two inputs, a shared Dense, two outputs. */
function dagModel() {
  const a = keras.Input([6], { name: "input_a" });
  const b = keras.Input([6], { name: "input_b" });
  const shared = new Dense(6, { activation: "tanh", name: "shared_dense" });
  const sa = shared.apply(a);
  const sb = shared.apply(b);
  const h = new LayerNormalization({ epsilon: 1e-3, name: "layer_norm" }).apply(
    new Concatenate({ name: "concat" }).apply([
      new Add({ name: "residual_add" }).apply([a, sa]),
      sb,
    ]),
  );
  const classOut = new Dense(3, { activation: "softmax", name: "class_out" }).apply(h);
  const regOut = new Dense(1, { name: "reg_out" }).apply(h);
  return new keras.Functional([a, b], [classOut, regOut], { name: "dag" });
}

function mlp(name = "mlp") {
  return new keras.Sequential(
    [
      keras.Input([20], { name: "features" }),
      new Dense(32, { activation: "relu", name: `${name}_dense` }),
      new Dropout(0.2, { name: `${name}_dropout` }),
      new Dense(10, { activation: "softmax", name: `${name}_dense_1` }),
    ],
    { name },
  );
}

/** `<g class="wk-node" ...>` elements of an SVG: name, class and centre. */
function nodes(svg: string) {
  return [
    ...svg.matchAll(
      /<g class="wk-node" data-layer="([^"]*)" data-class="([^"]*)" data-x="([^"]*)" data-y="([^"]*)">(.*?)<\/g>/gs,
    ),
  ].map((m) => ({ name: m[1]!, cls: m[2]!, x: Number(m[3]), y: Number(m[4]), body: m[5]! }));
}

function edges(svg: string): string[] {
  return [...svg.matchAll(/<g class="wk-edge" data-from="([^"]*)" data-to="([^"]*)">/g)]
    .map((m) => `${m[1]}->${m[2]}`)
    .sort();
}

describe("plotModel: Functional (c_functional_dag)", () => {
  const model = dagModel();
  const svg = plotModel(model, { showShapes: true, showLayerNames: true, showDtype: true });

  it("is one SVG document with a viewBox", () => {
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
  });

  it("draws one box per operation, named, with Keras' shapes", () => {
    const ns = nodes(svg);
    expect(ns.map((n) => n.name)).toEqual([
      "input_a",
      "shared_dense",
      "input_b",
      "residual_add",
      "concat",
      "layer_norm",
      "class_out",
      "reg_out",
    ]);
    const byName = Object.fromEntries(ns.map((n) => [n.name, n]));
    expect(byName.shared_dense!.cls).toBe("Dense");
    expect(byName.shared_dense!.body).toContain("shared_dense (Dense)");
    expect(byName.shared_dense!.body).toContain("(None, 6)");
    expect(byName.concat!.body).toContain("[(None, 6), (None, 6)]"); // two inputs
    expect(byName.concat!.body).toContain("(None, 12)");
    expect(byName.reg_out!.body).toContain("(None, 1)");
    expect(byName.class_out!.body).toContain("float32");
    // InputLayer boxes show only the output shape, as in Keras.
    expect(byName.input_a!.body).not.toContain("Input shape");
    expect(byName.input_a!.body).toContain("Output shape");
  });

  it("draws an edge per connection, including the shared layer's fan-in", () => {
    expect(edges(svg)).toEqual(
      [
        "input_a->shared_dense",
        "input_b->shared_dense",
        "input_a->residual_add",
        "shared_dense->residual_add",
        "residual_add->concat",
        "shared_dense->concat",
        "concat->layer_norm",
        "layer_norm->class_out",
        "layer_norm->reg_out",
      ].sort(),
    );
    const g = modelGraph(model);
    expect(g.edges).toHaveLength(9);
  });

  it("lays the graph out in layers: every edge points down in TB", () => {
    const pos = Object.fromEntries(nodes(svg).map((n) => [n.name, n]));
    for (const e of edges(svg)) {
      const [from, to] = e.split("->");
      expect(pos[to!]!.y, e).toBeGreaterThan(pos[from!]!.y);
    }
    // The two outputs sit side by side on one rank.
    expect(pos.class_out!.y).toBe(pos.reg_out!.y);
    expect(pos.class_out!.x).not.toBe(pos.reg_out!.x);
  });

  it("boxes do not overlap", () => {
    const boxes = [
      ...svg.matchAll(/<g class="wk-node"[^>]*>.*?<rect x="([^"]+)" y="([^"]+)" width="([^"]+)"/gs),
    ].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(m[3]),
    }));
    const ns = nodes(svg);
    for (let i = 0; i < ns.length; i++)
      for (let j = i + 1; j < ns.length; j++) {
        const a = ns[i]!;
        const b = ns[j]!;
        if (a.y !== b.y) continue;
        const wa = boxes[i]!.w;
        const wb = boxes[j]!.w;
        expect(Math.abs(a.x - b.x), `${a.name} / ${b.name}`).toBeGreaterThanOrEqual((wa + wb) / 2);
      }
  });

  it("rankdir LR turns the layout: edges point right", () => {
    const lr = plotModel(model, { rankdir: "LR", showLayerNames: true });
    expect(lr).toContain('data-rankdir="LR"');
    const pos = Object.fromEntries(nodes(lr).map((n) => [n.name, n]));
    for (const e of edges(lr)) {
      const [from, to] = e.split("->");
      expect(pos[to!]!.x, e).toBeGreaterThan(pos[from!]!.x);
    }
    const tb = Object.fromEntries(nodes(svg).map((n) => [n.name, n]));
    // The deepest layer is far below the inputs in TB and far to their right in LR.
    expect(tb.class_out!.y - tb.input_a!.y).toBeGreaterThan(
      Math.abs(tb.class_out!.x - tb.input_a!.x),
    );
    expect(pos.class_out!.x - pos.input_a!.x).toBeGreaterThan(
      Math.abs(pos.class_out!.y - pos.input_a!.y),
    );
  });

  it("rejects a bad rankdir and dpi, Keras-style", () => {
    expect(() => plotModel(model, { rankdir: "XY" as never })).toThrow(/Received: rankdir="XY"/);
    expect(() => plotModel(model, { dpi: 0 })).toThrow(/Received: dpi=0/);
  });

  it("dpi scales the size but not the viewBox", () => {
    const a = plotModel(model, { dpi: 96 });
    const b = plotModel(model, { dpi: 192 });
    const size = (s: string) => s.match(/width="([\d.]+)" height="([\d.]+)" viewBox="([^"]+)"/)!;
    expect(Number(size(b)[1])).toBeCloseTo(2 * Number(size(a)[1]), 1);
    expect(size(b)[3]).toBe(size(a)[3]);
  });

  it("escapes names", () => {
    const x = keras.Input([2], { name: "in<&>" });
    const m = new keras.Functional(x, new Dense(1, { name: 'out"q' }).apply(x));
    const s = plotModel(m, { showLayerNames: true });
    expect(s).toContain("in&lt;&amp;&gt;");
    expect(s).toContain("out&quot;q");
  });
});

describe("plotModel: labels and Sequential", () => {
  it("Sequential: its layers chained, no InputLayer box (as Keras)", () => {
    const m = mlp();
    const svg = plotModel(m);
    expect(nodes(svg).map((n) => n.cls)).toEqual(["Dense", "Dropout", "Dense"]);
    expect(edges(svg)).toEqual(["mlp_dense->mlp_dropout", "mlp_dropout->mlp_dense_1"]);
    // Without showLayerNames the header is the class only (Keras' plot_model default).
    expect(nodes(svg)[0]!.body).not.toContain(">mlp_dense (Dense)</text>");
    expect(nodes(svg)[0]!.body).toContain(">Dense<");
  });

  it("showLayerActivations and showTrainable", () => {
    const m = mlp("act");
    m.layers[0]!.trainable = false;
    const svg = plotModel(m, { showLayerActivations: true, showTrainable: true });
    const ns = nodes(svg);
    expect(ns[0]!.body).toContain('Activation: <tspan font-weight="bold">relu</tspan>');
    expect(ns[2]!.body).toContain(">softmax<");
    expect(ns[0]!.body).toContain("Non-trainable");
    expect(ns[2]!.body).toContain(">Trainable<");
    // Dropout has no activation and no weights: neither row.
    expect(ns[1]!.body).not.toContain("Activation");
    expect(ns[1]!.body).not.toContain("rainable");
  });

  it("a nested model is one box, or a dashed cluster with expandNested", () => {
    const inner = mlp("inner");
    const x = keras.Input([20], { name: "outer_in" });
    const y = new Dense(2, { name: "head" }).apply(inner.apply(x));
    const outer = new keras.Functional(x, y, { name: "outer" });
    const flat = plotModel(outer, { showLayerNames: true });
    expect(nodes(flat).map((n) => n.name)).toEqual(["outer_in", "inner", "head"]);
    expect(edges(flat)).toEqual(["inner->head", "outer_in->inner"]);
    const nested = plotModel(outer, { showLayerNames: true, expandNested: true });
    expect(nested).toMatch(/<g class="wk-cluster" data-model="inner">/);
    expect(nodes(nested).map((n) => n.name)).toEqual([
      "outer_in",
      "inner_dense",
      "inner_dropout",
      "inner_dense_1",
      "head",
    ]);
    expect(edges(nested)).toEqual([
      "inner_dense->inner_dropout",
      "inner_dense_1->head",
      "inner_dropout->inner_dense_1",
      "outer_in->inner_dense",
    ]);
  });

  it("refuses an unbuilt model", () => {
    const m = new keras.Sequential([new Dense(3)]);
    expect(() => plotModel(m)).toThrow(/has not yet been built/);
  });
});
