import { randomUUID } from 'node:crypto';
import { fail } from '../core/errors.js';
import type { DecodedItem, ItemKind } from '../core/pki/types.js';

/** One item held in main, with where it came from. */
export interface StoredItem {
  id: string;
  item: DecodedItem;
  /**
   * One id per decoded file (or generated object): items of one file share it. Two dropped files
   * may carry the same name ("pasted text" twice), so file names cannot tell files apart.
   */
  source: string;
  /** True when the item was made in this session (generated key, built CSR) rather than read from a file. */
  generated: boolean;
}

const KIND_WORDS: Record<ItemKind, string> = {
  'certificate': 'a certificate',
  'csr': 'a certificate signing request',
  'private-key': 'a private key',
  'public-key': 'a public key',
};

/** Enough for any real session; a bound so a runaway renderer cannot grow main's memory forever. */
export const MAX_ITEMS = 10_000;

/**
 * The items (and private keys) of this session, by id. Private keys never leave it: the renderer
 * holds only their ids.
 */
export class SessionStore {
  readonly #items = new Map<string, StoredItem>();

  /** Keeps the items of one file (or one generated object) and returns their entries, in order. */
  addAll(items: DecodedItem[], generated = false): StoredItem[] {
    if (this.#items.size + items.length > MAX_ITEMS) {
      fail('too-large', `this session already holds ${this.#items.size} items; remove some before adding more`);
    }
    const source = randomUUID();
    return items.map((item) => {
      const stored: StoredItem = { id: randomUUID(), item, source, generated };
      this.#items.set(stored.id, stored);
      return stored;
    });
  }

  /** The entry for an id, or undefined. */
  find(id: string): StoredItem | undefined {
    return this.#items.get(id);
  }

  /**
   * The entry for an id, checked to be of one of `kinds` when given.
   * @throws InputError `not-found` for an unknown id, `wrong-kind` for an item of another kind
   */
  get(id: string, kinds?: ItemKind[], role?: string): StoredItem {
    const stored = this.#items.get(id);
    if (stored === undefined) {
      fail('not-found', `${role ? `the ${role} ` : 'an item '}is no longer held in this session (it was removed, or the app was restarted); open or generate it again`);
    }
    if (kinds && !kinds.includes(stored.item.kind)) {
      const want = kinds.map((k) => KIND_WORDS[k]).join(' or ');
      fail('wrong-kind', `${role ? `the ${role}` : 'this item'} must be ${want}, but item #${stored.item.index + 1} of ${stored.item.file} is ${KIND_WORDS[stored.item.kind]}`);
    }
    return stored;
  }

  /** Forgets items; unknown ids are ignored. */
  forget(ids: string[]): void {
    for (const id of ids) this.#items.delete(id);
  }

  /** How many items are held. */
  get size(): number {
    return this.#items.size;
  }
}
