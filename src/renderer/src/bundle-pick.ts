import { useState } from 'react';
import type { ItemView } from '../../shared/contract.js';
import { suggestChain, suggestLeaf } from './export-defaults.js';
import { itemLabel } from './item-format.js';

/** The key, certificate and chain chosen from the session, with what the pickers offer. */
export interface BundlePick {
  /** The session's private keys and certificates, as the pickers offer them. */
  keys: ItemView[];
  certs: ItemView[];
  key: ItemView | undefined;
  cert: ItemView | undefined;
  /** The chain's certificate ids, intermediates first; never the leaf, never an item gone from the session. */
  chainIds: string[];
  pickKey: (id: string | null) => void;
  /** Choosing another leaf goes back to the chain suggested for it. */
  pickCert: (id: string | null) => void;
  pickChain: (ids: string[]) => void;
}

/** Select options naming each item as `itemLabel` does. */
export function itemOptions(list: ItemView[]): { value: string; label: string }[] {
  return list.map((i) => ({ value: i.id, label: itemLabel(i) }));
}

/**
 * What goes out (Export and Push): until the user picks, suggest the newest key, the leaf with its
 * public key, and the chain by issuer.
 */
export function useBundlePick(items: ItemView[]): BundlePick {
  const keys = items.filter((i) => i.kind === 'private-key');
  const certs = items.filter((i) => i.kind === 'certificate');

  const [keyPick, setKeyPick] = useState<string | null>(null);
  const [certPick, setCertPick] = useState<string | null>(null);
  const [chainPick, setChainPick] = useState<string[] | undefined>();

  const key = keys.find((k) => k.id === keyPick) ?? keys[keys.length - 1];
  const cert = certs.find((c) => c.id === certPick) ?? suggestLeaf(key, certs);
  const chainIds = (chainPick ?? suggestChain(cert, certs).map((c) => c.id)).filter((id) => certs.some((c) => c.id === id) && id !== cert?.id);

  return {
    keys,
    certs,
    key,
    cert,
    chainIds,
    pickKey: setKeyPick,
    pickCert: (id) => {
      setCertPick(id);
      setChainPick(undefined);
    },
    pickChain: setChainPick,
  };
}
