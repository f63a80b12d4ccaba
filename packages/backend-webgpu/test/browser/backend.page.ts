/**
 * Page side of the webgpu backend checks in Chromium (see ../browser.test.ts): training parity
 * with the cpu backend and the live-buffer count after a disposed training loop, the same tests
 * as in Node (../training_suite.ts).
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import "../../src/index";
import { trainingSuite } from "../training_suite";

trainingSuite();
await runRegistered();
