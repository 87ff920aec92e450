/**
 * Widgets: every marker codegen knows, in one place.
 *
 * @group widgets.example.com
 */
export {};
