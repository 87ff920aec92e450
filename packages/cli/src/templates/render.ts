/**
 * Renders the handlebars templates of the checkout's `templates/` folder (noEscape: the output is
 * code, not HTML; strict: a missing value is an error, not an empty string).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Handlebars from "handlebars";
import { ownCheckoutRoot } from "../checkout/checkout.js";
import { camelCase, kebabCase, upperFirst } from "../project/names.js";

let engine: typeof Handlebars | undefined;

/** Handlebars, loaded on first use: commands that render nothing don't pay for it. */
function handlebars(): typeof Handlebars {
  if (engine) return engine;
  const created = (createRequire(import.meta.url)("handlebars") as typeof Handlebars).create();
  created.registerHelper("kebab", (text: string) => kebabCase(text));
  created.registerHelper("camel", (text: string) => camelCase(text));
  created.registerHelper("upperFirst", (text: string) => upperFirst(text));
  created.registerHelper("json", (value: unknown) => JSON.stringify(value));
  // `<folder>/<name>.partial.hbs` is the partial `{{> <folder>/<name>}}`: text several templates share.
  for (const entry of readdirSync(templatesDir(), { recursive: true, encoding: "utf8" })) {
    const path = entry.split("\\").join("/");
    if (!path.endsWith(".partial.hbs")) continue;
    created.registerPartial(path.slice(0, -".partial.hbs".length), readFileSync(join(templatesDir(), path), "utf8"));
  }
  engine = created;
  return created;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** The folder templates are read from: `<checkout>/templates`. */
export function templatesDir(): string {
  return join(ownCheckoutRoot(), "templates");
}

/** Renders `templates/<name>` (e.g. `project/server.ts.hbs`) with `data`. */
export function render(name: string, data: object): string {
  let template = compiled.get(name);
  if (!template) {
    const text = readFileSync(join(templatesDir(), name), "utf8");
    template = handlebars().compile(text, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(data);
}
