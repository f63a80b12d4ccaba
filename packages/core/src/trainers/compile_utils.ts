/**
 * CompileLoss and CompileMetrics (Keras `trainers/compile_utils.py`): what `compile`'s `loss`,
 * `lossWeights`, `metrics` and `weightedMetrics` become, per model output.
 *
 * Both are built lazily on the first batch, because "crossentropy" / "accuracy" are resolved
 * from the target and output shapes (Keras does the same). They work on flat lists aligned with
 * the model's outputs; `outputNames` are the output layers' names (or a dict output's keys).
 *
 * Naming follows Keras 3: with several outputs, metrics are logged as `<output>_<metric>` and,
 * when more than one output has a loss, each loss is tracked as `<output>_loss`.
 */
import { ValueError, fmt } from "../errors";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import * as losses from "../losses/index";
import { Loss } from "../losses/loss";
import * as metricsModule from "../metrics/index";
import { Metric } from "../metrics/metric";
import { Mean } from "../metrics/reduction_metrics";
import { isPlainObject } from "./data/host_array";

/** A per-output spec entry is a leaf (not a list / dict of specs). */
function isSpecLeaf(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    typeof v === "string" ||
    typeof v === "function" ||
    v instanceof Loss ||
    v instanceof Metric ||
    (isPlainObject(v) && "class_name" in v)
  );
}

/** Checks names eagerly so that `compile` (not the first batch) reports an unknown identifier. @example validateLossSpec({ out_a: "mse" }); */
export function validateLossSpec(loss: unknown): void {
  if (isSpecLeaf(loss)) {
    if (typeof loss === "string" && !["crossentropy", "ce"].includes(loss.toLowerCase())) losses.get(loss);
    else if (loss !== null && loss !== undefined && typeof loss !== "string") losses.get(loss);
    return;
  }
  if (Array.isArray(loss)) loss.forEach(validateLossSpec);
  else if (isPlainObject(loss)) Object.values(loss).forEach(validateLossSpec);
  else throw new ValueError(`Could not interpret loss identifier. Received: loss=${fmt(loss)}`);
}

/** Checks a `metrics` argument (list or dict) the way Keras' CompileMetrics does. @example validateMetricsSpec(["accuracy"], "metrics"); */
export function validateMetricsSpec(metrics: unknown, argName: string): void {
  if (metrics === null || metrics === undefined) return;
  if (!Array.isArray(metrics) && !isPlainObject(metrics))
    throw new ValueError(`Expected \`${argName}\` argument to be a list, tuple, or dict. Received instead: ${argName}=${fmt(metrics)}`);
  const check = (m: unknown): void => {
    if (m === null || m === undefined) return;
    if (Array.isArray(m)) return m.forEach(check);
    if (typeof m === "string" && ["accuracy", "acc"].includes(m.toLowerCase())) return;
    if (isSpecLeaf(m)) metricsModule.get(m);
    else throw new ValueError(`Expected all entries in the \`${argName}\` list to be metric objects. Received instead: ${argName}=${fmt(metrics)}`);
  };
  (Array.isArray(metrics) ? metrics : Object.values(metrics)).forEach(check);
}

/** A spec (leaf, list or dict) spread over `n` outputs. */
function perOutput(spec: unknown, n: number, names: readonly string[] | null, argName: string): unknown[] {
  if (isSpecLeaf(spec) || typeof spec === "number") return Array.from({ length: n }, () => spec);
  if (Array.isArray(spec)) {
    if (spec.length !== n)
      throw new ValueError(
        `For a model with ${n} output(s), when providing the \`${argName}\` argument as a list, it should have as many entries as the model has outputs. Received: ${argName}=${fmt(spec)} of length ${spec.length}`,
      );
    return spec;
  }
  if (isPlainObject(spec)) {
    if (!names)
      throw new ValueError(`Argument \`${argName}\` can only be provided as a dict when the model has named outputs. Received: ${argName}=${fmt(spec)}`);
    for (const k of Object.keys(spec))
      if (!names.includes(k))
        throw new ValueError(`In the dict argument \`${argName}\`, key '${k}' does not correspond to any model output. Outputs: ${names.join(", ")}. Received: ${argName}=${fmt(spec)}`);
    return names.map((nm) => (nm in spec ? spec[nm] : null));
  }
  throw new ValueError(`Could not interpret \`${argName}\`. Received: ${argName}=${fmt(spec)}`);
}

