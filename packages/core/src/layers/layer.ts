/**
 * Layer: the Keras 3 building block. A layer owns Variables (`addWeight`), is built lazily from
 * its first input shape, and is called through `apply`: symbolic inputs (KerasTensor) record a
 * graph node and compute nothing; concrete inputs compute on the active backend.
 *
 * Subclasses set `static className` (the Keras class name written to `.keras` files; JavaScript
 * class names do not survive minification) and implement `call`, usually `build`, and
 * `getConfig`.
 */
import { KerasError, ShapeError, ValueError, fmt } from "../errors";
import { endScope, engine, keep, startScope } from "../engine/engine";
import * as initializers from "../initializers/index";
import * as regularizers from "../regularizers/index";
import * as constraints from "../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../initializers/initializer";
import { KerasTensor } from "../symbolic/keras_tensor";
import { Node, type Operation } from "../symbolic/node";
import { standardizeDType, type DType } from "../tensor/dtype";
import { Tensor } from "../tensor/tensor";
import { flatten, isLeaf, packSequenceAs, type Leaf } from "../utils/nest";
import { toSnakeCase, uniqueName } from "../utils/naming";
import { Variable } from "../variables/variable";
import * as lax from "../primitives/lax";
import { noGrad } from "../autodiff/grad";
import { configToOptions } from "../saving/serialization";

export type Shape = (number | null)[];

/**
 * What a layer takes and returns: a tensor (Tensor or KerasTensor) or any structure of them, as
 * in Keras, where layers are dynamically typed. Subclasses narrow it in their own signatures.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerIO = any;

/** Keyword arguments of a layer call (Keras `__call__(..., training=None, mask=None, **kwargs)`). */
export interface CallArgs {
  training?: boolean;
  mask?: unknown;
  [key: string]: unknown;
}

export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  /** "float32" or a serialized DTypePolicy. */
  dtype?: DType | string | { class_name?: string; config?: { name?: string } } | null;
  /** Sequential sugar: the first layer may declare its input shape (without batch dim). */
  inputShape?: Shape;
  batchSize?: number;
  inputDim?: number;
  activityRegularizer?: Regularizer | string | Record<string, unknown> | null;
}

export interface AddWeightOptions {
  shape: readonly number[];
  initializer?: Initializer | string | Record<string, unknown> | null;
  dtype?: DType | string;
  trainable?: boolean;
  regularizer?: Regularizer | string | Record<string, unknown> | null;
  constraint?: Constraint | string | Record<string, unknown> | null;
  name?: string;
}

/** What `initializers.get` / `regularizers.get` / `constraints.get` accept. */
export type Identifier<T> = T | string | Record<string, unknown> | null;

/** Keras' kernel / bias weight arguments: an initializer, regularizer and constraint for each. */
export interface KernelBiasOptions {
  kernelInitializer?: Identifier<Initializer>;
  biasInitializer?: Identifier<Initializer>;
  kernelRegularizer?: Identifier<Regularizer>;
  biasRegularizer?: Identifier<Regularizer>;
  kernelConstraint?: Identifier<Constraint>;
  biasConstraint?: Identifier<Constraint>;
}

/** Serialized DTypePolicy, as Keras 3 writes it. */
export function serializeDTypePolicy(name: string): Record<string, unknown> {
  return { module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null };
}

let callDepth = 0;

export abstract class Layer implements Operation {
  /** Keras class name (written to files). */
  static className = "Layer";

  name: string;
  readonly dtype: DType;
  built = false;
  /** Keras `supports_masking`. */
  supportsMasking = false;
  /** The `input_shape` the layer was built with (Keras build_config). */
  buildInputShape: unknown = null;
  /** Graph nodes where this layer was called on symbolic inputs, in call order. */
  readonly inboundNodes: Node[] = [];
  activityRegularizer: Regularizer | null;
  /** Sequential sugar: the batch shape given through `inputShape` / `batchSize`. */
  batchInputShape: Shape | null = null;

  protected _trainable: boolean;
  protected _trainableVariables: Variable[] = [];
  protected _nonTrainableVariables: Variable[] = [];
  protected _losses: Tensor[] = [];

