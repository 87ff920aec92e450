/** Names derived from a kind or a directory, in the forms files and code use. */

/** `FooBar` → `foo-bar` (file names). */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** `FooBar` → `fooBar` (identifiers). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `v1beta1` → `V1beta1` (suffixes of identifiers). */
export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A directory name as an npm package name: lower case, dashes for anything else. */
export function packageName(directory: string): string {
  const name = directory
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|[-]+$/g, "");
  return name === "" ? "my-api" : name;
}
