import { afterAll } from "vitest";
import { memory } from "@webkeras/core";
import { runParitySuite } from "@webkeras/parity";
import { installDawn } from "./dawn";

const pat = new RegExp(process.env.PROBE ?? ".");
runParitySuite({ backend: "webgpu", setup: async () => { await installDawn(); await import("../src/index"); }, filter: (id) => pat.test(id) });
afterAll(() => {
  console.log("PROBE", JSON.stringify(memory().backends["webgpu"]), "rss MB", Math.round(process.memoryUsage().rss / 1e6));
});
