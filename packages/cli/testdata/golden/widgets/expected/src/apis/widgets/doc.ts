/**
 * Package widgets holds the widgets.example.com API group. Describe the group here: this text heads
 * its API reference pages.
 *
 * @group widgets.example.com
 */
export {};
