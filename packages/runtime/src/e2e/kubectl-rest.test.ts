/**
 * Every everyday kubectl verb behaves as on a real kube-apiserver (issue 3's list),
 * on kubectl 1.27 (reading the protobuf OpenAPI v2 of issue 4), 1.32 and 1.33.
 */
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import type { TestServer } from "../testing/test-server.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunderYAML = (name: string, extra = "", spec = "  reference: r\n  replicas: 1\n") =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ${name}\n${extra}spec:\n${spec}`;

for (const minor of [27, 32, 33]) {
  describe(
    `kubectl 1.${minor}: REST semantics`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let server: TestServer;
      let k: Kubectl;
      const create = (yaml: string) => k.ok(["create", "-f", "-"], { input: yaml });
      startKubectlServer(minor, (started, kubectl) => {
        server = started;
        k = kubectl;
      });

      it("shows printer columns, -o wide, label and field selectors, sort-by and chunking", async () => {
        for (const [name, color, replicas] of [
          ["c-one", "red", 3],
          ["c-two", "blue", 1],
          ["c-three", "red", 2],
          ["c-four", "green", 5],
          ["c-five", "blue", 4],
        ] as const) {
          await create(
            flunderYAML(
              name,
              `  labels:\n    color: ${color}\n`,
              `  reference: ref-${name}\n  replicas: ${replicas}\n  color: ${color}\n`,
            ),
          );
        }
        const wide = await k.ok(["get", "flunders", "-o", "wide"]);
        assert.match(wide, /^NAME\s+REFERENCE\s+REPLICAS\s+PHASE\s+AGE$/m);
        assert.match(wide, /^c-one\s+ref-c-one\s+3\s+\d+s$/m, "a missing cell is empty");
        const narrow = await k.ok(["get", "flunders"]);
        assert.doesNotMatch(narrow, /PHASE/);
        const red = await k.ok(["get", "flunders", "-l", "color=red", "-o", "name"]);
        assert.deepEqual(red.trim().split("\n").sort(), [
          "flunder.wardle.example.com/c-one",
          "flunder.wardle.example.com/c-three",
        ]);
        const notRed = await k.ok(["get", "flunders", "-l", "color notin (red),color", "-o", "name"]);
        assert.equal(notRed.trim().split("\n").length, 3);
        const blue = await k.ok(["get", "flunders", "--field-selector", "spec.color=blue", "-o", "name"]);
        assert.deepEqual(blue.trim().split("\n").sort(), [
          "flunder.wardle.example.com/c-five",
          "flunder.wardle.example.com/c-two",
        ]);
        const byName = await k.ok(["get", "flunders", "--field-selector", "metadata.name=c-four", "-o", "name"]);
        assert.equal(byName.trim(), "flunder.wardle.example.com/c-four");
        const badField = await k.run(["get", "flunders", "--field-selector", "spec.reference=x"]);
        assert.notEqual(badField.code, 0);
        assert.match(badField.stderr, /field label not supported: spec\.reference/);
        // A cluster-scoped kind has no metadata.namespace to select on: kube-apiserver refuses it
        // for a CRD (apiextensions-apiserver's ConvertFieldLabel), it does not list nothing.
        const clusterNamespace = await k.run(["get", "fischers", "--field-selector", "metadata.namespace=default"]);
        assert.notEqual(clusterNamespace.code, 0, clusterNamespace.stdout);
        assert.match(clusterNamespace.stderr, /\(BadRequest\).*field label not supported: metadata\.namespace/);
        assert.equal(
          (await k.ok(["get", "fischers", "--field-selector", "metadata.name=none", "-o", "name"])).trim(),
          "",
        );
        // apimachinery's fields.ParseSelector: the first operator from the left splits a term (the
        // field may be empty), a value may escape only \\ , and =, and its errors name the rune.
        for (const [selector, message] of [
          ["metadata.name=a=b", "invalid field selector: unescaped character in value: 61"],
          ["metadata.name=a!=b", "invalid field selector: unescaped character in value: 61"],
          ["metadata.name=a\\!b", "invalid field selector: invalid escape sequence: \\!"],
          ["=c-one", "field label not supported: "],
          ["metadata.name =c-one", "field label not supported: metadata.name "],
          ["spec.reference=x,metadata.uid=y", "field label not supported: metadata.uid"],
        ] as const) {
          const refused = await k.run(["get", "flunders", "--field-selector", selector]);
          assert.notEqual(refused.code, 0, `${selector}: ${refused.stdout}`);
          assert.ok(refused.stderr.includes(`(BadRequest)`), `${selector}: ${refused.stderr}`);
          assert.ok(refused.stderr.endsWith(`${message}\n`), `${selector}: ${JSON.stringify(refused.stderr)}`);
        }
        const sorted = await k.ok([
          "get",
          "flunders",
          "--sort-by",
          ".spec.replicas",
          "-o",
          "custom-columns=NAME:.metadata.name",
          "--no-headers",
        ]);
        assert.deepEqual(sorted.trim().split("\n"), ["c-two", "c-three", "c-one", "c-five", "c-four"]);
        const chunked = await k.ok(["get", "flunders", "--chunk-size=2", "-o", "name", "-v=6"]);
        assert.equal(chunked.trim().split("\n").length, 5);
        const logged = await k.run(["get", "flunders", "--chunk-size=2", "-v=6"]);
        const pages =
          logged.stderr.match(
            /https:\/\/[^ "]+\/flunders\?[^ "]*limit=2[^ "]*"? status=|GET https:\/\/[^ ]+\/flunders\?[^ ]*limit=2/g,
          ) ?? [];
        assert.equal(pages.length, 3, `three pages of two: ${logged.stderr}`);
        assert.match(await k.ok(["delete", "flunders", "--all"]), /"c-one" deleted/);
        assert.equal((await k.ok(["get", "flunders", "-o", "name"])).trim(), "");
      });

      it("labels, annotates, patches (merge and json), edits and scales", async () => {
        await create(flunderYAML("p"));
        await k.ok(["label", "flunder", "p", "team=blue"]);
        await k.ok(["annotate", "flunder", "p", "note=hello"]);
        await k.ok(["patch", "flunder", "p", "--type=merge", "-p", '{"spec":{"reference":"merged"}}']);
        await k.ok([
          "patch",
          "flunder",
          "p",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/spec/replicas","value":7}]',
        ]);
        let object = JSON.parse(await k.ok(["get", "flunder", "p", "-o", "json"]));
        assert.equal(object.metadata.labels.team, "blue");
        assert.equal(object.metadata.annotations.note, "hello");
        assert.equal(object.spec.reference, "merged");
        assert.equal(object.spec.replicas, 7);
        assert.equal(object.metadata.generation, 3);

        const editor = join(k.cacheDir, "editor.sh");
        writeFileSync(editor, `#!/bin/sh\nsed -i 's/reference: merged/reference: edited/' "$1"\n`);
        chmodSync(editor, 0o755);
        assert.match(await k.ok(["edit", "flunder", "p"], { env: { EDITOR: editor, KUBE_EDITOR: editor } }), /edited/);
        object = JSON.parse(await k.ok(["get", "flunder", "p", "-o", "json"]));
        assert.equal(object.spec.reference, "edited");

        assert.match(await k.ok(["scale", "flunder", "p", "--replicas=2"]), /scaled/);
        object = JSON.parse(await k.ok(["get", "flunder", "p", "-o", "json"]));
        assert.equal(object.spec.replicas, 2);
        const scale = JSON.parse(
          await k.ok(["get", "--raw", "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/p/scale"]),
        );
        assert.equal(scale.kind, "Scale");
        assert.equal(scale.spec.replicas, 2);
        // autoscaling/v1's replicas are an int32: the merge patch's result does not decode.
        const huge = await k.run(["scale", "flunder", "p", "--replicas=3000000000"]);
        assert.notEqual(huge.code, 0);
        assert.match(
          huge.stderr,
          /json: cannot unmarshal number 3000000000 into Go struct field ScaleSpec\.spec\.replicas of type int32/,
        );
        assert.equal(JSON.parse(await k.ok(["get", "flunder", "p", "-o", "json"])).spec.replicas, 2);

        // Removing the last label, annotation or finalizer leaves no empty map or list behind.
        await k.ok(["label", "flunder", "p", "team-"]);
        await k.ok(["annotate", "flunder", "p", "note-"]);
        await k.ok(["patch", "flunder", "p", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/f"]}}']);
        await k.ok(["patch", "flunder", "p", "--type=merge", "-p", '{"metadata":{"finalizers":[]}}']);
        object = JSON.parse(await k.ok(["get", "flunder", "p", "-o", "json"]));
        for (const key of ["labels", "annotations", "finalizers"])
          assert.equal(key in object.metadata, false, `metadata.${key}: ${JSON.stringify(object.metadata)}`);
      });

      it("writes status only through the status subresource", async () => {
        await create(flunderYAML("s"));
        await k.ok([
          "patch",
          "flunder",
          "s",
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"phase":"Running","replicas":1}}',
        ]);
        let object = JSON.parse(await k.ok(["get", "flunder", "s", "-o", "json"]));
        assert.equal(object.status.phase, "Running");
        const generation = object.metadata.generation;
        // A main-resource patch can't change status.
        await k.ok([
          "patch",
          "flunder",
          "s",
          "--type=merge",
          "-p",
          '{"status":{"phase":"Hacked"},"spec":{"replicas":4}}',
        ]);
        object = JSON.parse(await k.ok(["get", "flunder", "s", "-o", "json"]));
        assert.equal(object.status.phase, "Running");
        assert.equal(object.spec.replicas, 4);
        assert.equal(object.metadata.generation, generation + 1);
        assert.match(await k.ok(["get", "flunder", "s", "-o", "wide"]), /Running/);
        // A create drops the status it was given before validating (the CRD strategy's
        // PrepareForCreate), so a status the schema would refuse does not refuse the create.
        const badStatus = '  replicas: "many"\n  phase: 7\n';
        for (const [name, args] of [
          ["s-create", ["create", "-f", "-", "-o", "json"]],
          ["s-apply", ["apply", "--server-side", "-f", "-", "-o", "json"]],
        ] as const) {
          const created = await k.run(args, { input: `${flunderYAML(name)}status:\n${badStatus}` });
          assert.equal(created.code, 0, `${name}: ${created.stderr}`);
          assert.equal(JSON.parse(created.stdout).status, undefined, name);
        }
      });

      it("checks the replicas a scale subresource maps, as the CRD strategy's ValidateScaleSpec/Status do", async () => {
        await create(flunderYAML("sc"));
        const refused = async (args: string[], ...messages: string[]) => {
          const result = await k.run(args);
          assert.notEqual(result.code, 0, `${args.join(" ")}: ${result.stdout}`);
          for (const message of messages) assert.ok(result.stderr.includes(message), `${message}\n${result.stderr}`);
        };
        const tooMany = "should be less than or equal to 2147483647";
        await refused(
          ["patch", "flunder", "sc", "--type=merge", "-p", '{"spec":{"replicas":3000000000}}'],
          `.spec.replicas: Invalid value: 3000000000: ${tooMany}`,
        );
        const negative = await k.run(["create", "-f", "-"], {
          input: flunderYAML("sc-negative", "", "  replicas: -1\n"),
        });
        assert.notEqual(negative.code, 0);
        assert.ok(
          negative.stderr.includes(
            "* spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0\n" +
              "* .spec.replicas: Invalid value: -1: should be a non-negative integer",
          ),
          negative.stderr,
        );
        await refused(
          [
            "patch",
            "flunder",
            "sc",
            "--subresource=status",
            "--type=merge",
            "-p",
            '{"status":{"replicas":3000000000}}',
          ],
          `.status.replicas: Invalid value: 3000000000: ${tooMany}`,
        );
        await refused(
          ["patch", "flunder", "sc", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":"many"}}'],
          ".status.replicas: Invalid value: 0: .status.replicas accessor error: many is of the type string, expected int64",
        );
        await k.ok(["patch", "flunder", "sc", "--type=merge", "-p", '{"spec":{"replicas":2147483647}}']);
      });

      it("waits for deletion and holds a delete while finalizers remain", async () => {
        await create(flunderYAML("fin", "  finalizers:\n  - example.com/hold\n"));
        const deleted = await k.run(["delete", "flunder", "fin", "--wait=false"]);
        assert.equal(deleted.code, 0, deleted.stderr);
        const held = JSON.parse(await k.ok(["get", "flunder", "fin", "-o", "json"]));
        assert.match(held.metadata.deletionTimestamp, /Z$/);
        const waiting = k.run(["wait", "--for=delete", "flunder/fin", "--timeout=20s"]);
        await new Promise((r) => setTimeout(r, 500));
        await k.ok(["patch", "flunder", "fin", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]']);
        const waited = await waiting;
        assert.equal(waited.code, 0, waited.stderr);
        const gone = await k.run(["get", "flunder", "fin"]);
        assert.match(gone.stderr, /not found/);
      });

      it("prints the server's warning for repeated owner references and stores them once", async () => {
        const owner = "  - apiVersion: v1\n    kind: ConfigMap\n    name: cm\n    uid: owner-uid-1\n";
        const created = await k.run(["create", "-f", "-"], {
          input: flunderYAML("owned-twice", `  ownerReferences:\n${owner}${owner}`),
        });
        assert.equal(created.code, 0, created.stderr);
        assert.match(
          created.stderr,
          /^Warning: \.metadata\.ownerReferences contains duplicate entries; API server dedups owner references in 1\.20\+, and may reject such requests as early as 1\.24; please fix your requests; duplicate UID\(s\) observed: owner-uid-1$/m,
        );
        const stored = JSON.parse(await k.ok(["get", "flunder", "owned-twice", "-o", "json"]));
        assert.deepEqual(stored.metadata.ownerReferences, [
          { apiVersion: "v1", kind: "ConfigMap", name: "cm", uid: "owner-uid-1" },
        ]);
        const patched = await k.run([
          "patch",
          "flunder",
          "owned-twice",
          "--type=json",
          "-p",
          '[{"op":"add","path":"/metadata/ownerReferences/-","value":{"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"owner-uid-1"}}]',
        ]);
        assert.equal(patched.code, 0, patched.stderr);
        assert.match(
          patched.stderr,
          /^Warning: \.metadata\.ownerReferences contains duplicate entries after mutating admission happens; .* duplicate UID\(s\) observed: owner-uid-1$/m,
        );
      });

      it("warns of finalizer names without a domain and path, on create and on the update that adds one", async () => {
        const created = await k.run(["create", "-f", "-"], {
          input: flunderYAML("bare-finalizers", "  finalizers:\n  - hold\n  - example.com/keep\n  - orphan\n"),
        });
        assert.equal(created.code, 0, created.stderr);
        assert.match(
          created.stderr,
          /^Warning: metadata\.finalizers: "hold": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers$/m,
        );
        assert.doesNotMatch(created.stderr, /example\.com\/keep|"orphan"/, "qualified and standard names are fine");
        const patched = await k.run([
          "patch",
          "flunder",
          "bare-finalizers",
          "--type=json",
          "-p",
          '[{"op":"add","path":"/metadata/finalizers/-","value":"cleanup.example.com"}]',
        ]);
        assert.equal(patched.code, 0, patched.stderr);
        assert.match(
          patched.stderr,
          /^Warning: metadata\.finalizers: "cleanup\.example\.com": prefer a domain-qualified finalizer name including a path \(\/\) to avoid accidental conflicts with other finalizer writers$/m,
        );
        assert.doesNotMatch(patched.stderr, /"hold"/, "an update warns only of the finalizers it adds");
        await k.ok([
          "patch",
          "flunder",
          "bare-finalizers",
          "--type=json",
          "-p",
          '[{"op":"remove","path":"/metadata/finalizers"}]',
        ]);
      });

      it("creates with --dry-run=server without storing anything", async () => {
        const before = await server.storage.currentRevision();
        const dry = await k.ok(["create", "-f", "-", "--dry-run=server"], { input: flunderYAML("dry2") });
        assert.match(dry, /created \(server dry run\)/);
        assert.equal(await server.storage.currentRevision(), before);
        assert.match((await k.run(["get", "flunder", "dry2"])).stderr, /not found/);
      });

      it("refuses an invalid object naming the field, an unknown field, and a stale replace", async () => {
        const invalid = await k.run(["create", "-f", "-"], {
          input: flunderYAML("bad", "", "  replicas: -1\n  referenceType: Nope\n"),
        });
        assert.notEqual(invalid.code, 0);
        assert.match(invalid.stderr, /The Flunder "bad" is invalid/);
        assert.match(
          invalid.stderr,
          /spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0/,
        );
        assert.match(
          invalid.stderr,
          /spec\.referenceType: Unsupported value: "Nope": supported values: "Flunder", "Fischer"/,
        );

        const unknown = await k.run(["create", "-f", "-"], {
          input: flunderYAML("unk", "", "  reference: r\n  colour: blue\n"),
        });
        assert.notEqual(unknown.code, 0);
        assert.match(unknown.stderr, /unknown field "spec\.colour"/);

        await create(flunderYAML("stale"));
        const first = JSON.parse(await k.ok(["get", "flunder", "stale", "-o", "json"]));
        await k.ok(["patch", "flunder", "stale", "--type=merge", "-p", '{"spec":{"replicas":9}}']);
        // kubectl patch sends no fieldValidation: the server's default (Warn) keeps the write and warns.
        for (const type of ["merge", "strategic"]) {
          const warned = await k.run([
            "patch",
            "flunder",
            "stale",
            `--type=${type}`,
            "-p",
            '{"spec":{"colour":"blue"}}',
          ]);
          assert.equal(warned.code, 0, warned.stderr);
          assert.match(warned.stderr, /Warning: unknown field "spec\.colour"/);
        }
        first.spec.reference = "old-copy";
        const stale = await k.run(["replace", "-f", "-"], { input: JSON.stringify(first) });
        assert.notEqual(stale.code, 0);
        assert.match(
          stale.stderr,
          /Operation cannot be fulfilled on flunders\.wardle\.example\.com "stale": the object has been modified/,
        );
      });
    },
  );
}
