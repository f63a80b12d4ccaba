/**
 * Where each variable lives in a Keras weights file, and moving values between the model and
 * that file (Keras `saving_lib._save_state` / `_load_state`).
 *
 * The path rule, as Keras 3 applies it:
 * - every saveable object (model, layer, optimizer) owns a group `<path>/vars` whose datasets
 *   `0, 1, ...` are its own variables in order (trainable then non-trainable, in creation
 *   order), and whose `name` attribute is the object's name;
 * - the model's own group is the top-level `vars`; a Functional or Sequential model's layers
 *   come next, under `layers/`, named from their class (`Dense` -> `dense`, then `dense_1`,
 *   ...) in `model.layers` order, never from the layer name; then the other attributes in
 *   sorted order, private (`_x`) ones last: the optimizer under `optimizer/`, and a layer's
 *   sub-layers under their Keras attribute names (camelCase JS properties are written in
 *   snake_case; a class may map names itself with `static kerasAttributeNames`);
 * - an object reached twice (a shared layer) is saved once, at its first path.
 *
 * Loading checks the whole file against the model before assigning anything, so a mismatch
 * never leaves a half-loaded model.
 */
import { noGrad } from "../autodiff/grad";
import { tidy } from "../engine/engine";
import { fmt } from "../errors";
import { Layer } from "../layers/layer";
import type { Model } from "../models/model";
import { Functional } from "../models/functional";
import { Sequential } from "../models/sequential";
import type { Optimizer } from "../optimizers/optimizer";
import * as lax from "../primitives/lax";
import { toTypedArray } from "../tensor/dtype";
import { toSnakeCase } from "../utils/naming";
import { Variable } from "../variables/variable";
import {
  MissingWeightsError,
  UnexpectedWeightsError,
  WeightShapeError,
} from "./errors";
import { getH5Object, walkH5, type H5Dataset, type H5Group } from "./hdf5_reader";
import { h5EnsureGroup, h5Group, type H5WriteGroup } from "./hdf5_writer";

/** One saveable object and the group its variables go to. */
export interface SaveableEntry {
  /** Group path without "/vars" ("" for the model itself, "layers/dense", "optimizer"). */
  path: string;
  /** The object's name (the `name` attribute of its vars group). */
  name: string;
  kind: "model" | "layer" | "optimizer";
  owner: Layer | Optimizer;
  variables: Variable[];
}

export interface WalkOptions {
  /** Include the compiled optimizer's variables (default true). */
  includeOptimizer?: boolean;
}

/** A layer's own variables, in Keras order: trainable, then non-trainable. */
function ownVariables(layer: Layer): Variable[] {
  const l = layer as unknown as { _trainableVariables: Variable[]; _nonTrainableVariables: Variable[] };
  return [...(l._trainableVariables ?? []), ...(l._nonTrainableVariables ?? [])];
}

/** Keras `_name_key`: private attributes sort after public ones. */
function nameKey(name: string): string {
  return name.startsWith("_") ? `~${name}` : name;
}

/** Properties of models that hold layers Keras does not walk (its attribute skip list). */
const MODEL_INTERNALS = new Set(["_layers", "_functional", "operations", "graph", "compiled", "_inputs", "_outputs"]);

function isLayerList(v: unknown): v is Layer[] {
  return Array.isArray(v) && v.some((x) => x instanceof Layer);
}

function isLayerDict(v: unknown): v is Record<string, Layer> {
  return (
    v !== null &&
    typeof v === "object" &&
    Object.getPrototypeOf(v) === Object.prototype &&
    Object.values(v).some((x) => x instanceof Layer)
  );
}

/** The Keras attribute name of a JS property holding sub-layers. */
function kerasAttributeName(owner: Layer, prop: string): string {
  const map = (owner.constructor as { kerasAttributeNames?: Record<string, string> }).kerasAttributeNames;
  if (map && Object.prototype.hasOwnProperty.call(map, prop)) return map[prop]!;
  const lead = prop.match(/^_*/)![0];
  return lead + toSnakeCase(prop.slice(lead.length));
}

