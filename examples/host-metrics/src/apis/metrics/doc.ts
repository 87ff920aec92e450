/**
 * Package metrics serves the resource usage of the machine the server runs on, read from /proc
 * when asked, in the shape of metrics-server's metrics.k8s.io: nothing is stored, every read
 * and every watch is computed.
 *
 * @group metrics.example.com
 */
export {};
