import { memoryBackend, testBackend } from "../../src/testing/index.js";

testBackend({ name: "memory (the oracle)", create: () => memoryBackend() });
