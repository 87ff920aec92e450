/**
 * Package wardle is the example API group of k8s.io/sample-apiserver.
 *
 * @group wardle.example.com
 */
export {};
