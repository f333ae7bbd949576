#!/usr/bin/env node
// Thin launcher: the CLI itself is compiled TypeScript in dist/ (npm run build).
import '../dist/src/cli/run.js';
