/**
 * Package wardle is k8s.io/sample-apiserver's example API group, rebuilt with apiserver-kit:
 * Flunders that refer to other Flunders or to Fischers, and Fischers that ban Flunder names.
 *
 * @group wardle.example.com
 */
export {};
