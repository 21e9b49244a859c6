#!/usr/bin/env node
// The `handover` executable: registers the TypeScript loader (tsx), then runs the CLI.
// Kept as plain JavaScript so that `npm ci` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
