import Testing
import NNGCore
import NNGIR
import NNGLang

let roundTripPrograms: [String] = [
    chainSource,
    xorSource,
    """
    graph elementwise {
      input x: f32[B, 4]
      input y: f32[4]
      param a: f32[4] = [1, -2, 0.5, 1e-3]
      param s: f32[] = -0.25
      e1 = exp(x) + log(x) - sqrt(x) * abs(x) / sin(x)
      e2 = cos(x) ^ tanh(y)
      e3 = sigmoid(x) + relu(x) + gelu(x) + softplus(x) + step(x) + sign(x)
      e4 = leaky_relu(x, alpha = 0.2) + leaky_relu(y)
      e5 = maximum(x, y) - minimum(a, s)
      e6 = where(step(x), e1, -e2)
      e7 = -x ^ 2 + 2 ^ -1 - 3 * [[1, 2, 3, 4]]
      e8 = x / 0 + (0/0) + (1/0) + (-1/0) + 1.5e300 + 0.1
      output e3, e4, e5, e6, e7, e8
    }
    """,
    """
    graph shapes {
      input x: f64[B, 28, 28]
      input v: f64[3]
      param W: f64[3, 5] = he
      param M: f64[5, 3] = normal(std = 0.1)
      param u: f64[5] = uniform(low = -1, high = 1)
      param o: f64[3] = ones
      m1 = v @ W
      m2 = W @ u
      m3 = v @ v
      m4 = M @ W
      t1 = transpose(W)
      t2 = transpose(reshape(x, [B, 4, 196]), [1, 2, 0])
      r = reshape(x, [-1, 784])
      b = broadcast(v, [B, 2, 3])
      s1 = sum(x)
      s2 = sum(x, axes = [-1], keepdims = true)
      s3 = mean(x, axes = [0, 2])
      s4 = max(x, axes = [1])
      s5 = logsumexp(x, axes = [1, 2], keepdims = true)
      sm = softmax(x) + log_softmax(x, axis = 1)
      c = concat([W, M @ W, transpose(M)], axis = 0)
      sl = slice(x, axis = 1, start = 2, end = 10)
      pd = pad(x, axis = 2, before = 1, after = 3)
      output m1, m2, m3, m4, t1, t2, r, b, s1, s2, s3, s4, s5, sm, c, sl, pd
    }
    """,
    """
    graph nets {
      input img: f32[N, 1, 28, 28]
      input labels: f32[N]
      param K: f32[4, 1, 5, 5] = xavier
      param W: f32[576, 10] = xavier
      c = relu(conv2d(img, K))
      c2 = conv2d(img, K, stride = 2, padding = 2)
      p = maxpool2d(c)
      q = avgpool2d(c2, size = 3, stride = 1)
      d = dropout(reshape(p, [N, 576]), p = 0.25)
      z = d @ W
      t = one_hot(labels, classes = 10)
      l1 = cross_entropy(z, t)
      l2 = mse(z, t) + bce(sigmoid(z), t) + bce_logits(z, t)
      acc = accuracy(softmax(z), t)
      mask = bernoulli(stop_gradient(sigmoid(z)))
      d2 = dropout(z)
      output l1, l2, acc, mask, d2, q
    }
    """,
    """
    fn layer(x, w) {
      h: f64[B, 2] = x @ w
      return relu(h)
    }
    graph aliases {
      input x: f64[B, 2]
      param w: f64[2, 2] = [[1, 2], [3, 4]]
      h = x
      k = layer(h, w)
      j = k
      output h, j, k
    }
    """,
]

@Test(arguments: roundTripPrograms.indices)
func printParseLowerPrintIsStable(_ i: Int) throws {
    let (g1, ds1, _) = lowerSource(roundTripPrograms[i])
    #expect(ds1.isEmpty, "\(ds1)")
    let graph1 = try #require(g1)
    let text1 = printGraph(graph1)
    let (g2, ds2, _) = lowerSource(text1)
    #expect(ds2.isEmpty, "\(ds2)\n\(text1)")
    let graph2 = try #require(g2)
    let text2 = printGraph(graph2)
    #expect(text1 == text2)
    #expect(sameStructure(graph1, graph2), "\(text1)")
}

