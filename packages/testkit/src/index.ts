export { chunkAt, everyByte, randomCuts } from './chunks.ts';
export { type PythonPeer, startPython } from './python.ts';
export { tempDir } from './temp.ts';
export { type UntilOptions, until } from './until.ts';
