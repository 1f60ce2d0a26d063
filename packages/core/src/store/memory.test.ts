import { describeConnectionStoreSuite } from '../testing/store-suite.js';
import { MemoryConnectionStore } from './memory.js';

describeConnectionStoreSuite('MemoryConnectionStore', async () => {
  const store = new MemoryConnectionStore();
  return { store, cleanup: () => store.close() };
});
