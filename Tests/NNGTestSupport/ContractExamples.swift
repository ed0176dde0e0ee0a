/// The two programs of section 1 of the contract, shared by the test targets.
public enum ContractExamples {
    /// The worked backpropagation example: loss 2.25, dloss/dw1 = -9, dloss/dw2 = -3 at x = 2, y = 3.
    public static let chain = """
# The worked backpropagation example: x -> w1 -> relu -> w2 -> squared error
graph chain {
  input x: f64[]
  input y: f64[]
  param w1: f64[] = 0.5
  param w2: f64[] = 1.5

  z    = w1 * x
  h    = relu(z)
  yhat = w2 * h
  loss = (yhat - y)^2

  output loss
}
"""

    /// XOR with a 2-8-1 MLP and its train block.
    public static let xor = """
fn dense(x, w, b) { return x @ w + b }

graph xor {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W1: f32[2, 8] = xavier
  param b1: f32[8]    = zeros
  param W2: f32[8, 1] = xavier
  param b2: f32[1]    = zeros

  h    = tanh(dense(x, W1, b1))
  p    = sigmoid(dense(h, W2, b2))
  loss = bce(p, y)
  acc  = accuracy(p, y)
  output loss, acc
}

train {
  minimize  = loss
  data      = csv("xor.csv", x = [0, 1], y = [2])
  optimizer = sgd(lr = 0.5)
  epochs    = 2000
}
"""
}
