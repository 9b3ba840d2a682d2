// The source of a pool worker, as a string: Node runs it with
// `new Worker(source, { eval: true })`, a browser from a Blob URL, so there is
// no separate file for a bundler to find or a server to serve. The chunk loop
// is the one in pool.ts (the caller's side), written again here because a
// worker cannot import it; the thread-count tests compare both bit for bit.
import * as P from "./protocol.js";

const constants = JSON.stringify({
  SEQ: P.SEQ, CLAIM: P.CLAIM, DONE: P.DONE, NCHUNKS: P.NCHUNKS, PARTICIPANTS: P.PARTICIPANTS, KERNEL: P.KERNEL,
  NARGS: P.NARGS, COUNT_ARG: P.COUNT_ARG, PER_CHUNK: P.PER_CHUNK, TOTAL: P.TOTAL, NSPLIT: P.NSPLIT, STOP: P.STOP,
  SLEEPERS: P.SLEEPERS, CALLER_WAITING: P.CALLER_WAITING, POS_LO_ARG: P.POS_LO_ARG, FAILED: P.FAILED,
  SPLIT_ARG0: P.SPLIT_ARG0, ARGS_F64: P.ARGS_F64, STRIDES_F64: P.STRIDES_F64, CHUNK_BITS: P.CHUNK_BITS,
  WORKER_SPINS: P.WORKER_SPINS, OWNERS: P.OWNERS,
});

export const WORKER_SOURCE = `"use strict";
(function () {
  var K = ${constants};
  var post;
  if (typeof self === "undefined") {
    // Node: a CommonJS script, or a module when the parent runs with --input-type=module.
    var wt = typeof require === "function" ? Promise.resolve(require("node:worker_threads")) : import("node:worker_threads");
    wt.then(function (m) {
      var port = m.parentPort;
      post = function (msg) { port.postMessage(msg); };
      port.once("message", function (msg) { start(msg); });
    });
  } else {
    post = function (m) { self.postMessage(m); };
    self.onmessage = function (e) { self.onmessage = null; start(e.data); };
  }
  function start(init) {
    var exports;
    try {
      var instance = new WebAssembly.Instance(init.module, {
        env: { memory: init.memory, abort: function () { throw new Error("wasmtrain kernel aborted (in a worker)"); } },
      });
      exports = instance.exports;
      exports.setThreadScratch(init.scratch);
      exports.gemmSetScratch(init.gemmScratch);
    } catch (e) {
      post({ type: "error", message: String((e && e.message) || e) });
      return;
    }
    var fns = init.names.map(function (n) { return exports[n]; });
    post({ type: "ready" });
    loop(new Int32Array(init.control), new Float64Array(init.control), init.index, init.id, fns);
    // Stopped: leave now (a browser's terminate() may take seconds to land).
    if (typeof self !== "undefined" && typeof self.close === "function") self.close();
  }
  function loop(ctl, f64, index, id, fns) {
    var seen = -1;
    var base = [], strides = [], splitIdx = [];
    var gone = function () { return Atomics.load(ctl, K.STOP) !== 0 || Atomics.load(ctl, K.OWNERS + index) !== id; };
    for (;;) {
      var s = Atomics.load(ctl, K.SEQ);
      var spins = 0;
      while (s === seen || (s & 1)) {
        if (gone()) return;
        if (++spins < K.WORKER_SPINS) { s = Atomics.load(ctl, K.SEQ); continue; }
        Atomics.add(ctl, K.SLEEPERS, 1);
        Atomics.wait(ctl, K.SEQ, s);
        Atomics.sub(ctl, K.SLEEPERS, 1);
        spins = 0;
        s = Atomics.load(ctl, K.SEQ);
      }
      // The caller clears the id before it frees the scratch and before it publishes the next job.
      if (gone()) return;
      seen = s;
      if (index >= Atomics.load(ctl, K.PARTICIPANTS)) continue;
      var fn = fns[ctl[K.KERNEL]], nargs = ctl[K.NARGS], countArg = ctl[K.COUNT_ARG], perChunk = ctl[K.PER_CHUNK];
      var total = ctl[K.TOTAL], nsplit = ctl[K.NSPLIT], posLo = ctl[K.POS_LO_ARG], n = ctl[K.NCHUNKS];
      base.length = nargs;
      for (var i = 0; i < nargs; i++) base[i] = f64[K.ARGS_F64 + i];
      for (var j = 0; j < nsplit; j++) { splitIdx[j] = ctl[K.SPLIT_ARG0 + j]; strides[j] = f64[K.STRIDES_F64 + j]; }
      if (Atomics.load(ctl, K.SEQ) !== s) continue; // rewritten while read: a newer job
      var tag = (s >>> 1) & 4095;
      var args = base.slice();
      for (;;) {
        var v = Atomics.load(ctl, K.CLAIM);
        if ((v >>> K.CHUNK_BITS) !== tag) break;
        var c = v & ((1 << K.CHUNK_BITS) - 1);
        if (c >= n) break;
        if (Atomics.compareExchange(ctl, K.CLAIM, v, v + 1) !== v) continue;
        var startUnit = c * perChunk;
        for (j = 0; j < nsplit; j++) {
          var a = splitIdx[j];
          args[a] = base[a] === 0 ? 0 : base[a] + startUnit * strides[j];
        }
        args[countArg] = Math.min(perChunk, total - startUnit);
        if (posLo >= 0) {
          var lo = base[posLo] + startUnit;
          args[posLo] = lo % 4294967296;
          args[posLo + 1] = base[posLo + 1] + Math.floor(lo / 4294967296);
        }
        try {
          fn.apply(null, args);
        } catch (e) {
          Atomics.store(ctl, K.FAILED, 1);
          post({ type: "failed", message: String((e && e.message) || e) });
        }
        for (;;) { // count the chunk only for its own job (the caller may have given up on it)
          var d = Atomics.load(ctl, K.DONE);
          if ((d >>> K.CHUNK_BITS) !== tag || Atomics.compareExchange(ctl, K.DONE, d, d + 1) === d) break;
        }
        if (Atomics.load(ctl, K.CALLER_WAITING)) Atomics.notify(ctl, K.DONE);
      }
    }
  }
})();
`;
