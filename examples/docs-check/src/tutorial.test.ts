/**
 * The tutorial, run as a new user would run it: every marked command of docs/tutorial/*.md
 * (see tutorial/markdown.ts for the marks), in page order, in one terminal session that starts
 * in the checkout with an empty HOME. Lines only a real cluster can run are marked skip and
 * reported as skipped with their reason; the chapter on deploying behind a cluster runs its
 * "without a cluster" track against the stand-in cluster (the runtime's test aggregator).
 *
 * Two things differ from a reader's terminal, so that the test can run beside others: `kubectl`
 * is kubectl.1.33 (the PATH's kubectl picks a version by asking the server), and the fixed ports
 * the pages use (8443, 9443) are replaced by free ones in every command.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, kubectlBinary } from "@apiserver-kit/runtime/testing";
import { CHECKOUT, DOCS } from "./paths.js";
import { parseTutorial } from "./tutorial/markdown.js";
import { TutorialSession } from "./tutorial/session.js";

const MINOR = 33;
const TUTORIAL = join(DOCS, "tutorial");
// TUTORIAL_UNTIL=03 stops after chapter 03 (while writing a chapter); unset runs them all.
const until = process.env.TUTORIAL_UNTIL;
const chapters = readdirSync(TUTORIAL)
  .filter((name) => /^\d\d-.*\.md$/.test(name) && (!until || name.slice(0, 2) <= until))
  .sort();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(
  "the tutorial, run as a new user would",
  { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` },
  () => {
    let home: string;
    let session: TutorialSession;
    let broken: string | undefined;

    before(async () => {
      home = mkdtempSync(join(tmpdir(), "tutorial-home-"));
      const bin = join(home, ".bin");
      const state = join(home, ".session");
      mkdirSync(bin);
      mkdirSync(state);
      symlinkSync(kubectlBinary(MINOR), join(bin, "kubectl"));
      session = new TutorialSession({
        cwd: CHECKOUT,
        stateDir: state,
        env: {
          HOME: home,
          PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
          LANG: "C.UTF-8",
          KUBECTL_KUBERC: "false",
          npm_config_update_notifier: "false",
        },
        substitutions: [
          ["8443", String(await freePort())],
          ["9443", String(await freePort())],
        ],
      });
    });

    after(async () => {
      await session?.close();
      rmSync(home, { recursive: true, force: true });
    });

    for (const chapter of chapters) {
      const steps = parseTutorial(readFileSync(join(TUTORIAL, chapter), "utf8"), `docs/tutorial/${chapter}`);
      describe(chapter, () => {
        for (const step of steps) {
          const first = step.code.split("\n").find((l) => l.trim() && !l.startsWith("#")) ?? step.text ?? "";
          const title = `${step.where} ${step.kind}: ${first
            .replace(/\s+#.*$/, "")
            .trim()
            .slice(0, 70)}`;
          const skip = step.kind === "skip" ? `skipped by the page: ${step.reason}` : false;
          it(title, { skip }, async (t) => {
            if (broken) {
              t.skip(`an earlier step failed (${broken})`);
              return;
            }
            try {
              await session.run(step);
            } catch (error) {
              broken = step.where;
              throw new Error(`${(error as Error).message}\n${session.backgroundOutput()}`);
            }
          });
        }
      });
    }
  },
);
