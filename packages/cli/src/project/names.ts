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

/**
 * A directory name as the project's name: an npm package name that also names Kubernetes
 * objects (the namespace, Service, Deployment, `<name>-serving-cert`...), so a DNS label that
 * starts with a letter: lower case, dashes for anything else, at most 40 characters.
 */
export function packageName(directory: string): string {
  const name = directory
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return name === "" ? "my-api" : name;
}