/** Children of a saveable in Keras' visiting order: `[attribute name, value]`. */
function children(obj: Layer, includeOptimizer: boolean): [string, Layer | Layer[] | Optimizer][] {
  const out: [string, Layer | Layer[] | Optimizer][] = [];
  const isModel = obj instanceof Functional || obj instanceof Sequential;
  if (isModel) out.push(["layers", obj.layers]);
  const attrs: [string, Layer | Layer[] | Optimizer][] = [];
  for (const [prop, v] of Object.entries(obj)) {
    if (prop === "inboundNodes" || prop.startsWith("__")) continue;
    if ("compiled" in obj && MODEL_INTERNALS.has(prop)) continue;
    if (v instanceof Layer) attrs.push([kerasAttributeName(obj, prop), v]);
    else if (isLayerList(v)) attrs.push([kerasAttributeName(obj, prop), v.filter((x) => x instanceof Layer)]);
    else if (isLayerDict(v)) attrs.push([kerasAttributeName(obj, prop), Object.values(v).filter((x) => x instanceof Layer)]);
  }
  const optimizer = (obj as Partial<Model>).compiled?.optimizer;
  if (includeOptimizer && optimizer) attrs.push(["optimizer", optimizer]);
  attrs.sort((a, b) => {
    const x = nameKey(a[0]);
    const y = nameKey(b[0]);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return [...out, ...attrs];
}

/**
 * Every saveable object of `model` with its group path, in the order Keras visits them.
 * @example collectSaveables(model).map((e) => e.path) // ["", "layers/dense", "layers/dense_1", "optimizer"]
 */
export function collectSaveables(model: Layer, options: WalkOptions = {}): SaveableEntry[] {
  const includeOptimizer = options.includeOptimizer ?? true;
  const out: SaveableEntry[] = [];
  const visited = new Set<unknown>();
  const join = (a: string, b: string): string => (a ? `${a}/${b}` : b);
  const visit = (obj: Layer | Optimizer, path: string): void => {
    if (visited.has(obj)) return;
    visited.add(obj);
    if (!(obj instanceof Layer)) {
      out.push({ path, name: obj.name, kind: "optimizer", owner: obj, variables: obj.variables });
      return;
    }
    out.push({ path, name: obj.name, kind: path === "" ? "model" : "layer", owner: obj, variables: ownVariables(obj) });
    for (const [attr, child] of children(obj, includeOptimizer && path === "")) {
      if (Array.isArray(child)) {
        // A container: children named after their class, made unique in order.
        const used = new Map<string, number>();
        for (const c of child) {
          if (visited.has(c)) {
            // Keras still counts the name of an object it skips.
            bump(used, toSnakeCase(c.className));
            continue;
          }
          visit(c, join(join(path, attr), bump(used, toSnakeCase(c.className))));
        }
      } else visit(child, join(path, attr));
    }
  };
  visit(model, "");
  return out;
}

function bump(used: Map<string, number>, base: string): string {
  const n = used.get(base);
  if (n === undefined) {
    used.set(base, 0);
    return base;
  }
  used.set(base, n + 1);
  return `${base}_${n + 1}`;
}

/** Converts a variable's value to what HDF5 stores: float32, int32 or (bool) uint8. */
async function variableData(v: Variable): Promise<Float32Array | Int32Array | Uint8Array> {
  const data = await v.value.data();
  if (data instanceof Float32Array || data instanceof Int32Array) return data.slice();
  return new Uint8Array(data);
}

/**
 * The HDF5 tree Keras writes for `model`: one `vars` group per saveable (with its `name`
 * attribute) holding datasets `0, 1, ...`.
 * @example const bytes = await writeHDF5(await weightsTree(model));
 */
export async function weightsTree(model: Layer, options: WalkOptions = {}): Promise<H5WriteGroup> {
  const root = h5Group();
  for (const e of collectSaveables(model, options)) {
    const parent = e.path ? h5EnsureGroup(root, e.path) : root;
    const vars = h5Group({ name: e.name });
    parent.children.set("vars", vars);
    for (let i = 0; i < e.variables.length; i++) {
      const v = e.variables[i]!;
      vars.children.set(String(i), { kind: "dataset", shape: [...v.shape], data: await variableData(v) });
    }
  }
  return root;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function describe(e: SaveableEntry): string {
  return e.kind === "optimizer" ? `optimizer '${e.name}'` : e.kind === "model" ? `model '${e.name}'` : `layer '${e.name}' (${(e.owner as Layer).className})`;
}

/** The datasets `0, 1, ...` of a vars group, or an error naming what is off. */
function datasetsOf(group: H5Group, e: SaveableEntry, varsPath: string): H5Dataset[] {
  const out: H5Dataset[] = [];
  const keys = [...group.children.keys()];
  for (let i = 0; i < keys.length; i++) {
    const child = group.children.get(String(i));
    if (!child || child.kind !== "dataset")
      throw new UnexpectedWeightsError(
        `The weights file has an unexpected entry in '${varsPath}' for ${describe(e)}: variables must be datasets named 0, 1, 2, ... Received: ${keys.join(", ")}`,
        varsPath,
        e.name,
      );
    out.push(child);
  }
  return out;
}

/** What `planWeightsLoad` decided: assignments to make, and warnings (skipped optimizer state). */
export interface WeightsLoadPlan {
  assignments: { variable: Variable; dataset: H5Dataset }[];
  warnings: string[];
}

/**
 * Checks a weights file against `model` and lists the assignments to make, without making any.
 * Throws `MissingWeightsError`, `UnexpectedWeightsError` or `WeightShapeError` on a mismatch.
 * An optimizer whose variable count differs (never built when saved) is skipped with Keras'
 * warning instead.
 * @example const plan = planWeightsLoad(model, readHDF5(bytes)); applyWeightsLoad(plan);
 */
export function planWeightsLoad(model: Layer, root: H5Group, options: WalkOptions = {}): WeightsLoadPlan {
  const includeOptimizer = options.includeOptimizer ?? true;
  const entries = collectSaveables(model, { includeOptimizer });
  const assignments: WeightsLoadPlan["assignments"] = [];
  const warnings: string[] = [];
  const claimed = new Set<string>();
  for (const e of entries) {
    const varsPath = e.path ? `${e.path}/vars` : "vars";
    claimed.add(varsPath);
    const group = getH5Object(root, varsPath);
    if (group && group.kind !== "group")
      throw new UnexpectedWeightsError(`The weights file has a dataset where the group '${varsPath}' of ${describe(e)} should be. Received: a dataset`, varsPath, e.name);
    const stored = group ? datasetsOf(group, e, varsPath) : [];
    if (e.kind === "optimizer") {
      if (!group) continue; // a file saved without optimizer state
      const opt = e.owner as Optimizer;
      if (stored.length !== e.variables.length) {
        let msg = `Skipping variable loading for optimizer '${opt.name}', because it has ${e.variables.length} variables whereas the saved optimizer has ${stored.length} variables. `;
        if (e.variables.length === 0) msg += "This is likely because the optimizer has not been called/built yet.";
        warnings.push(msg);
        continue;
      }
    } else if (stored.length !== e.variables.length) {
      const expected = e.variables.map((v) => v.name);
      const Err = stored.length < e.variables.length ? MissingWeightsError : UnexpectedWeightsError;
      const built = !(e.owner instanceof Layer) || e.owner.built;
      const why =
        e.variables.length === 0 && !built
          ? `${describe(e)} was never built and thus it doesn't have any variables. However the weights file lists ${stored.length} variables for this layer. In most cases, this error indicates that either: 1. The layer is owned by a parent layer that implements a \`build()\` method, but calling the parent's \`build()\` method did NOT create the state of the child layer. 2. You need to implement the \`def build_from_config(self, config)\` method on the layer`
          : `${describe(e)} expected ${e.variables.length} variables (${expected.join(", ") || "none"}), but the weights file has ${stored.length} in '${varsPath}'`;
      throw new Err(`${why}. Received: ${stored.length} variables`, varsPath, e.name);
    }
    stored.forEach((ds, i) => {
      const v = e.variables[i]!;
      if (!sameShape(ds.shape, v.shape))
        throw new WeightShapeError(
          `The weight '${v.name}' of ${describe(e)} has shape ${fmt([...v.shape])} in the model but shape ${fmt(ds.shape)} in the weights file ('${varsPath}/${i}'). Received: shape=${fmt(ds.shape)}, expected shape=${fmt([...v.shape])}`,
          `${varsPath}/${i}`,
          e.name,
          [...v.shape],
          [...ds.shape],
        );
      if (ds.dtype === "string")
        throw new UnexpectedWeightsError(`The weight '${v.name}' of ${describe(e)} is stored as strings. Received: dtype=string at '${varsPath}/${i}'`, `${varsPath}/${i}`, e.name);
      assignments.push({ variable: v, dataset: ds });
    });
  }
  // Weights in the file that nothing in the model claims.
  for (const obj of walkH5(root)) {
    if (obj.kind !== "group" || !obj.path.endsWith("vars") || claimed.has(obj.path)) continue;
    if (!includeOptimizer && (obj.path === "optimizer/vars" || obj.path.startsWith("optimizer/"))) continue;
    const n = [...obj.children.values()].filter((c) => c.kind === "dataset").length;
    if (n > 0)
      throw new UnexpectedWeightsError(
        `The weights file holds ${n} variables in '${obj.path}' (name '${String(obj.attrs.get("name") ?? "?")}') that no layer of model '${model.name}' owns: the file was saved from a different architecture. Received: ${obj.path}`,
        obj.path,
        typeof obj.attrs.get("name") === "string" ? (obj.attrs.get("name") as string) : null,
      );
  }
  return { assignments, warnings };
}

/**
 * Decodes every planned dataset first, then assigns them all (so a decoding error leaves the
 * model untouched). Optimizer counters read their new value back on next use.
 * @example applyWeightsLoad(planWeightsLoad(model, readHDF5(bytes)));
 */
export function applyWeightsLoad(plan: WeightsLoadPlan): void {
  const values = plan.assignments.map(({ variable, dataset }) => toTypedArray(dataset.read() as ArrayLike<number>, variable.dtype));
  noGrad(() =>
    tidy(() => {
      plan.assignments.forEach(({ variable }, i) => variable.assign(lax.constant(values[i]!, variable.shape, variable.dtype)));
    }),
  );
}