  constructor(options: LayerOptions = {}) {
    const cls = this.constructor as typeof Layer;
    this.name = options.name ?? uniqueName(toSnakeCase(cls.className));
    if (typeof this.name !== "string" || this.name.length === 0 || this.name.includes("/"))
      throw new ValueError(`${cls.className}: a layer name must be a non-empty string without "/". Received: name=${fmt(options.name)}`);
    this._trainable = options.trainable ?? true;
    const dt = options.dtype;
    this.dtype =
      dt === undefined || dt === null
        ? "float32"
        : typeof dt === "string"
          ? standardizeDType(dt, `${cls.className} "${this.name}"`)
          : standardizeDType(dt.config?.name ?? "float32", `${cls.className} "${this.name}"`);
    this.activityRegularizer = options.activityRegularizer ? regularizers.get(options.activityRegularizer) : null;
    if (options.inputShape || options.inputDim !== undefined) {
      const shape = options.inputShape ?? [options.inputDim!];
      this.batchInputShape = [options.batchSize ?? null, ...shape];
    }
  }

  /** Keras class name of this instance. */
  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  get trainable(): boolean {
    return this._trainable;
  }
  set trainable(value: boolean) {
    this._trainable = value;
    for (const l of this.subLayers) l.trainable = value;
  }

  /**
   * Creates the layer's weights from the input shape. Override, create weights with `addWeight`,
   * and call `super.build(inputShape)` (or leave `built` to `apply`).
   */
  build(inputShape: unknown): void {
    this.buildInputShape = inputShape;
    this.built = true;
  }

  /** The forward computation. `inputs` is a tensor or a structure of tensors. */
  abstract call(inputs: LayerIO, args: CallArgs): LayerIO;

  /**
   * Calls the layer (Keras `__call__`). Symbolic inputs record a node and compute nothing;
   * concrete inputs compute.
   * @example const y = new keras.layers.Dense(4).apply(keras.Input([3]));
   */
  apply(inputs: LayerIO, args: CallArgs = {}): LayerIO {
    const leaves = [...flatten(inputs), ...flatten(args)];
    const symbolic = leaves.some((t) => t instanceof KerasTensor);
    const outer = callDepth === 0;
    callDepth++;
    try {
      if (outer) this.clearLosses();
      // Keras masking: a mask attached to the inputs (`_keras_mask`) is passed as `mask` to
      // layers that support masking, and their outputs carry the mask they compute.
      const previousMask = inputMasks(inputs);
      // An explicit `mask: null` counts as absent, as in Keras (`arguments_dict["mask"] is None`).
      if ((args.mask === undefined || args.mask === null) && previousMask !== null && this.supportsMasking) args = { ...args, mask: previousMask };
      this.maybeBuild(inputs);
      const out = symbolic ? this.symbolicCall(inputs, args, leaves) : this.call(inputs, args);
      if (!symbolic && this.activityRegularizer)
        for (const t of flatten(out)) this.addLoss(this.activityRegularizer.call(t as Tensor));
      if (this.supportsMasking) this.setMaskMetadata(inputs, out, args.mask === undefined ? previousMask : args.mask);
      return out;
    } finally {
      callDepth--;
    }
  }

  /** Attaches `computeMask(inputs, mask)` (or the incoming mask) to each output tensor. */
  private setMaskMetadata(inputs: unknown, outputs: unknown, mask: unknown): void {
    const compute = (this as unknown as { computeMask?: (i: unknown, m: unknown) => unknown }).computeMask;
    const outMask = compute ? compute.call(this, inputs, mask ?? null) : (mask ?? null);
    const outs = flatten(outputs);
    const masks = outMask === null || outMask === undefined ? [] : isLeaf(outMask) ? outs.map(() => outMask) : flatten(outMask);
    outs.forEach((t, i) => {
      const m = masks[i] ?? null;
      (t as { kerasMask: unknown }).kerasMask = m;
    });
  }

