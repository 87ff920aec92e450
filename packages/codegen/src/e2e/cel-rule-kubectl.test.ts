/**
 * A CEL rule written as a marker on a TypeScript type reaches the server and kubectl
 * (issue 13): `kubectl create` of an object violating a cross-field rule fails with the
 * rule's message on the right field; a transition rule refuses a change on update.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ResourceDefinition } from "@apiserver-kit/runtime";
import { hasKubectl, Kubectl, startTestServer, type TestServer } from "@apiserver-kit/runtime/testing";
import { toResourceDefinitions } from "../emit/resource-definitions.js";
import { parseApis } from "../parser/parse-apis.js";
import { createInMemoryApiProject } from "../parser/project.js";

const files = {
  "src/apis/autoscale/doc.ts": `/**
 * Autoscaling policies.
 * @group autoscale.example.com
 */
export {};
`,
  "src/apis/autoscale/v1/policy.ts": `import type { ObjectMeta, int32 } from "@apiserver-kit/runtime";

/**
 * A Policy scales something between two bounds.
 * @kind
 * @scope Namespaced
 */
export interface Policy {
  apiVersion: "autoscale.example.com/v1";
  kind: "Policy";
  metadata: ObjectMeta;
  spec: PolicySpec;
}

/**
 * What the policy asks for.
 * @validation rule="self.minReplicas <= self.replicas" message="minReplicas must not exceed replicas" fieldPath=.minReplicas
 */
export interface PolicySpec {
  /** How many replicas to run. */
  replicas: int32;
  /** The lowest number of replicas. */
  minReplicas: int32;
  /**
   * Where the policy applies; set once.
   * @validation rule="self == oldSelf" message="target is immutable"
   */
  target?: string;
}
`,
};

const minor = 33;

describe(
  `kubectl 1.${minor}: a CEL rule from a TypeScript marker`,
  { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
  () => {
    let server: TestServer;
    let k: Kubectl;
    before(async () => {
      const { model, errors } = parseApis(createInMemoryApiProject(files));
      assert.deepEqual(errors, []);
      server = await startTestServer({ resources: toResourceDefinitions(model) as unknown as ResourceDefinition[] });
      k = new Kubectl(minor, server.kubeconfig);
    });
    after(async () => {
      k.dispose();
      await server?.close();
    });

    const policy = (name: string, spec: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: "autoscale.example.com/v1", kind: "Policy", metadata: { name }, spec });

    it("refuses a violating create with the rule's message on the rule's field", async () => {
      const result = await k.run(["create", "-f", "-"], { input: policy("bad", { replicas: 2, minReplicas: 5 }) });
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        /The Policy "bad" is invalid: spec\.minReplicas: Invalid value: "object": minReplicas must not exceed replicas/,
      );
      assert.match(
        await k.ok(["create", "-f", "-"], { input: policy("good", { replicas: 5, minReplicas: 2, target: "web" }) }),
        /created/,
      );
    });

    it("enforces a transition rule on update", async () => {
      const changed = await k.run(["patch", "policy", "good", "--type=merge", "-p", '{"spec":{"target":"db"}}']);
      assert.notEqual(changed.code, 0);
      assert.match(changed.stderr, /spec\.target: Invalid value: "string": target is immutable/);
      assert.match(await k.ok(["patch", "policy", "good", "--type=merge", "-p", '{"spec":{"replicas":6}}']), /patched/);
    });
  },
);
