import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { IpcError, ItemView } from '../../shared/contract.js';
import { call } from './api.js';

/** What every screen shares: the items decoded or generated in this session (views only; keys stay in main). */
export interface Session {
  items: ItemView[];
  /** Adds items, dropping exact duplicates of items already present (those are forgotten in main too). */
  add: (items: ItemView[]) => ItemView[];
  /** Forgets items here and in main. */
  forget: (ids: string[]) => Promise<IpcError | undefined>;
}

const SessionContext = createContext<Session | null>(null);

// Same kind, file, position and content: the user added the same thing twice. Keys have no PEM here,
// so for them the public key decides.
function sameItem(a: ItemView, b: ItemView): boolean {
  if (a.kind !== b.kind || a.file !== b.file || a.index !== b.index) return false;
  if (a.pem !== undefined || b.pem !== undefined) return a.pem === b.pem;
  return a.spkiSha256 === b.spkiSha256;
}

/** Holds the session's items for all tabs. */
export function SessionProvider({ children }: { children: React.ReactNode }): React.JSX.Element {
  const [items, setItems] = useState<ItemView[]>([]);
  // Mirror of `items` so `add` can tell the caller synchronously which items were new.
  const current = useRef<ItemView[]>([]);

  const add = useCallback((incoming: ItemView[]): ItemView[] => {
    const fresh: ItemView[] = [];
    const dupes: string[] = [];
    for (const item of incoming) {
      if ([...current.current, ...fresh].some((p) => sameItem(p, item))) dupes.push(item.id);
      else fresh.push(item);
    }
    if (fresh.length > 0) {
      current.current = [...current.current, ...fresh];
      setItems(current.current);
    }
    if (dupes.length > 0) void call('items:forget', { ids: dupes });
    return fresh;
  }, []);

  const forget = useCallback(async (ids: string[]): Promise<IpcError | undefined> => {
    const r = await call('items:forget', { ids });
    if (!r.ok) return r.error;
    current.current = current.current.filter((i) => !ids.includes(i.id));
    setItems(current.current);
    return undefined;
  }, []);

  const value = useMemo(() => ({ items, add, forget }), [items, add, forget]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The shared session; only inside {@link SessionProvider}. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
