// ESLint flat config: typescript-eslint's recommended rules without type information
// (type-aware rules are too slow here; `pnpm typecheck` covers types).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores([
    "**/dist/",
    "**/node_modules/",
    "**/coverage/",
    "**/.vite/",
    "**/test-results/",
    "**/playwright-report/",
    "bench/.cache/",
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },
  {
    // Scripts, configs and tests run in Node.
    files: ["**/*.{js,mjs,cjs}", "*.config.ts", "**/scripts/**", "packages/*/test/**"],
    languageOptions: { globals: globals.node },
  },
);
