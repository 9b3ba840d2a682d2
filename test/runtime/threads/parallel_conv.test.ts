// The convolution, pooling and Dropout2d kernels on the thread pool
// (src/runtime/threads/parallel_conv.ts) give the same bits with 1, 2, 3 and
// 4 threads: convolutions split over samples (forward, input gradient) and
// over input channels (weight and bias gradients), across strides,
// paddings, dilations, groups (incl. depthwise), pointwise and 1-d; pooling
// and plane scaling over planes; and a few training steps of a small CNN.
// Where the build has no threads (the js project, or no SharedArrayBuffer)
// every count runs on one thread and the test still checks that.
import { afterAll, describe, expect, it } from "vitest";
import { backendInfo, F, Generator, getNumThreads, nn, optim, ready, setNumThreads, tensor, type Tensor } from "../../../src/index.js";

const THREADS = [1, 2, 3, 4];
const threadsAvailable = () => backendInfo().build !== "js" && backendInfo().threadsUnavailable === undefined;

async function useThreads(n: number): Promise<void> {
  setNumThreads(n);
  await ready();
  if (threadsAvailable()) expect(getNumThreads()).toBe(n);
}

afterAll(async () => {
  setNumThreads(1);
  await ready();
});

const bits = (t: Tensor) => Buffer.from(t.toArray().buffer);

/** Deterministic values in [-1, 1). */
function values(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return tensor(v, shape);
}

async function sameForEveryThreadCount(compute: () => Buffer[]): Promise<void> {
  let reference: Buffer[] | null = null;
  for (const n of THREADS) {
    await useThreads(n);
    const out = compute();
    if (!reference) reference = out;
    else {
      expect(out.length).toBe(reference.length);
      out.forEach((b, i) => expect(b.equals(reference![i]), `output ${i} with ${n} threads`).toBe(true));
    }
  }
}

// [x shape, weight shape, options]: each above the pool's 4 Mflop threshold.
const CONVS: [number[], number[], Record<string, unknown>][] = [
  [[16, 32, 12, 12], [64, 32, 3, 3], {}], // the MNIST example's conv2, smaller
  [[7, 5, 20, 17], [24, 5, 3, 3], { stride: 2, padding: 1 }], // odd batch and sizes, 3 threads do not divide it
  [[6, 12, 16, 16], [12, 3, 3, 3], { padding: "same", dilation: 2, groups: 4 }],
  [[5, 16, 18, 18], [16, 1, 5, 5], { padding: 2, groups: 16 }], // depthwise
  [[9, 48, 14, 14], [40, 48, 1, 1], {}], // pointwise: no im2col
  [[8, 7, 400], [20, 7, 5], { padding: 2, stride: 1 }], // 1-d, 7 input channels
  [[3, 9, 30, 31], [11, 9, 4, 2], { padding: [1, 0], dilation: [1, 3] }],
];

describe("convolutions, pooling and plane scaling: bit-identical for 1, 2, 3 and 4 threads", () => {
  it("conv forward, input gradient, weight and bias gradients", async () => {
    await sameForEveryThreadCount(() =>
      CONVS.flatMap(([xs, ws, o], i) => {
        const x = values(xs, 3 * i + 1);
        const w = values(ws, 3 * i + 2);
        const b = values([ws[0]], 3 * i + 3);
        [x, w, b].forEach((t) => (t.requiresGrad = true));
        const y = xs.length === 4 ? F.conv2d(x, w, b, o) : F.conv1d(x, w, b, o);
        const dy = values(y.shape as number[], 50 + i);
        y.backward(dy);
        const r = [bits(y), bits(x.grad!), bits(w.grad!), bits(b.grad!)];
        [x, w, b, y, dy].forEach((t) => t.dispose());
        return r;
      }),
    );
  });

  it("max, average and adaptive pooling forward and backward, and Dropout2d's plane scaling", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      const pools: ((x: Tensor) => Tensor)[] = [
        (x) => F.maxPool2d(x, 2),
        (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
        (x) => F.avgPool2d(x, 2),
        (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
        (x) => F.adaptiveAvgPool2d(x, [5, 3]),
      ];
      pools.forEach((pool, i) => {
        const x = values([16, 24, 21, 22], 70 + i);
        x.requiresGrad = true;
        const y = pool(x);
        y.backward(values(y.shape as number[], 80 + i));
        out.push(bits(y), bits(x.grad!));
      });
      const x = values([40, 10, 30, 30], 91);
      x.requiresGrad = true;
      // Dropout2d's kernel: every plane times its own factor (the mask from a seeded generator).
      const y = F.dropout2d(x, { p: 0.3, generator: new Generator(5) });
      y.backward(values(y.shape as number[], 92));
      out.push(bits(y), bits(x.grad!));
      return out;
    });
  });

  it("eight SGD steps of a CNN (conv, max-pool, conv, avg-pool, linear) from the same weights", async () => {
    await sameForEveryThreadCount(() => {
      const net = new nn.Sequential(
        new nn.Conv2d(3, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Conv2d(16, 32, 3), new nn.ReLU(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(32 * 3 * 3, 10),
      );
      net.parameters().forEach((p, i) => p.data.set(values(p.shape as number[], 200 + i).data.map((v) => v * 0.2)));
      const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = values([32, 3, 16, 16], 300);
      const labels = Array.from({ length: 32 }, (_, i) => i % 10);
      const lossFn = new nn.CrossEntropyLoss();
      const losses: number[] = [];
      for (let step = 0; step < 8; step++) {
        opt.zeroGrad();
        const loss = lossFn.forward(net.forward(x), labels);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      return [Buffer.from(Float64Array.from(losses).buffer), ...net.parameters().map(bits)];
    });
  });
});
