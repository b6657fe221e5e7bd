#!/usr/bin/env node
// Launcher: the CLI lives in the compiled build; main() returns the exit code.
import { main } from '../build/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
