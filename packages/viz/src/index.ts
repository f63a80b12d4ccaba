/**
 * @webkeras/viz: see a model and its training. `plotModel` draws a model's graph (Keras
 * `keras.utils.plot_model`), `plotHistory` draws `fit`'s loss and metric curves, and
 * `LiveChartCallback` redraws those curves while `fit` runs. Plots are SVG strings (Node and
 * browsers alike); the `...Element` helpers return SVG elements in a browser.
 *
 * @example
 * import { plotModel, plotHistory } from "@webkeras/viz";
 * const svg = plotModel(model, { showShapes: true, showLayerNames: true });
 */
export {
  plotModel,
  modelGraph,
  formatShape,
  type PlotModelOptions,
  type PlotGraph,
  type PlotNode,
  type PlotRow,
  type PlotCluster,
} from "./plot_model";
export {
  plotHistory,
  metricNames,
  type HistoryLike,
  type PlotHistoryOptions,
} from "./plot_history";
export { LiveChartCallback, type ChartTarget, type LiveChartOptions } from "./live_chart";
export {
  renderChart,
  niceTicks,
  TRAIN_COLOR,
  VAL_COLOR,
  type Panel,
  type Series,
  type ChartOptions,
} from "./chart";
export { svgElement, plotModelElement, plotHistoryElement } from "./dom";
export { textWidth, FONT_FAMILY } from "./svg";