@Test func everyOperationIsCovered() throws {
    var kinds = Set<String>()
    for src in roundTripPrograms {
        guard let g = lowerSource(src).graph else { continue }
        for n in g.nodes { kinds.insert(n.op.sourceName) }
    }
    let expected: Set<String> = [
        "input", "param", "constant", "-", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid",
        "relu", "gelu", "softplus", "step", "sign", "leaky_relu", "+", "*", "/", "^", "maximum", "minimum",
        "where", "matmul", "transpose", "reshape", "broadcast", "sum", "mean", "max", "logsumexp",
        "softmax", "log_softmax", "concat", "slice", "pad", "one_hot", "mse", "bce", "bce_logits",
        "cross_entropy", "accuracy", "conv2d", "maxpool2d", "avgpool2d", "dropout", "bernoulli", "stop_gradient",
    ]
    #expect(expected.subtracting(kinds).isEmpty, "\(expected.subtracting(kinds))")
}

@Test func printedChain() throws {
    let g = try #require(lowerSource(chainSource).graph)
    #expect(printGraph(g) == """
    graph chain {
      input x: f64[]
      input y: f64[]
      param w1: f64[] = 0.5
      param w2: f64[] = 1.5
      z: f64[] = w1 * x
      h: f64[] = relu(z)
      yhat: f64[] = w2 * h
      t1: f64[] = yhat - y
      t2: f64[] = 2
      loss: f64[] = t1 ^ t2
      output loss
    }

    """)
}

@Test func printedAliasesAndFreshNames() throws {
    let g = try #require(lowerSource(roundTripPrograms[5]).graph)
    #expect(printGraph(g) == """
    graph aliases {
      input x: f64[B, 2]
      param w: f64[2, 2] = [[1, 2], [3, 4]]
      t1: f64[B, 2] = x @ w
      k: f64[B, 2] = relu(t1)
      h: f64[B, 2] = x
      j: f64[B, 2] = k
      output h, j, k
    }

    """)
}

@Test func freshNamesAvoidUserNames() throws {
    let g = try #require(lowerSource("graph g {\n input t1: f32[2]\n t2 = exp(t1) + 1\n output t2\n}\n").graph)
    #expect(printGraph(g) == """
    graph g {
      input t1: f32[2]
      t3: f32[2] = exp(t1)
      t4: f32[] = 1
      t2: f32[2] = t3 + t4
      output t2
    }

    """)
}

@Test func numbersPrintToIdenticalDoubles() {
    #expect(formatNumber(3) == "3")
    #expect(formatNumber(-3) == "-3")
    #expect(formatNumber(0.1) == "0.1")
    #expect(formatNumber(-0.0) == "-0")
    #expect(formatNumber(1e-5) == "1e-05")
    #expect(formatNumber(.nan) == "(0/0)")
    #expect(formatNumber(.infinity) == "(1/0)")
    #expect(formatNumber(-.infinity) == "(-1/0)")
    for v in [0.1, 1.0 / 3, 1e-300, 123456789.125, -2.5e-7, 1e20, 0.0, -0.0] {
        let (g, ds, _) = lowerSource("graph g {\n c: f64[] = \(formatNumber(v))\n output c\n}\n")
        #expect(ds.isEmpty)
        if case .constant(let values)? = g?.nodes.first?.op {
            #expect(values[0].bitPattern == v.bitPattern, "\(v)")
        } else {
            Issue.record("no constant for \(v)")
        }
    }
}

@Test func randomStreamsSurviveRoundTrip() throws {
    let g = try #require(lowerSource(roundTripPrograms[4]).graph)
    let streams = g.nodes.compactMap { n -> UInt64? in
        switch n.op {
        case .dropout(_, let s), .bernoulli(let s): return s
        default: return nil
        }
    }
    #expect(streams == (0..<3).map { CounterRandom.key("nets/\($0)") })
}
