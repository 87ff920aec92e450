/** Options whose help shows a description and an example, as every scaffold flag's does. */
import { type Command, Option } from "commander";

const examples = new WeakMap<Option, string>();

export interface OptionExtras {
  default?: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: commander types the parsed value as whatever the parser returns.
  parse?: (value: string, previous: any) => any;
  mandatory?: boolean;
}

/** Adds `flags` to `command`; defaults and parsers go in before the option is added, as commander needs. */
export function option(
  command: Command,
  flags: string,
  description: string,
  example: string,
  extras: OptionExtras = {},
): Option {
  const created = new Option(flags, description);
  examples.set(created, example);
  if (extras.default !== undefined) created.default(extras.default);
  if (extras.parse) created.argParser(extras.parse);
  if (extras.mandatory) created.makeOptionMandatory();
  command.addOption(created);
  return created;
}

/** Help layout: the example on its own line under each option's description. */
export function withExamples(command: Command): Command {
  return command.configureHelp({
    helpWidth: 110,
    showGlobalOptions: false,
    optionDescription: (created) => {
      const example = examples.get(created);
      const base = created.description;
      const fallback =
        created.defaultValue !== undefined && typeof created.defaultValue !== "boolean"
          ? ` (default: ${String(created.defaultValue)})`
          : "";
      return example === undefined ? `${base}${fallback}` : `${base}${fallback}\nExample: ${example}`;
    },
  });
}
