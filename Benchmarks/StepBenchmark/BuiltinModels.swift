// The models of the pipeline report, written out so that the report does not depend on files.

/// The 784-100-10 MLP (ReLU, softmax cross-entropy).
let mlpSource = """
graph mlp {
  input x: f32[B, 784]
  input y: f32[B, 10]
  param W1: f32[784, 100] = he
  param b1: f32[100] = zeros
  param W2: f32[100, 10] = xavier
  param b2: f32[10] = zeros
  h = relu(x @ W1 + b1)
  z = h @ W2 + b2
  loss = cross_entropy(z, y)
  acc = accuracy(z, y)
  output loss, acc
}
"""

/// XOR 2-8-1: per-node overhead dominates.
let xorSource = """
fn dense(x, w, b) { return x @ w + b }
graph xor {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W1: f32[2, 8] = xavier
  param b1: f32[8] = zeros
  param W2: f32[8, 1] = xavier
  param b2: f32[1] = zeros
  h = tanh(dense(x, W1, b1))
  p = sigmoid(dense(h, W2, b2))
  loss = bce(p, y)
  output loss
}
"""

/// The convolutional model of Graphs/ising_cnn.nng (conv2d 3×3 + ReLU + maxpool, dense head,
/// bce_logits): the conv2d forward and gradient kernels dominate. The gallery graph has since
/// gained a centring of the pooled features; this workload stays as benchmarked (and as the
/// peers in Benchmarks/peers implement it), so the numbers stay comparable across issues.
let cnnSource = """
fn dense(x, w, b) { return x @ w + b }
graph ising_cnn {
  input spins:   f32[B, 256]
  input y:       f32[B, 1]
  param K1: f32[8, 1, 3, 3] = he
  param c1: f32[8, 1, 1]    = zeros
  param W1: f32[512, 32]    = he
  param b1: f32[32]         = zeros
  param W2: f32[32, 1]      = xavier
  param b2: f32[1]          = zeros
  x    = reshape(spins, [-1, 1, 16, 16])
  a    = maxpool2d(relu(conv2d(x, K1, padding = 1) + c1))
  h    = relu(dense(reshape(a, [-1, 512]), W1, b1))
  z    = dense(h, W2, b2)
  loss = bce_logits(z, y)
  output loss
}
"""
