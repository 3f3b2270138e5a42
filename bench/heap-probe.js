'use strict';
// Preloaded into the service: on an IPC 'heap' message, two full GCs, then the heap used; 'snap:<file>' writes a heap snapshot.
process.on('message', (message) => {
  const v8 = require('node:v8');
  if (typeof message === 'string' && message.startsWith('snap:')) {
    global.gc(); global.gc();
    v8.writeHeapSnapshot(message.slice(5));
    process.send({ heapUsed: v8.getHeapStatistics().used_heap_size });
    return;
  }
  if (message !== 'heap') return;
  global.gc(); global.gc();
  process.send({ heapUsed: v8.getHeapStatistics().used_heap_size });
});
