// Embedding: rows of a weight table [num, dim] gathered by int32 indices,
// and the gradient scattered back (added: an index may repeat).

/** out[i] = weight[indices[i]] (dim floats each) for n indices. */
export function embeddingForward(weight: usize, indices: usize, n: i32, dim: i32, out: usize): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const k = load<i32>(indices + (<usize>i << 2));
    memory.copy(out + <usize>i * row, weight + <usize>k * row, row);
  }
}

/**
 * dw[indices[i]] += dy[i] for every i whose index is not paddingIdx (−1 for
 * none): PyTorch's embedding_backward. dw is zeroed first unless acc.
 */
export function embeddingBackward(dy: usize, indices: usize, n: i32, dim: i32, num: i32, paddingIdx: i32, dw: usize, acc: i32): void {
  if (!acc) memory.fill(dw, 0, <usize>num * dim << 2);
  const row = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const k = load<i32>(indices + (<usize>i << 2));
    if (k == paddingIdx) continue;
    const src = dy + <usize>i * row;
    const dst = dw + <usize>k * row;
    let j = 0;
    for (; j + 4 <= dim; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (; j < dim; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}

export function warmupEmbedding(scratch: usize, bytes: i32): void {
  const num = 8;
  const dim = 12;
  if (bytes < (4 * num * dim) << 2) return;
  const w = scratch;
  const idx = w + (<usize>num * dim << 2);
  const out = idx + (<usize>num * dim << 2);
  for (let i = 0; i < num; i++) store<i32>(idx + (<usize>i << 2), (i * 3) % num);
  embeddingForward(w, idx, num, dim, out);
  embeddingBackward(out, idx, num, dim, num, -1, w, 1);
}
