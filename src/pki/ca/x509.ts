// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API loaded
// first; every module of ours reaches x509 through this file so that order always holds.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// x509 signs and parses through WebCrypto; Node's implementation does Ed25519 and P-256.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
