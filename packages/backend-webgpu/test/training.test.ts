/**
 * Training parity in Node on Dawn (see training_suite.ts; the same tests run in Chromium through
 * browser.test.ts). Skips where WebGPU is unavailable (see dawn.ts).
 */
import { installDawn } from "./dawn";
import { trainingSuite } from "./training_suite";
import "../src/index";

trainingSuite({ setup: installDawn });
