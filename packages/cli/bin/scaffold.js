#!/usr/bin/env node
// The scaffold command. This file is committed (dist/ is built after the workspace is
// installed), so that npm and pnpm can link the bin at install time.
try {
  await import("../dist/bin.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bin.js")) {
    console.error("error: scaffold is not built\n  fix: run `npm run build` (tsc -b) in the apiserver-kit checkout");
    process.exit(1);
  }
  throw error;
}
