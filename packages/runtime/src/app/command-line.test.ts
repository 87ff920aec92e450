import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "./command-line.js";
import { describeDefault, SERVER_FLAG_GROUPS, ServerFlagError, type ServerFlagGroup } from "./flags.js";

const spec = { name: "widgets-server", description: "Serves widgets.", groups: SERVER_FLAG_GROUPS };
const values = (argv: string[], groups = SERVER_FLAG_GROUPS) => {
  const parsed = parseCommandLine(argv, { ...spec, groups });
  assert.equal(parsed.kind, "flags");
  return parsed.kind === "flags" ? parsed.values : {};
};
const failure = (argv: string[]): ServerFlagError => {
  try {
    parseCommandLine(argv, spec);
  } catch (error) {
    assert.ok(error instanceof ServerFlagError, String(error));
    return error;
  }
  assert.fail(`${argv.join(" ")} was accepted`);
};

describe("server command line", () => {
  it("has k8s.io/apiserver's defaults", () => {
    assert.deepEqual(values([]), {
      "secure-port": 8443,
      "bind-address": "0.0.0.0",
      storage: "sqlite",
      "data-dir": ".data",
      "etcd-prefix": "/registry",
      "etcd-compaction-interval": 300_000,
      "run-controllers": true,
      "max-requests-inflight": 400,
      "max-mutating-requests-inflight": 200,
      "request-timeout": 60_000,
      "shutdown-delay-duration": 0,
      "authentication-skip-lookup": false,
      "authentication-tolerate-lookup-failure": false,
      "authentication-token-webhook-cache-ttl": 10_000,
      "requestheader-username-headers": ["X-Remote-User"],
      "requestheader-group-headers": ["X-Remote-Group"],
      "requestheader-extra-headers-prefix": ["X-Remote-Extra-"],
      "authorization-always-allow-paths": ["/healthz", "/readyz", "/livez"],
      "authorization-webhook-cache-authorized-ttl": 10_000,
      "authorization-webhook-cache-unauthorized-ttl": 10_000,
      "audit-log-maxsize": 0,
      "audit-log-maxbackup": 0,
      "audit-log-maxage": 0,
    });
  });

  it("replaces a list flag's default with the first value given, as pflag does", () => {
    assert.deepEqual(values(["--requestheader-group-headers", "X-Groups"])["requestheader-group-headers"], [
      "X-Groups",
    ]);
    const twice = values(["--authorization-always-allow-paths=/a", "--authorization-always-allow-paths", "/b,/c"]);
    assert.deepEqual(twice["authorization-always-allow-paths"], ["/a", "/b", "/c"]);
    assert.equal(failure(["--tls-cipher-suites", "TLS_NOPE"]).flag, "tls-cipher-suites");
    assert.equal(failure(["--tls-min-version", "VersionTLS14"]).flag, "tls-min-version");
    assert.equal(failure(["--max-requests-inflight", "-1"]).flag, "max-requests-inflight");
  });

  it("parses every kind of value", () => {
    const parsed = values([
      "--secure-port=0",
      "--bind-address",
      "::1",
      "--storage",
      "etcd",
      "--etcd-servers",
      "http://127.0.0.1:2379,http://127.0.0.1:2380",
      "--etcd-servers=https://etcd:2379",
      "--etcd-compaction-interval",
      "1h30m",
      "--run-controllers=false",
    ]);
    assert.equal(parsed["secure-port"], 0);
    assert.equal(parsed["bind-address"], "::1");
    assert.deepEqual(parsed["etcd-servers"], ["http://127.0.0.1:2379", "http://127.0.0.1:2380", "https://etcd:2379"]);
    assert.equal(parsed["etcd-compaction-interval"], 5_400_000);
    assert.equal(parsed["run-controllers"], false);
    assert.equal(values(["--run-controllers"])["run-controllers"], true);
  });

  it("names the flag and what it expects when a value is wrong", () => {
    const cases: Array<[string[], string, RegExp]> = [
      [["--secure-port", "http"], "secure-port", /a port number between 0 and 65535/],
      [["--secure-port", "70000"], "secure-port", /65535/],
      [["--bind-address", "localhost"], "bind-address", /an IPv4 or IPv6 address/],
      [["--storage", "postgres"], "storage", /one of memory, sqlite, etcd/],
      [["--etcd-servers", "etcd:2379"], "etcd-servers", /a client URL/],
      [["--etcd-compaction-interval", "5"], "etcd-compaction-interval", /a duration such as 30s/],
      [["--run-controllers=maybe"], "run-controllers", /true or false/],
    ];
    for (const [argv, flag, expected] of cases) {
      const error = failure(argv);
      assert.equal(error.code, "InvalidFlagValue", argv.join(" "));
      assert.equal(error.flag, flag);
      assert.match(error.message, expected);
    }
  });

  it("refuses unknown flags, stray arguments and missing values", () => {
    assert.equal(failure(["--secure-prot", "1"]).code, "UnknownFlag");
    assert.match(failure(["--secure-prot", "1"]).message, /--secure-prot.*see --help/);
    assert.equal(failure(["serve"]).code, "UnknownFlag");
    assert.equal(failure(["--data-dir"]).code, "MissingFlag");
  });

  it("shows every flag with its description, an example and its default in --help", () => {
    const parsed = parseCommandLine(["--help"], spec);
    assert.equal(parsed.kind, "help");
    const help = parsed.kind === "help" ? parsed.text : "";
    assert.match(help, /Usage: widgets-server \[options\]/);
    assert.match(help, /Serves widgets\./);
    for (const group of SERVER_FLAG_GROUPS) {
      assert.match(help, new RegExp(`^${group.title}:$`, "m"));
      for (const flag of group.flags) {
        assert.ok(help.includes(`--${flag.name}`), flag.name);
        const example = help.indexOf(`Example: ${flag.example}`);
        assert.ok(example > 0, `the example of --${flag.name}`);
      }
    }
    assert.match(help, /\(default: 5m0s\)/);
    assert.match(help, /\(default: 8443\)/);
  });

  it("is documented in docs/reference/server-flags.md with every default", () => {
    const page = readFileSync(
      fileURLToPath(new URL("../../../../docs/reference/server-flags.md", import.meta.url)),
      "utf8",
    );
    for (const group of SERVER_FLAG_GROUPS) {
      assert.match(page, new RegExp(`^## ${group.title}$`, "m"));
      for (const flag of group.flags) {
        const row = page.split("\n").find((line) => line.startsWith(`| \`--${flag.name} `));
        assert.ok(row, `a row for --${flag.name}`);
        const shown = describeDefault(flag);
        if (shown !== undefined) assert.ok(row.includes(`\`${shown}\``), `--${flag.name} default ${shown}`);
      }
    }
  });

  it("takes flag groups added by features", () => {
    const widgets: ServerFlagGroup = {
      title: "Widgets",
      flags: [
        {
          name: "widget-color",
          value: "color",
          description: "The color of new widgets.",
          example: "--widget-color blue",
        },
      ],
    };
    const groups = [...SERVER_FLAG_GROUPS, widgets];
    assert.equal(values(["--widget-color", "blue"], groups)["widget-color"], "blue");
    const help = parseCommandLine(["-h"], { ...spec, groups });
    assert.match(help.kind === "help" ? help.text : "", /Widgets:\n\s+--widget-color <color>/);
    assert.throws(
      () => parseCommandLine([], { ...spec, groups: [...groups, widgets] }),
      /--widget-color is declared twice/,
    );
  });
});
