import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.ts';

// Repository-level tests (packing, publishing, release flow); each workspace has its own config.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 240_000, hookTimeout: 240_000 } }));
