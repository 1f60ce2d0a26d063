/** Scratch space for the tests' throwaway files. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Memory-backed `/dev/shm` when the machine has it, else the temp directory. On a real disk each database commit's
 * fsync costs milliseconds (and would measure the disk, not the code), and writing a consumer's node_modules
 * (npm install, thousands of files) cost 8 s of kernel time instead of 3.
 */
export function scratchDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
