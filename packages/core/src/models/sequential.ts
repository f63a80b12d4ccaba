/**
 * Sequential: a stack of layers, sugar over Functional. With an Input first (or a first layer
 * given `inputShape`) the graph is built at once; otherwise on the first call.
 */
import { ValueError, fmt } from "../errors";
import { KerasTensor } from "../symbolic/keras_tensor";
import { flatten } from "../utils/nest";
import { Layer, type CallArgs, type LayerOptions, type Shape } from "../layers/layer";
import { InputLayer } from "../layers/core/input_layer";
import { Functional, serializeLayerForModel } from "./functional";
import { Model } from "./model";
import { deserializeKerasObject } from "../saving/serialization";
import { InvalidConfigError } from "../saving/errors";

export class Sequential extends Model {
  static override className = "Sequential";
  private _layers: Layer[] = [];
  private _functional: Functional | null = null;

  /**
   * @example
   * const model = new keras.Sequential([keras.Input([20]), new keras.layers.Dense(10, { activation: "softmax" })]);
   */
  constructor(layers: (Layer | KerasTensor)[] = [], options: LayerOptions = {}) {
    super(options);
    for (const l of layers) this.add(l, false);
    this.maybeRebuild();
  }

  /** Appends a layer (or a `keras.Input`). */
  add(layer: Layer | KerasTensor, rebuild = true): void {
    let l: Layer;
    if (layer instanceof KerasTensor) {
      const op = layer.kerasHistory?.node.operation;
      if (!(op instanceof InputLayer))
        throw new ValueError(`Sequential.add: only keras.Input() tensors or layers can be added. Received: ${layer}`);
      l = op;
    } else if (layer instanceof Layer) l = layer;
    else throw new ValueError(`Sequential.add: expected a Layer. Received: ${fmt(layer)}`);
    if (l instanceof InputLayer && this._layers.some((x) => x instanceof InputLayer))
      throw new ValueError(`Sequential "${this.name}": an InputLayer can only be the first layer. Received: ${l.name}`);
    if (l instanceof InputLayer && this._layers.length > 0)
      throw new ValueError(`Sequential "${this.name}": an InputLayer must come first. Received: ${l.name} at position ${this._layers.length}`);
    if (this._layers.some((x) => x.name === l.name))
      throw new ValueError(`All layers added to a Sequential model should have unique names. Name "${l.name}" is already the name of a layer in this model. Update the \`name\` argument to pass a unique name. Received: name=${l.name}`);
    if (this._layers.length === 0 && !(l instanceof InputLayer) && l.batchInputShape)
      this._layers.push(new InputLayer({ batchShape: l.batchInputShape }));
    this._layers.push(l);
    if (rebuild) this.maybeRebuild();
    else this._functional = null;
  }

  /** Removes the last layer. */
  pop(): Layer {
    const l = this.layers[this.layers.length - 1];
    if (!l) throw new ValueError(`Sequential "${this.name}": there are no layers to pop. Received: 0 layers`);
    this._layers.splice(this._layers.indexOf(l), 1);
    this._functional = null;
    this.built = false;
    this.maybeRebuild();
    return l;
  }

  private maybeRebuild(): void {
    const first = this._layers[0];
    if (first instanceof InputLayer && this._layers.length > 1) this.buildGraph(first);
  }

  private buildGraph(input: InputLayer): void {
    let x: unknown = input.output;
    for (const l of this._layers.slice(1)) {
      x = l.apply(x);
      if (flatten(x).length !== 1)
        throw new ValueError(`Sequential "${this.name}": layer "${l.name}" returned ${flatten(x).length} tensors; all layers in a Sequential model should have a single output tensor. Received: ${flatten(x).length} outputs`);
    }
    this._functional = new Functional(input.output, x, { name: this.name });
    this.built = true;
    this.buildInputShape = [...input.batchShape];
  }

  override build(inputShape: unknown): void {
    if (this._functional) return;
    const shape = inputShape as Shape;
    const first = this._layers[0];
    const input = first instanceof InputLayer ? first : new InputLayer({ batchShape: [null, ...shape.slice(1)] });
    if (!(first instanceof InputLayer)) this._layers.unshift(input);
    this.buildGraph(input);
  }

  override get layers(): Layer[] {
    return this._layers.filter((l) => !(l instanceof InputLayer));
  }

  override get inputs(): KerasTensor[] | null {
    return this._functional?.inputs ?? null;
  }
  override get outputs(): KerasTensor[] | null {
    return this._functional?.outputs ?? null;
  }

  override call(inputs: unknown, args: CallArgs = {}): unknown {
    if (this._functional) return this._functional.call(inputs, args);
    let x = inputs;
    for (const l of this.layers) x = l.apply(x, args.training === undefined ? {} : { training: args.training });
    return x;
  }

  /**
   * Keras `Sequential.get_config()`: name, trainable, dtype, every layer (the InputLayer first)
   * and, once built, `build_input_shape`.
   * @example model.getConfig().layers[0].class_name // "InputLayer"
   */
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      name: this.name,
      layers: this._layers.map((l) => serializeLayerForModel(l)),
    };
    delete config.batch_input_shape;
    if (this._functional) config.build_input_shape = [...(this._layers[0] as InputLayer).batchShape];
    return config;
  }

  /**
   * Keras `Sequential.from_config`: adds each deserialized layer, then builds from
   * `build_input_shape` when no InputLayer built the model already.
   * @example const copy = keras.Sequential.fromConfig(model.getConfig());
   */
  static fromConfig(config: Record<string, unknown> | unknown[]): Sequential {
    const named = !Array.isArray(config);
    const layerConfigs = named ? (config as Record<string, unknown>).layers : config;
    if (!Array.isArray(layerConfigs))
      throw new InvalidConfigError(`Sequential.fromConfig: \`layers\` must be a list. Received: layers=${fmt(layerConfigs)}`);
    const c = (named ? config : {}) as Record<string, unknown>;
    const options: LayerOptions = {};
    if (typeof c.name === "string") options.name = c.name;
    if (typeof c.trainable === "boolean") options.trainable = c.trainable;
    if (c.dtype !== undefined && c.dtype !== null) options.dtype = c.dtype as LayerOptions["dtype"];
    const model = new Sequential([], options);
    for (const lc of layerConfigs) {
      const layer = deserializeKerasObject(lc);
      if (!(layer instanceof Layer))
        throw new InvalidConfigError(`Sequential.fromConfig: every entry of \`layers\` must be a layer. Received: ${fmt((lc as { class_name?: unknown })?.class_name ?? lc)}`);
      model.add(layer);
    }
    const shape = c.build_input_shape;
    if (!model._functional && Array.isArray(shape) && shape.length > 0) model.build(shape);
    return model;
  }

  override computeOutputSpec(inputs: unknown, args: CallArgs = {}): unknown {
    if (this._functional) return this._functional.computeOutputSpec(inputs);
    return this.call(inputs, args);
  }
}
