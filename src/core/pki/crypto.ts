import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The WebCrypto type @peculiar/x509 expects (the DOM `Crypto`, structurally Node's webcrypto). */
export type X509Crypto = Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1];

/** The WebCrypto implementation core modules use by default (swap it in tests through params). */
export const defaultCrypto = webcrypto as unknown as NonNullable<X509Crypto>;

// @peculiar/x509 looks its WebCrypto up through a global provider; Node's webcrypto is the
// one every core module uses, set once when this module is first imported.
x509.cryptoProvider.set(defaultCrypto);

export { x509 };
