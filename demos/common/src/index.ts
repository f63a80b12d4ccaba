/**
 * @webkeras/demo-common: what the demos share (see each module). Pages only; the Vite config
 * lives in `vite.ts`.
 */
export { DIGITS_FILE, PIXELS, MODEL_URL } from "./constants";
export { readParams, withParam, type DemoParams } from "./params";
export { seededRandom, shuffle } from "./random";
export {
  loadDigits,
  take,
  splitDigits,
  pickPerClass,
  type Digits,
  type DigitSet,
  type SplitOptions,
} from "./digits";
export { DrawPad, mnistLike, type DrawPadOptions } from "./draw_pad";
export { loadBackends, useBackend, type BackendList } from "./backends";
export { Results, type Status } from "./results";
export { byId, backendPicker, ProgressCallback } from "./ui";
export { loadModelFrom, type ModelSource } from "./models";
