/**
 * Parses a server's command line with commander: one option per ServerFlag, grouped under the
 * flag group's heading in `--help`, each with its description, example and default.
 */
import { Command, CommanderError, Help, Option } from "commander";
import {
  describeDefault,
  type FlagValue,
  type FlagValues,
  type ServerFlag,
  ServerFlagError,
  type ServerFlagGroup,
} from "./flags.js";

export interface CommandLineSpec {
  /** The program name shown in help, e.g. `widgets-server`. */
  name: string;
  /** One paragraph shown at the top of `--help`. */
  description: string;
  groups: readonly ServerFlagGroup[];
}

const FLAG_COLUMN = 36;

export type CommandLine = { kind: "help"; text: string } | { kind: "flags"; values: FlagValues };

function optionFor(flag: ServerFlag, group: ServerFlagGroup): Option {
  const boolean = flag.value === "bool";
  const choices = flag.choices ? ` One of: ${flag.choices.join(", ")}.` : "";
  const option = new Option(
    boolean ? `--${flag.name} [bool]` : `--${flag.name} <${flag.value}>`,
    `${flag.description}${choices}`,
  ).helpGroup(`${group.title}:`);
  if (boolean) option.preset("true");
  const parseOne = (text: string): FlagValue => {
    if (flag.choices && !flag.choices.includes(text)) {
      throw new ServerFlagError(
        "InvalidFlagValue",
        `invalid value "${text}" for --${flag.name}: one of ${flag.choices.join(", ")}`,
        flag.name,
      );
    }
    return flag.parse ? flag.parse(text) : text;
  };
  // pflag's StringSlice: the first occurrence replaces the default, later ones add to it.
  let given = false;
  option.argParser((text: string, previous: unknown): FlagValue => {
    if (!flag.list) return parseOne(text);
    if (!given) {
      given = true;
      previous = [];
    }
    const items = text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "")
      .map((item) => String(parseOne(item)));
    return [...(Array.isArray(previous) ? (previous as string[]) : []), ...items];
  });
  if (flag.default !== undefined) option.default(flag.default);
  return option;
}

/** The help text of one flag: description, default, then the example on its own line. */
function flagHelp(flag: ServerFlag, option: Option): string {
  const shown = describeDefault(flag);
  const fallback = shown === undefined ? "" : ` (default: ${shown})`;
  return `${option.description}${fallback}\nExample: ${flag.example}`;
}

/** Parses `argv` (the arguments after the program name). Throws ServerFlagError on a bad command line. */
export function parseCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLine {
  let helpText = "";
  const program = new Command(spec.name)
    .description(spec.description)
    .helpOption("-h, --help", "Shows this help and exits.")
    .allowExcessArguments(false)
    .configureHelp({
      helpWidth: 110,
      // Go's flag names run long (--authorization-webhook-cache-unauthorized-ttl): a fixed column
      // keeps descriptions readable, and a longer flag gets a line of its own.
      padWidth: () => FLAG_COLUMN,
      formatItem(term, termWidth, description, helper) {
        const format = Help.prototype.formatItem;
        if (!description || term.length <= termWidth) return format.call(this, term, termWidth, description, helper);
        return `  ${term}\n${format.call(this, "", termWidth, description, helper)}`;
      },
      optionDescription: (option) => {
        const flag = flags.get(option);
        return flag ? flagHelp(flag, option) : option.description;
      },
    })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        helpText += text;
      },
      writeErr: () => {},
    });
  const names = new Map<string, string>();
  const flags = new Map<Option, ServerFlag>();
  const seen = new Set<string>();
  for (const group of spec.groups) {
    for (const flag of group.flags) {
      if (seen.has(flag.name)) throw new Error(`the server flag --${flag.name} is declared twice`);
      seen.add(flag.name);
      const option = optionFor(flag, group);
      names.set(option.attributeName(), flag.name);
      flags.set(option, flag);
      program.addOption(option);
    }
  }
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof ServerFlagError) throw error;
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") {
        return { kind: "help", text: helpText };
      }
      const message = error.message.replace(/^error: /, "").replace(/\n/g, " ");
      const code = error.code === "commander.optionMissingArgument" ? "MissingFlag" : "UnknownFlag";
      throw new ServerFlagError(code, `${message} (see --help)`);
    }
    throw error;
  }
  const values: Record<string, FlagValue> = {};
  for (const [attribute, value] of Object.entries(program.opts())) {
    const name = names.get(attribute);
    if (name !== undefined && value !== undefined) values[name] = value as FlagValue;
  }
  return { kind: "flags", values };
}