  /** Builds from the shapes of `inputs` if not built yet. */
  maybeBuild(inputs: unknown): void {
    if (this.built) return;
    const shapes = shapeStructure(inputs);
    try {
      noGrad(() => this.build(shapes));
    } catch (err) {
      throw this.wrapError(err, inputs);
    }
    this.buildInputShape ??= shapes;
    this.built = true;
  }

  /** Output spec for symbolic inputs; default: trace `call` on KerasTensors. */
  computeOutputSpec(inputs: LayerIO, args: CallArgs = {}): LayerIO {
    return this.call(inputs, args);
  }

  /** Output shape for an input shape; default: trace `call` on KerasTensors of that shape. */
  computeOutputShape(inputShape: unknown): unknown {
    const spec = this.computeOutputSpec(
      packSequenceAs(
        shapeStructureTemplate(inputShape),
        flattenShapes(inputShape).map((s) => new KerasTensor(s, this.dtype)),
      ),
    );
    return packSequenceAs(spec, flatten(spec).map((t) => [...t.shape]));
  }

  private symbolicCall(inputs: unknown, args: CallArgs, leaves: Leaf[]): unknown {
    let spec: unknown;
    // Trace for specs only: constants the trace makes (relu's 0, say) are freed at once.
    const e = engine();
    e.specOnly++;
    startScope();
    try {
      spec = this.computeOutputSpec(inputs, args);
    } catch (err) {
      throw this.wrapError(err, inputs);
    } finally {
      e.specOnly--;
      endScope();
    }
    const outs = flatten(spec).map((t) => new KerasTensor(t.shape, t.dtype, uniqueName("keras_tensor")));
    const symbolicInputs = leaves.filter((t): t is KerasTensor => t instanceof KerasTensor);
    const node = new Node(this, symbolicInputs, outs, { structure: { inputs, args } });
    this.inboundNodes.push(node);
    return packSequenceAs(spec, outs);
  }

  /** Replays a recorded call (Functional models). */
  callNode(inputs: unknown[], node: Node, overrides: CallArgs = {}): unknown[] {
    const [newInputs, newArgs] = this.replayArgs(inputs, node);
    return flatten(this.apply(newInputs, { ...newArgs, ...overrides }));
  }

  /** Output specs of a recorded call on new symbolic inputs, recording nothing on this layer. */
  specNode(inputs: unknown[], node: Node): unknown[] {
    const [newInputs, newArgs] = this.replayArgs(inputs, node);
    return flatten(this.computeOutputSpec(newInputs, newArgs));
  }

  /** The recorded call structure with its symbolic leaves replaced by `inputs`, in order. */
  private replayArgs(inputs: unknown[], node: Node): [unknown, CallArgs] {
    const structure = node.callArgs.structure as { inputs: unknown; args: CallArgs };
    const recorded = [...flatten(structure.inputs), ...flatten(structure.args)];
    let k = 0;
    const values = recorded.map((t) => (t instanceof KerasTensor ? inputs[k++] : t));
    const nIn = flatten(structure.inputs).length;
    return [packSequenceAs(structure.inputs, values.slice(0, nIn)), packSequenceAs<CallArgs>(structure.args, values.slice(nIn))];
  }

  private wrapError(err: unknown, inputs: unknown): Error {
    if (err instanceof KerasError && !(err.message.startsWith(`Layer "${this.name}"`))) {
      const shapes = flatten(inputs).map((t) => fmt(t.shape)).join(", ");
      const E = err instanceof ShapeError ? ShapeError : err instanceof ValueError ? ValueError : KerasError;
      const wrapped = new E(`Layer "${this.name}" (${this.className}) called on input shape ${shapes}: ${err.message}`);
      return wrapped;
    }
    return err as Error;
  }

