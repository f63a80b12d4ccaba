import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Vitest 5's reporter calls Map.groupBy (Node 21+) when it prints a failure; on Node 20 that
// crashes the report and hides the failing assertion. Polyfill it in the main process.
if (typeof (Map as unknown as { groupBy?: unknown }).groupBy !== "function") {
  (Map as unknown as { groupBy: unknown }).groupBy = <K, V>(items: Iterable<V>, key: (v: V, i: number) => K) => {
    const out = new Map<K, V[]>();
    let i = 0;
    for (const v of items) {
      const k = key(v, i++);
      const list = out.get(k);
      if (list) list.push(v);
      else out.set(k, [v]);
    }
    return out;
  };
}

export default defineConfig({
  resolve: {
    // Tests run against sources, so no build is needed before `vitest`.
    alias: [
      {
        find: /^@webkeras\/core$/,
        replacement: fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "demos/*/test/**/*.test.ts", "e2e/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "bench/**"],
    environment: "node",
    testTimeout: 60_000,
  },
});