interface LossEntry {
  loss: Loss;
  weight: number | null;
  name: string;
}

/**
 * The compiled loss: per-output losses, their weights, and (with several) one Mean tracker per
 * output loss.
 * @example const cl = new CompileLoss("mse", null); const { total } = cl.call([yTrue], [yPred], [null]);
 */
export class CompileLoss {
  built = false;
  entries: (LossEntry | null)[] = [];
  /** One `<name>_loss` Mean per output loss when there are several (Keras `compile_loss.metrics`). */
  trackers: (Mean | null)[] = [];

  constructor(
    readonly loss: unknown,
    readonly lossWeights: unknown = null,
  ) {
    if (lossWeights !== null && lossWeights !== undefined && typeof lossWeights !== "number" && !Array.isArray(lossWeights) && !isPlainObject(lossWeights))
      throw new ValueError(
        `Expected \`loss_weights\` argument to be a float (single output case) or a list, tuple, or dict (multiple output case). Received instead: loss_weights=${fmt(lossWeights)}`,
      );
  }

  get metrics(): Mean[] {
    return this.trackers.filter((t): t is Mean => t !== null);
  }

  build(yTrue: readonly (Tensor | null)[], yPred: readonly Tensor[], names: readonly string[] | null): void {
    const n = yPred.length;
    const specs = perOutput(this.loss, n, names, "loss");
    const weights =
      this.lossWeights === null || this.lossWeights === undefined ? specs.map(() => null) : perOutput(this.lossWeights, n, names, "loss_weights");
    this.entries = specs.map((spec, i) => {
      if (spec === null || spec === undefined) return null;
      const yt = yTrue[i];
      if (!yt)
        throw new ValueError(`No target (y) was given for output ${names ? `"${names[i]}"` : i}, which has a loss. Received: y for ${yTrue.filter(Boolean).length} of ${n} outputs`);
      const resolved = losses.resolveLoss(spec, yt.shape, yPred[i]!.shape)!;
      const w = weights[i];
      if (w !== null && w !== undefined && typeof w !== "number")
        throw new ValueError(`Each loss weight must be a number. Received: loss_weights=${fmt(this.lossWeights)}`);
      return { loss: resolved, weight: (w as number | null | undefined) ?? null, name: names ? names[i]! : resolved.name };
    });
    const count = this.entries.filter(Boolean).length;
    this.trackers = this.entries.map((e) => (e && count > 1 ? new Mean({ name: `${e.name}_loss` }) : null));
    this.built = true;
  }

  /**
   * The weighted total loss and each output's unweighted loss. Builds on first use.
   */
  call(
    yTrue: readonly (Tensor | null)[],
    yPred: readonly Tensor[],
    sampleWeight: readonly (Tensor | null)[],
    names: readonly string[] | null,
  ): { total: Tensor | null; values: (Tensor | null)[] } {
    if (!this.built) this.build(yTrue, yPred, names);
    let total: Tensor | null = null;
    const values = this.entries.map((e, i) => {
      if (!e) return null;
      const yt = yTrue[i];
      if (!yt) throw new ValueError(`No target (y) was given for output ${names ? `"${names[i]}"` : i}, which has a loss. Received: y=None`);
      const v = lax.cast(e.loss.apply(yt, yPred[i]!, sampleWeight[i] ?? null), "float32");
      const weighted = e.weight === null ? v : lax.mul(v, e.weight);
      total = total === null ? weighted : lax.add(total, weighted);
      return v;
    });
    return { total, values };
  }

  /** Folds the unweighted per-output losses into their trackers (weighted by batch size, as Keras). */
  updateTrackers(values: readonly (Tensor | null)[], batchSize: number): void {
    this.trackers.forEach((t, i) => {
      const v = values[i];
      if (t && v) t.updateState(v, batchSize);
    });
  }

  resetState(): void {
    for (const t of this.metrics) t.resetState();
  }
}

interface MetricsList {
  metrics: Metric[];
  outputName: string | null;
}

/**
 * The compiled metrics: per-output lists of `metrics` (updated without sample weights) and
 * `weightedMetrics` (with them).
 * @example const cm = new CompileMetrics(["accuracy"], null); cm.updateState([yTrue], [yPred], [null], null);
 */
