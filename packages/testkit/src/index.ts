export {
  type KeyPair,
  makeCertificates,
  type SuiteCertificates,
  suiteCertificates,
  type TestCertificates,
} from './certificates.ts';
export {
  assertNoBytes,
  type Recorded,
  type Recording,
  recordChannels,
  runScript,
  type ScriptOutput,
} from './channels.ts';
export { chunkAt, everyByte, randomCuts } from './chunks.ts';
export { type ExpectedFailure, expectTyped, failureOf } from './failures.ts';
export {
  type PythonPeer,
  pythonWith,
  requirePython,
  type StartPythonOptions,
  startPython,
} from './python.ts';
export { type RatioBar, type RatioChart, ratioChartSvg } from './ratio-chart.ts';
export { tempDir } from './temp.ts';
export { type UntilOptions, until } from './until.ts';
