// Placeholder: replaced by the trainer module (compile / fit / evaluate / predict).
import { KerasError } from "../errors";
import type { Model } from "../models/model";

/** Trainer state stored on a compiled model. */
export type CompiledState = Record<string, unknown>;
export type CompileConfig = Record<string, unknown>;
export type DataInput = unknown;
export type FitOptions = Record<string, unknown>;
export type EvaluateOptions = Record<string, unknown>;
export type PredictOptions = Record<string, unknown>;
export type BatchOptions = Record<string, unknown>;
export type History = { history: Record<string, number[]> };

const todo = (what: string): never => {
  throw new KerasError(`Model.${what} is not implemented yet. Received: ${what}`);
};
export const compile = (_m: Model, _c: CompileConfig): void => todo("compile");
export const fit = async (_m: Model, ..._a: unknown[]): Promise<History> => todo("fit");
export const evaluate = async (_m: Model, ..._a: unknown[]): Promise<unknown> => todo("evaluate");
export const predict = async (_m: Model, ..._a: unknown[]): Promise<unknown> => todo("predict");
export const trainOnBatch = async (_m: Model, ..._a: unknown[]): Promise<unknown> => todo("trainOnBatch");
export const testOnBatch = async (_m: Model, ..._a: unknown[]): Promise<unknown> => todo("testOnBatch");
export const predictOnBatch = async (_m: Model, ..._a: unknown[]): Promise<unknown> => todo("predictOnBatch");
