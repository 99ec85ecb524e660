import { memoryBackend, testBackend } from "../../src/testing/index.js";

testBackend({ name: "memory (the oracle)", create: () => memoryBackend() });

// The required core alone: each optional section and configuration is skipped, and the
// differential suite sends only core calls.
testBackend({ name: "memory, core only", create: () => memoryBackend({ features: [] }) });