  /**
   * Adds a weight variable (Keras `add_weight`).
   * @example this.kernel = this.addWeight({ shape: [inDim, this.units], initializer: "glorot_uniform", name: "kernel" });
   */
  addWeight(options: AddWeightOptions): Variable {
    const name = options.name ?? `variable_${this._trainableVariables.length + this._nonTrainableVariables.length}`;
    const dtype = options.dtype !== undefined ? standardizeDType(options.dtype, `${this.name}.addWeight`) : this.dtype;
    const shape = [...options.shape];
    if (shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new ValueError(`Layer "${this.name}" (${this.className}): addWeight("${name}") needs a fully known non-negative shape. Received: shape=${fmt(options.shape)}`);
    const init = initializers.get(options.initializer ?? (dtype === "float32" ? "glorot_uniform" : "zeros"));
    const value = noGrad(() => init.call(shape, dtype));
    const trainable = options.trainable ?? true;
    const v = new Variable(value, {
      name,
      dtype,
      trainable,
      constraint: options.constraint ? constraints.get(options.constraint) : null,
    });
    value.dispose();
    v.path = `${this.name}/${name}`;
    const reg = options.regularizer ? regularizers.get(options.regularizer) : null;
    if (reg) this._regularizers.push([v, reg]);
    (trainable ? this._trainableVariables : this._nonTrainableVariables).push(v);
    return v;
  }

  private _regularizers: [Variable, Regularizer][] = [];

  /** Sub-layers found on this layer's own properties (Keras auto-tracking), in assignment order. */
  get subLayers(): Layer[] {
    const out: Layer[] = [];
    const visit = (v: unknown): void => {
      if (v instanceof Layer) {
        if (v !== this && !out.includes(v)) out.push(v);
      } else if (Array.isArray(v)) v.forEach(visit);
    };
    for (const [k, v] of Object.entries(this)) {
      if (k === "inboundNodes" || k.startsWith("__")) continue;
      visit(v);
    }
    return out;
  }

  /** All weights: own trainable, own non-trainable, then sub-layers' (Keras order). */
  get weights(): Variable[] {
    const out: Variable[] = [...this._trainableVariables, ...this._nonTrainableVariables];
    for (const l of this.subLayers) for (const w of l.weights) if (!out.includes(w)) out.push(w);
    return out;
  }

  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const out: Variable[] = [...this._trainableVariables];
    for (const l of this.subLayers) for (const w of l.trainableWeights) if (!out.includes(w)) out.push(w);
    return out;
  }

  get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((w) => !trainable.has(w));
  }

  get variables(): Variable[] {
    return this.weights;
  }

  /** Adds a loss tensor (Keras `add_loss`), collected in `losses` until the next outer call. */
  addLoss(loss: Tensor): void {
    if (loss instanceof Tensor) this._losses.push(keep(loss));
  }

  /** Losses added during the last call plus the weight regularization penalties, recursively. */
  get losses(): Tensor[] {
    // Each layer once: a Sequential reaches its layers both directly and through its graph.
    const out: Tensor[] = [];
    const seen = new Set<Layer>();
    const visit = (layer: Layer): void => {
      if (seen.has(layer)) return;
      seen.add(layer);
      out.push(...layer._losses);
      for (const [v, reg] of layer._regularizers) out.push(reg.call(v.value));
      for (const l of layer.subLayers) visit(l);
    };
    visit(this);
    return out;
  }

  clearLosses(): void {
    for (const t of this._losses) t.dispose();
    this._losses = [];
    for (const l of this.subLayers) l.clearLosses();
  }

  /** Number of scalars in the weights. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** Weight values, in `weights` order. */
  async getWeights(): Promise<ArrayLike<number>[]> {
    return Promise.all(this.weights.map((w) => w.value.data()));
  }

  /** Sets weight values from arrays or tensors, in `weights` order. */
  setWeights(values: readonly (ArrayLike<number> | Tensor)[]): void {
    const ws = this.weights;
    if (values.length !== ws.length)
      throw new ValueError(`Layer "${this.name}" (${this.className}): setWeights expects ${ws.length} arrays. Received: ${values.length} arrays`);
    ws.forEach((w, i) => {
      const v = values[i]!;
      if (v instanceof Tensor) w.assign(v);
      else {
        if (v.length !== w.size)
          throw new ValueError(`Layer "${this.name}": weight "${w.path}" has shape ${fmt(w.shape)} (${w.size} values). Received: ${v.length} values`);
        const t = lax.constant(v, w.shape, w.dtype);
        w.assign(t);
        t.dispose();
      }
    });
  }

  /** Keras config: the constructor arguments, with Keras' snake_case keys. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      trainable: this.trainable,
      dtype: serializeDTypePolicy(this.dtype),
    };
    if (this.batchInputShape) config.batch_input_shape = this.batchInputShape;
    return config;
  }

  /** Keras build_config. */
  getBuildConfig(): Record<string, unknown> | null {
    return this.buildInputShape === null ? null : { input_shape: this.buildInputShape };
  }

  /**
   * Builds from a `getBuildConfig()` dict (Keras `build_from_config`): its `input_shape` goes to
   * `build`. Layers with another build config (a `shapes_dict`) override it.
   */
  buildFromConfig(config: Record<string, unknown> | null): void {
    if (config === null || config === undefined || config.input_shape === undefined) return;
    buildLayer(this, config.input_shape);
  }

  /** Frees the layer's variables. */
  dispose(): void {
    for (const w of this.weights) w.dispose();
    this.clearLosses();
  }

  toString(): string {
    return `<${this.className} name=${this.name}, built=${this.built}>`;
  }
}

