import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// The dashboard's areas: components/<area> and hooks/<area> are the area's own. An area's code uses
// its own, the shared components/ui, hooks/ (its root files), lib, types and api, and hooks/auth (the
// signed-in user and what they may do, which every area asks), never another area's internals; the
// shared code uses no area. Pages put the areas together and may use any.
const COMPONENT_AREAS = ["account", "alerts", "auth", "layout", "monitoring"];
const HOOK_AREAS = ["alerts", "auth", "monitoring"];
const SHARED_HOOK_AREAS = ["auth"];

const oneOf = (names) => `(${names.join("|")})`;
const restricted = (regex, message) => ({ regex, message });
const SHARE = "Move what two areas use to components/ui, hooks/ or lib.";

function areaBoundaries() {
  const blocks = [];
  for (const area of COMPONENT_AREAS) {
    const otherComponents = COMPONENT_AREAS.filter((name) => name !== area);
    const otherHooks = HOOK_AREAS.filter((name) => name !== area && !SHARED_HOOK_AREAS.includes(name));
    const patterns = [
      restricted(
        `^\\.\\./${oneOf(otherComponents)}(/|$)|(^|/)components/${oneOf(otherComponents)}(/|$)`,
        `components/${area} does not use another area's components. ${SHARE}`,
      ),
    ];
    if (otherHooks.length > 0) {
      patterns.push(
        restricted(`(^|/)hooks/${oneOf(otherHooks)}(/|$)`, `components/${area} does not use another area's hooks. ${SHARE}`),
      );
    }
    blocks.push({
      files: [`src/components/${area}/**/*.{ts,tsx}`],
      rules: { "no-restricted-imports": ["error", { patterns }] },
    });
  }
  for (const area of HOOK_AREAS) {
    const otherHooks = HOOK_AREAS.filter((name) => name !== area && !SHARED_HOOK_AREAS.includes(name));
    const patterns = [
      restricted(`(^|/)components/${oneOf(COMPONENT_AREAS)}(/|$)`, `hooks/${area} does not use an area's components.`),
    ];
    if (otherHooks.length > 0) {
      patterns.push(
        restricted(
          `^\\.\\./${oneOf(otherHooks)}(/|$)|(^|/)hooks/${oneOf(otherHooks)}(/|$)`,
          `hooks/${area} does not use another area's hooks. ${SHARE}`,
        ),
      );
    }
    blocks.push({
      files: [`src/hooks/${area}/**/*.{ts,tsx}`],
      rules: { "no-restricted-imports": ["error", { patterns }] },
    });
  }
  const shared = [
    restricted(
      `(^|/)(components|hooks)/${oneOf([...new Set([...COMPONENT_AREAS, ...HOOK_AREAS])])}(/|$)`,
      "Shared code (components/ui, hooks/, lib, types, api) uses no area.",
    ),
  ];
  blocks.push(
    {
      files: ["src/components/ui/**/*.{ts,tsx}"],
      rules: {
        "no-restricted-imports": [
          "error",
          { patterns: [...shared, restricted(`^\\.\\./${oneOf(COMPONENT_AREAS)}(/|$)`, "components/ui uses no area's components.")] },
        ],
      },
    },
    {
      files: ["src/hooks/*.{ts,tsx}"],
      rules: {
        "no-restricted-imports": [
          "error",
          { patterns: [...shared, restricted(`^\\./${oneOf(HOOK_AREAS)}(/|$)`, "The shared hooks use no area's hooks.")] },
        ],
      },
    },
    {
      files: ["src/lib/**/*.{ts,tsx}", "src/types/**/*.{ts,tsx}", "src/api/**/*.{ts,tsx}"],
      rules: { "no-restricted-imports": ["error", { patterns: shared }] },
    },
  );
  return blocks;
}

export default tseslint.config(
  // api.gen.ts is written by scripts/api-types.mjs from the OpenAPI schema.
  { ignores: ["dist", "node_modules", "src/types/api.gen.ts"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.json", "./tsconfig.node.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
  { ...reactHooks.configs.flat["recommended-latest"], files: ["src/**/*.{ts,tsx}"] },
  { ...jsxA11y.flatConfigs.recommended, files: ["src/**/*.tsx"] },
  {
    files: ["src/**/*.tsx"],
    rules: {
      // A region that scrolls (a wide table, a traceback) must take the keyboard focus, or keyboard
      // users cannot scroll it (WCAG 2.1.1; axe's scrollable-region-focusable).
      "jsx-a11y/no-noninteractive-tabindex": ["error", { tags: [], roles: ["tabpanel", "region"] }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
  },
  ...areaBoundaries(),
  {
    files: ["*.config.{js,ts}", "e2e/**/*.ts", "scripts/**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["eslint.config.js", "scripts/**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
