/** An item that can sit in one {@link IntrusiveList}: the list links items through these two fields. */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
}

/**
 * An insertion-ordered set of objects linked through their own `prev`/`next` fields: add and delete are
 * O(1) with no hashing and no allocation. An item may be in at most one list at a time.
 */
export class IntrusiveList<T extends Linked<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends `item`, which must not be in any list. */
  add(item: T): void {
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    this.count++;
  }

  /** Removes `item` if it is in this list; false when it was not (or was already removed). */
  delete(item: T): boolean {
    if (item.prev === undefined && this.head !== item) return false;
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
    item.prev = undefined;
    item.next = undefined;
    this.count--;
    return true;
  }

  /** The items in insertion order, as a snapshot (safe to delete from the list while iterating it). */
  toArray(): T[] {
    const items: T[] = [];
    for (let item = this.head; item; item = item.next) items.push(item);
    return items;
  }
}
