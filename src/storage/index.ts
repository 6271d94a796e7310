export {createIdbStorage, type IdbStorageOptions} from './idb.js';
export {createMemoryStorage} from './memory.js';
export type {StorageAdapter} from './types.js';
