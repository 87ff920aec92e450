import { comparePathElements, type Path, type PathElement, serializePathElement } from "./path-element.js";

interface Child {
  readonly element: PathElement;
  readonly set: FieldSet;
}

/**
 * A set of field paths (structured-merge-diff's fieldpath.Set): at each level, the elements
 * that are members, and the children that hold members further down. A parent is not a
 * member because a child is: membership is per path. Operations return new sets.
 */
export class FieldSet {
  private readonly memberMap = new Map<string, PathElement>();
  private readonly childMap = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds one path (parents are not added). The empty path, the whole object, is never tracked. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) set = set.descend(path[i] as PathElement);
    const last = path[path.length - 1] as PathElement;
    set.memberMap.set(serializePathElement(last), last);
  }

  private descend(element: PathElement): FieldSet {
    const key = serializePathElement(element);
    let child = this.childMap.get(key);
    if (child === undefined) {
      child = { element, set: new FieldSet() };
      this.childMap.set(key, child);
    }
    return child.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      set = set.childMap.get(serializePathElement(path[i] as PathElement))?.set;
      if (set === undefined) return false;
    }
    return set.memberMap.has(serializePathElement(path[path.length - 1] as PathElement));
  }

  hasMember(element: PathElement): boolean {
    return this.memberMap.has(serializePathElement(element));
  }

  isEmpty(): boolean {
    if (this.memberMap.size > 0) return false;
    for (const child of this.childMap.values()) if (!child.set.isEmpty()) return false;
    return true;
  }

  /** The paths below `element`, without it. */
  withPrefix(element: PathElement): FieldSet {
    return this.childMap.get(serializePathElement(element))?.set ?? new FieldSet();
  }

  /** This level's members, in Kubernetes' order. */
  members(): PathElement[] {
    return [...this.memberMap.values()].sort(comparePathElements);
  }

  /** This level's non-empty children, in Kubernetes' order. */
  children(): { element: PathElement; set: FieldSet }[] {
    return [...this.childMap.values()]
      .filter((c) => !c.set.isEmpty())
      .sort((a, b) => comparePathElements(a.element, b.element));
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, element] of this.memberMap) out.memberMap.set(key, element);
    for (const [key, element] of other.memberMap) out.memberMap.set(key, element);
    for (const [key, child] of this.childMap) {
      const theirs = other.childMap.get(key);
      out.childMap.set(
        key,
        theirs === undefined ? child : { element: child.element, set: child.set.union(theirs.set) },
      );
    }
    for (const [key, child] of other.childMap) if (!this.childMap.has(key)) out.childMap.set(key, child);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, element] of this.memberMap) if (other.memberMap.has(key)) out.memberMap.set(key, element);
    for (const [key, child] of this.childMap) {
      const theirs = other.childMap.get(key);
      if (theirs === undefined) continue;
      const both = child.set.intersection(theirs.set);
      if (!both.isEmpty()) out.childMap.set(key, { element: child.element, set: both });
    }
    return out;
  }

  /** Members not in `other`, level by level: a child path survives the removal of its parent path. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, element] of this.memberMap) if (!other.memberMap.has(key)) out.memberMap.set(key, element);
    for (const [key, child] of this.childMap) {
      const theirs = other.childMap.get(key);
      if (theirs === undefined) {
        out.childMap.set(key, child);
        continue;
      }
      const rest = child.set.difference(theirs.set);
      if (!rest.isEmpty()) out.childMap.set(key, { element: child.element, set: rest });
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, element] of this.memberMap) if (!other.memberMap.has(key)) out.memberMap.set(key, element);
    for (const [key, child] of this.childMap) {
      if (other.memberMap.has(key)) continue;
      const theirs = other.childMap.get(key);
      if (theirs === undefined) {
        out.childMap.set(key, child);
        continue;
      }
      const rest = child.set.recursiveDifference(theirs.set);
      if (!rest.isEmpty()) out.childMap.set(key, { element: child.element, set: rest });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.memberMap.size !== other.memberMap.size) return false;
    for (const key of this.memberMap.keys()) if (!other.memberMap.has(key)) return false;
    const mine = this.children();
    const theirs = other.children();
    if (mine.length !== theirs.length) return false;
    return mine.every((child, i) => {
      const match = theirs[i] as { element: PathElement; set: FieldSet };
      return comparePathElements(child.element, match.element) === 0 && child.set.equals(match.set);
    });
  }

  /** Every member path, preorder: this level's members first, then each child's, in Kubernetes' order. */
  paths(): Path[] {
    const out: Path[] = [];
    this.collect([], out);
    return out;
  }

  private collect(prefix: PathElement[], out: Path[]): void {
    for (const element of this.members()) out.push([...prefix, element]);
    for (const child of this.children()) child.set.collect([...prefix, child.element], out);
  }
}