export class CompileMetrics {
  built = false;
  private flatMetrics: (MetricsList | null)[] = [];
  private flatWeighted: (MetricsList | null)[] = [];

  constructor(
    readonly userMetrics: unknown,
    readonly userWeightedMetrics: unknown,
  ) {
    validateMetricsSpec(userMetrics, "metrics");
    validateMetricsSpec(userWeightedMetrics, "weighted_metrics");
  }

  /** Every metric object, unweighted first (Keras `compile_metrics.metrics`). */
  get metrics(): Metric[] {
    return [...this.flatMetrics, ...this.flatWeighted].flatMap((m) => m?.metrics ?? []);
  }

  build(yTrue: readonly (Tensor | null)[], yPred: readonly Tensor[], names: readonly string[] | null): void {
    const n = yPred.length;
    const buildSet = (spec: unknown, argName: string): (MetricsList | null)[] => {
      if (spec === null || spec === undefined) return [null];
      const make = (ms: unknown, i: number, outputName: string | null): MetricsList | null => {
        const list = (Array.isArray(ms) ? ms : [ms]).filter((m) => m !== null && m !== undefined);
        const yt = yTrue[i] ?? yPred[i]!;
        return { metrics: list.map((m) => metricsModule.getMetric(m, yt.shape, yPred[i]!.shape)!), outputName };
      };
      if (n === 1) {
        const list = isPlainObject(spec) ? Object.values(spec).flat() : (spec as unknown[]);
        return [make(list, 0, null)];
      }
      if (Array.isArray(spec)) {
        if (spec.length !== n)
          throw new ValueError(
            `For a model with multiple outputs, when providing the \`${argName}\` argument as a list, it should have as many entries as the model has outputs. Received: ${argName}=${fmt(spec)} of length ${spec.length} whereas the model has ${n} outputs.`,
          );
        return spec.map((ms, i) => make(ms, i, names ? names[i]! : null));
      }
      const per = perOutput(spec, n, names, argName);
      return per.map((ms, i) => (ms === null || ms === undefined ? null : make(ms, i, names![i]!)));
    };
    this.flatMetrics = buildSet(this.userMetrics, "metrics");
    this.flatWeighted = buildSet(this.userWeightedMetrics, "weighted_metrics");
    this.built = true;
  }

  updateState(yTrue: readonly (Tensor | null)[], yPred: readonly Tensor[], sampleWeight: readonly (Tensor | null)[], names: readonly string[] | null): void {
    if (!this.built) this.build(yTrue, yPred, names);
    this.flatMetrics.forEach((ml, i) => {
      const yt = yTrue[i];
      if (ml && yt) for (const m of ml.metrics) m.updateState(yt, yPred[i]!);
    });
    this.flatWeighted.forEach((ml, i) => {
      const yt = yTrue[i];
      if (ml && yt) for (const m of ml.metrics) m.updateState(yt, yPred[i]!, sampleWeight[i] ?? null);
    });
  }

  resetState(): void {
    for (const m of this.metrics) m.resetState();
  }

  /** `[name, metric]` in Keras' result order and naming (output prefixes, `weighted_` on clashes). */
  namedMetrics(): [string, Metric][] {
    if (!this.built) return [];
    const out: [string, Metric][] = [];
    const counters = new Map<string, number>();
    for (const ml of this.flatMetrics) {
      if (!ml) continue;
      for (const m of ml.metrics) {
        let name = ml.outputName ? `${ml.outputName}_${m.name}` : m.name;
        const seen = counters.get(name);
        if (seen === undefined) counters.set(name, 1);
        else {
          counters.set(name, seen + 1);
          name = `${name}_${seen}`;
        }
        out.push([name, m]);
      }
    }
    for (const ml of this.flatWeighted) {
      if (!ml) continue;
      for (const m of ml.metrics) {
        let name = ml.outputName ? `${ml.outputName}_${m.name}` : m.name;
        if (!counters.has(name)) counters.set(name, 1);
        else {
          name = ml.outputName ? `${ml.outputName}_weighted_${m.name}` : `weighted_${m.name}`;
          const seen = counters.get(name);
          if (seen === undefined) counters.set(name, 1);
          else {
            counters.set(name, seen + 1);
            name = `${name}_${seen}`;
          }
        }
        out.push([name, m]);
      }
    }
    return out;
  }
}
