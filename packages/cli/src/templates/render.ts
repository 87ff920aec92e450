/**
 * Renders the handlebars templates of the checkout's `templates/` folder (noEscape: the output is
 * code, not HTML; strict: a missing value is an error, not an empty string).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { ownCheckoutRoot } from "../checkout/checkout.js";
import { camelCase, kebabCase, upperFirst } from "../project/names.js";

const engine = Handlebars.create();
engine.registerHelper("kebab", (text: string) => kebabCase(text));
engine.registerHelper("camel", (text: string) => camelCase(text));
engine.registerHelper("upperFirst", (text: string) => upperFirst(text));
engine.registerHelper("json", (value: unknown) => JSON.stringify(value));
engine.registerHelper("eq", (a: unknown, b: unknown) => a === b);

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
    template = engine.compile(text, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(data);
}
