import type { CertbenchApi } from '../shared/contract';

declare global {
  interface Window {
    certbench: CertbenchApi;
  }
}
export {};
