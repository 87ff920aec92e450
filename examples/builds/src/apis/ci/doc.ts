/**
 * Package ci runs builds: each Build is a list of steps the server executes (simulated: a
 * step prints its lines and exits with the code it is given), with a `log` to stream and a
 * `cancel` action, as Kubernetes' pods have `log` and deployments had `rollback`.
 *
 * @group ci.example.com
 */
export {};
