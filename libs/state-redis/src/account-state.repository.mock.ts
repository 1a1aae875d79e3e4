import type { AccountStateStore } from './account-state.cache';

/** Auto-mocked repository surface the cache depends on. */
export function createAccountStateStoreMock(): jest.Mocked<AccountStateStore> {
  return {
    loadAccount: jest.fn(),
    persist: jest.fn(),
    persistAdvance: jest.fn(),
  };
}
