/** `scaffold manifests`: everything a cluster needs to serve the API through the aggregator, under deploy/. */
import type { Reporter } from "../cli/reporter.js";
import type { FileChange } from "../machinery/file-plan.js";
import { type ManifestOptions, planManifests } from "../manifests/plan.js";
import { render } from "../templates/render.js";
import { finish, generateStep, openProject, type ProjectCommandOptions } from "./project-context.js";

export interface ManifestsCommandOptions extends ProjectCommandOptions, ManifestOptions {}

export function manifestsCommand(options: ManifestsCommandOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  const outcome = generateStep(plan, project, reporter, "reading src/apis");
  const { project: updated } = planManifests(plan, outcome.project, outcome.model, options);
  const deploy = updated.deploy;
  plan.user(
    "Dockerfile",
    render("project/Dockerfile.hbs", {
      name: updated.name,
      checkout: updated.apiserverKit,
      image: deploy?.image ?? "",
    }),
  );
  const changes = finish(plan, reporter, options.dryRun);
  if (!options.dryRun && deploy) {
    reporter.info("");
    reporter.info("Build and deploy:");
    reporter.info(`  docker build --build-context apiserver-kit=${updated.apiserverKit} -t ${deploy.image} .`);
    reporter.info("  kubectl apply -f deploy/");
    reporter.info(
      `  kubectl get apiservice -l app.kubernetes.io/name=${updated.name}   # Available=True once discovery answers`,
    );
    if (deploy.certManager)
      reporter.info("  (cert-manager must be installed: it issues the serving certificate and injects the caBundle)");
  }
  return changes;
}
