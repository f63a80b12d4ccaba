/**
 * Page side of the webgl parity run: the shared parity suite (`@webkeras/parity`, written for
 * vitest) registered through the in-page vitest shim and run in Chromium, every case reported
 * back to `parity.test.ts`.
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import { runParitySuite } from "@webkeras/parity";
import "../../src/index";
import { KNOWN_GAPS } from "./known_gaps";

const filter = new URLSearchParams(location.search).get("filter");
runParitySuite({ backend: "webgl", knownGaps: KNOWN_GAPS, filter: filter ? (id) => id.includes(filter) : undefined });
await runRegistered();