/**
 * Constructor options from a Keras layer config: snake_case keys become camelCase, and the base
 * layer's `batch_input_shape` becomes `inputShape` + `batchSize`. `positional` keys are removed
 * (they are the constructor's positional arguments).
 */
export function optionsFromConfig<T extends LayerOptions>(
  config: Record<string, unknown>,
  positional: readonly string[] = [],
): T {
  const rest: Record<string, unknown> = { ...config };
  for (const k of positional) delete rest[k];
  const batchInputShape = rest.batch_input_shape as Shape | undefined;
  delete rest.batch_input_shape;
  delete rest.batch_shape;
  const options = configToOptions(rest);
  if (Array.isArray(batchInputShape)) {
    options.inputShape = batchInputShape.slice(1);
    if (batchInputShape[0] !== null) options.batchSize = batchInputShape[0];
  }
  return options as T;
}

/**
 * Builds `layer` for `inputShape` if it is not built yet, outside any gradient tape, as
 * `maybeBuild` does for inputs (layers that own other layers build them with it).
 */
export function buildLayer(layer: Layer, inputShape: unknown): void {
  if (layer.built) return;
  noGrad(() => layer.build(inputShape));
  layer.buildInputShape ??= inputShape;
  layer.built = true;
}

/** The masks attached to `inputs` (same structure; a single mask for one tensor), or null. */
function inputMasks(inputs: unknown): unknown {
  const leaves = flatten(inputs);
  if (!leaves.some((t) => t.kerasMask)) return null;
  if (isLeaf(inputs)) return inputs.kerasMask;
  return leaves.map((t) => t.kerasMask ?? null);
}

/** Shapes of the tensors in `inputs`, in the same structure (a single shape for one tensor). */
function shapeStructure(inputs: unknown): unknown {
  if (isLeaf(inputs)) return [...inputs.shape];
  return packSequenceAs(inputs, flatten(inputs).map((t) => [...t.shape]));
}

/** Is `x` a single shape (array of numbers / nulls) rather than a structure of shapes? */
function isShape(x: unknown): x is Shape {
  return Array.isArray(x) && x.every((d) => d === null || typeof d === "number");
}

function flattenShapes(x: unknown): Shape[] {
  if (isShape(x)) return [x];
  if (Array.isArray(x)) return x.flatMap(flattenShapes);
  if (x && typeof x === "object") return Object.values(x).flatMap(flattenShapes);
  throw new ValueError(`computeOutputShape: expected a shape or a structure of shapes. Received: ${fmt(x)}`);
}

/** A structure like `x` with a placeholder tensor at each shape (for packSequenceAs). */
function shapeStructureTemplate(x: unknown): unknown {
  if (isShape(x)) return new KerasTensor([], "float32");
  if (Array.isArray(x)) return x.map(shapeStructureTemplate);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shapeStructureTemplate(v)]));
  return x;
}
