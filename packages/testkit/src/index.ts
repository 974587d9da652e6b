export { chunkAt, everyByte, randomCuts } from './chunks.ts';
export { startPython, type PythonPeer } from './python.ts';
export { tempDir } from './temp.ts';
