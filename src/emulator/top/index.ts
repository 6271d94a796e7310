/**
The TOP half of `topsec/emulator`: a local TOP gateway as strict as the real one, with fault injection.
@module
*/
export {createTopEmulator, DEFAULT_APP_KEY, DEFAULT_APP_SECRET} from './gateway.js';
export {listenTopEmulator, type TopEmulatorServer} from './listen.js';
export type {TopCall, TopEmulator, TopEmulatorOptions, TopEmulatorOssOptions, TopFault, TopFaultScope, TopResponder} from './types.js';
