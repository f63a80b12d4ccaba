/**
 * Browser helpers: the plots as SVG elements rather than strings. Kept apart so the string
 * functions need no DOM (they run in Node, workers and tests).
 */
import { plotModel, type PlotModelOptions } from "./plot_model";
import { plotHistory, type HistoryLike, type PlotHistoryOptions } from "./plot_history";
import type { Layer, Model } from "@webkeras/core";

/**
 * Parses an SVG string into an `SVGSVGElement` of `doc` (default: the page's document).
 * @example document.body.append(svgElement('<svg xmlns="http://www.w3.org/2000/svg"/>'));
 */
export function svgElement(svg: string, doc: Document = globalThis.document): SVGSVGElement {
  if (!doc)
    throw new Error(
      "svgElement: there is no document here (use the string form, plotModel / plotHistory). Received: document=undefined",
    );
  const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = parsed.documentElement;
  if (root.nodeName !== "svg")
    throw new Error(`svgElement: the string is not an SVG document. Received: <${root.nodeName}>`);
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}

/**
 * `plotModel` as an element, ready to insert into the page.
 * @example document.querySelector("#graph")!.replaceChildren(plotModelElement(model, { showShapes: true }));
 */
export function plotModelElement(
  model: Model | Layer,
  options: PlotModelOptions = {},
): SVGSVGElement {
  return svgElement(plotModel(model, options));
}

/**
 * `plotHistory` as an element.
 * @example document.body.append(plotHistoryElement(history));
 */
export function plotHistoryElement(
  history: HistoryLike,
  options: PlotHistoryOptions = {},
): SVGSVGElement {
  return svgElement(plotHistory(history, options));
}
