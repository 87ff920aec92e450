export * from "./workqueue/rate-limiters.js";
export * from "./workqueue/work-queue.js";
