import Testing
import NNGCore
import NNGIR

private func t(_ dims: Dim..., dtype: DType = .f32) -> TensorType { TensorType(dtype, Shape(dims)) }

private func infer(_ op: Op, _ inputs: TensorType...) throws(ShapeError) -> TensorType {
    try inferType(of: op, inputs: inputs, dtype: .f32)
}

private func message(_ op: Op, _ inputs: TensorType...) -> String? {
    do {
        _ = try inferType(of: op, inputs: inputs, dtype: .f32)
        return nil
    } catch {
        return error.message
    }
}

struct InferenceCase: CustomTestStringConvertible, Sendable {
    var op: Op
    var inputs: [TensorType]
    var expected: TensorType
    var testDescription: String { "\(op) \(inputs) -> \(expected)" }
}

struct InferenceErrorCase: CustomTestStringConvertible, Sendable {
    var op: Op
    var inputs: [TensorType]
    var message: String
    var testDescription: String { message }
}

let inferenceCases: [InferenceCase] = [
    .init(op: .constant([2]), inputs: [], expected: t()),
    .init(op: .unary(.relu), inputs: [t("B", 8)], expected: t("B", 8)),
    .init(op: .unary(.leakyRelu(alpha: 0.2)), inputs: [t(3)], expected: t(3)),
    .init(op: .unary(.negate), inputs: [t()], expected: t()),
    // Broadcasting in every position.
    .init(op: .binary(.add), inputs: [t("B", 8), t(8)], expected: t("B", 8)),
    .init(op: .binary(.add), inputs: [t(8), t("B", 8)], expected: t("B", 8)),
    .init(op: .binary(.multiply), inputs: [t("B", 1), t(1, 8)], expected: t("B", 8)),
    .init(op: .binary(.multiply), inputs: [t(1, 8), t("B", 1)], expected: t("B", 8)),
    .init(op: .binary(.subtract), inputs: [t(), t("B", 3)], expected: t("B", 3)),
    .init(op: .binary(.divide), inputs: [t("B", 3), t()], expected: t("B", 3)),
    .init(op: .binary(.power), inputs: [t("B", "T"), t("B", "T")], expected: t("B", "T")),
    .init(op: .binary(.maximum), inputs: [t(2, 1, 4), t(3, 1)], expected: t(2, 3, 4)),
    .init(op: .binary(.minimum), inputs: [t(1), t("B")], expected: t("B")),
    .init(op: .select, inputs: [t("B", 1), t(1, 4), t()], expected: t("B", 4)),
    // Matmul: the four rank cases.
    .init(op: .matmul, inputs: [t("B", 784), t(784, 100)], expected: t("B", 100)),
    .init(op: .matmul, inputs: [t(3), t(3, 5)], expected: t(5)),
    .init(op: .matmul, inputs: [t("B", 3), t(3)], expected: t("B")),
    .init(op: .matmul, inputs: [t("K"), t("K")], expected: t()),
    .init(op: .transpose([1, 0]), inputs: [t("B", 3)], expected: t(3, "B")),
    .init(op: .transpose([2, 0, 1]), inputs: [t(2, 3, 4)], expected: t(4, 2, 3)),
    .init(op: .reshape(["B", 784]), inputs: [t("B", 28, 28)], expected: t("B", 784)),
    .init(op: .reshape([6]), inputs: [t(2, 3)], expected: t(6)),
    .init(op: .reshape(["B", "T"]), inputs: [t("T", "B")], expected: t("B", "T")),
    .init(op: .broadcast(["B", 3]), inputs: [t(3)], expected: t("B", 3)),
    .init(op: .broadcast([2, 3]), inputs: [t(2, 1)], expected: t(2, 3)),
    .init(op: .reduce(.sum, axes: [0, 1], keepdims: false), inputs: [t("B", 3)], expected: t()),
    .init(op: .reduce(.mean, axes: [1], keepdims: true), inputs: [t("B", 3)], expected: t("B", 1)),
    .init(op: .reduce(.max, axes: [0], keepdims: false), inputs: [t("B", 3)], expected: t(3)),
    .init(op: .reduce(.logsumexp, axes: [], keepdims: false), inputs: [t(2)], expected: t(2)),
    .init(op: .softmax(axis: 1), inputs: [t("B", 10)], expected: t("B", 10)),
    .init(op: .logSoftmax(axis: 0), inputs: [t(10)], expected: t(10)),
    .init(op: .concat(axis: 1), inputs: [t("B", 2), t("B", 3), t("B", 1)], expected: t("B", 6)),
    .init(op: .concat(axis: 0), inputs: [t("B", 2)], expected: t("B", 2)),
    .init(op: .slice(axis: 1, start: 1, end: 3), inputs: [t("B", 4)], expected: t("B", 2)),
    .init(op: .pad(axis: 0, before: 1, after: 2), inputs: [t(3, "B")], expected: t(6, "B")),
    .init(op: .pad(axis: 0, before: 0, after: 0), inputs: [t("B")], expected: t("B")),
    .init(op: .oneHot(classes: 10), inputs: [t("B")], expected: t("B", 10)),
    .init(op: .loss(.mse), inputs: [t("B", 1), t("B", 1)], expected: t()),
    .init(op: .loss(.bce), inputs: [t("B", 1), t("B", 1)], expected: t()),
    .init(op: .loss(.bceLogits), inputs: [t(4), t(4)], expected: t()),
    .init(op: .loss(.crossEntropy), inputs: [t("B", 10), t("B", 10)], expected: t()),
    .init(op: .accuracy, inputs: [t("B", 10), t("B", 10)], expected: t()),
    .init(op: .conv2d(stride: 1, padding: 0), inputs: [t("N", 1, 28, 28), t(8, 1, 5, 5)], expected: t("N", 8, 24, 24)),
    .init(op: .conv2d(stride: 2, padding: 1), inputs: [t(2, 3, 7, 9), t(4, 3, 3, 3)], expected: t(2, 4, 4, 5)),
    .init(op: .pool(.max, size: 2, stride: 2), inputs: [t("N", 8, 24, 24)], expected: t("N", 8, 12, 12)),
    .init(op: .pool(.average, size: 3, stride: 1), inputs: [t(5, 5)], expected: t(3, 3)),
    .init(op: .dropout(p: 0.5, stream: 1), inputs: [t("B", 8)], expected: t("B", 8)),
    .init(op: .bernoulli(stream: 2), inputs: [t(3)], expected: t(3)),
    .init(op: .stopGradient, inputs: [t("B")], expected: t("B")),
]

@Test(arguments: inferenceCases)
func inferenceResult(_ c: InferenceCase) throws {
    #expect(try inferType(of: c.op, inputs: c.inputs, dtype: .f32) == c.expected)
}

let inferenceErrors: [InferenceErrorCase] = [
    .init(op: .binary(.add), inputs: [t(3, 4), t(5)], message: "cannot broadcast f32[3, 4] and f32[5] in '+'"),
    .init(op: .binary(.power), inputs: [t("B"), t(3)], message: "cannot broadcast f32[B] and f32[3] in '^'"),
    .init(op: .binary(.subtract), inputs: [t("B"), t("T")], message: "cannot broadcast f32[B] and f32[T] in '-'"),
    .init(op: .binary(.maximum), inputs: [t(2), t(3)], message: "cannot broadcast f32[2] and f32[3] in 'maximum'"),
    .init(op: .select, inputs: [t(2), t(3), t()], message: "cannot broadcast f32[2], f32[3] and f32[] in 'where'"),
    .init(op: .matmul, inputs: [t("B", 784), t(748, 100)], message: "matmul needs a[1] == b[0], got f32[B, 784] @ f32[748, 100]"),
    .init(op: .matmul, inputs: [t(3), t(4, 5)], message: "matmul needs a[0] == b[0], got f32[3] @ f32[4, 5]"),
    .init(op: .matmul, inputs: [t(2, 3), t(4)], message: "matmul needs a[1] == b[0], got f32[2, 3] @ f32[4]"),
    .init(op: .matmul, inputs: [t(2, 3, 4), t(4)], message: "matmul needs operands of rank 1 or 2, got f32[2, 3, 4] @ f32[4]"),
    .init(op: .matmul, inputs: [t(), t(4)], message: "matmul needs operands of rank 1 or 2, got f32[] @ f32[4]"),
    .init(op: .transpose([0, 0]), inputs: [t(2, 3)], message: "transpose of f32[2, 3] needs a permutation of [0, 1], got [0, 0]"),
    .init(op: .reshape([4, "B"]), inputs: [t("B", 3)], message: "cannot reshape f32[B, 3] to [4, B]: 3·B elements vs 4·B"),
    .init(op: .broadcast([4]), inputs: [t(3)], message: "cannot broadcast f32[3] to [4]"),
    .init(op: .reduce(.sum, axes: [2], keepdims: false), inputs: [t(2, 3)], message: "axis 2 is out of range for f32[2, 3] in 'sum'"),
    .init(op: .softmax(axis: 0), inputs: [t()], message: "axis 0 is out of range for f32[] in 'softmax'"),
    .init(op: .concat(axis: 1), inputs: [t(2, 3), t(3, 3)], message: "concat along axis 1 needs equal shapes except on that axis, got f32[2, 3] and f32[3, 3]"),
    .init(op: .concat(axis: 0), inputs: [t("B", 3), t(2, 3)], message: "concat along axis 0 needs concrete sizes on that axis, got f32[B, 3], f32[2, 3]"),
    .init(op: .slice(axis: 0, start: 2, end: 5), inputs: [t(4)], message: "slice 2..<5 is out of bounds for axis 0 of f32[4]"),
    .init(op: .slice(axis: 0, start: 0, end: 1), inputs: [t("B")], message: "slice needs a concrete size on axis 0, got f32[B]"),
    .init(op: .pad(axis: 0, before: -1, after: 0), inputs: [t(4)], message: "pad needs before >= 0 and after >= 0, got -1 and 0"),
    .init(op: .oneHot(classes: 0), inputs: [t(4)], message: "one_hot needs classes > 0, got 0"),
    .init(op: .loss(.mse), inputs: [t("B", 1), t("B")], message: "mse needs prediction and target of the same shape, got f32[B, 1] and f32[B]"),
    .init(op: .loss(.crossEntropy), inputs: [t(), t()], message: "cross_entropy needs tensors of rank 1 or more, got f32[]"),
    .init(op: .accuracy, inputs: [t(2), t(3)], message: "accuracy needs prediction and target of the same shape, got f32[2] and f32[3]"),
    .init(op: .conv2d(stride: 1, padding: 0), inputs: [t(1, 3, 8, 8), t(4, 1, 3, 3)], message: "conv2d channel mismatch: x f32[1, 3, 8, 8] has 3 channels but w f32[4, 1, 3, 3] has 1"),
    .init(op: .conv2d(stride: 1, padding: 0), inputs: [t(1, 1, 2, 2), t(4, 1, 3, 3)], message: "conv2d output would be empty: f32[1, 1, 2, 2] with kernel f32[4, 1, 3, 3], stride 1, padding 0"),
    .init(op: .conv2d(stride: 1, padding: 0), inputs: [t(1, 1, "H", 2), t(4, 1, 3, 3)], message: "conv2d needs concrete H, W, R and S, got f32[1, 1, H, 2] and f32[4, 1, 3, 3]"),
    .init(op: .conv2d(stride: 1, padding: 0), inputs: [t(1, 2, 2), t(4, 1, 3, 3)], message: "conv2d needs x [N, C, H, W] and w [K, C, R, S], got f32[1, 2, 2] and f32[4, 1, 3, 3]"),
    .init(op: .pool(.max, size: 3, stride: 3), inputs: [t(1, 2, 2)], message: "maxpool2d output would be empty: f32[1, 2, 2] with size 3, stride 3"),
    .init(op: .pool(.average, size: 0, stride: 1), inputs: [t(4, 4)], message: "avgpool2d needs size >= 1 and stride >= 1, got size 0, stride 1"),
    .init(op: .dropout(p: 1, stream: 0), inputs: [t(4)], message: "dropout needs 0 <= p < 1, got 1"),
    .init(op: .unary(.exp), inputs: [t(2), t(2)], message: "'exp' takes 1 input, got 2"),
    .init(op: .input("x"), inputs: [], message: "the type of input 'x' is declared, not inferred"),
]

@Test(arguments: inferenceErrors)
func inferenceError(_ c: InferenceErrorCase) {
    #expect(throws: ShapeError(c.message)) { try inferType(of: c.op, inputs: c.inputs, dtype: .f32) }
}

@Test func mixedElementTypesAreRejected() {
    #expect(message(.unary(.exp), t(2, dtype: .f64)) == "'exp' mixes element types: f64 in a f32 graph")
}

@Test func resultTakesGraphDType() throws {
    #expect(try inferType(of: .binary(.add), inputs: [t(2, dtype: .f64), t(dtype: .f64)], dtype: .f64) == t(2, dtype: .f64))
    #expect(try infer(.unary(.exp), t()) == t())
}

@Test func broadcastingHelpers() {
    #expect(broadcastShapes([Shape(["B", 1]), Shape([1, 3])]) == Shape(["B", 3]))
    #expect(broadcastShapes([Shape(["B"]), Shape([3])]) == nil)
    #expect(broadcasts(Shape([3]), to: Shape(["B", 3])))
    #expect(!broadcasts(Shape(["B", 3]), to: Shape([3])))
}

@Test func monomials() {
    let a = Monomial([.symbol("B"), 28, 28])!
    #expect(a.divided(by: Monomial([784])!)?.asDim == .symbol("B"))
    #expect(a.divided(by: Monomial([.symbol("B")])!)?.asDim == .known(784))
    #expect(a.divided(by: Monomial([5])!) == nil)
    #expect(Monomial([.symbol("B"), .symbol("B")])!.asDim == .product(Monomial(symbols: ["B": 2])))
    #expect(Monomial([2, .symbol("B")])!.asDim?.description == "2*B")
    #expect(Monomial([.symbol("L"), 3, .symbol("B"), .symbol("L")])!.asDim?.description == "3*B*L*L")
    #expect(Monomial(coefficient: 0, symbols: ["B": 1]).asDim == nil)
}

@Test func graphBuilder() throws {
    var g = Graph(name: "g", dtype: .f32)
    let x = g.append(Node(op: .input("x"), inputs: [], type: t("B", 2)))
    let w = g.append(Node(op: .param("w", .zeros), inputs: [], type: t(2, 3)))
    let y = try g.add(.matmul, [x, w], name: "y")
    #expect(g[y].type == t("B", 3))
    #expect(g[y].name == "y")
    let one = g.addConstant([1])
    let z = try g.add(.binary(.add), [y, one])
    #expect(g[z].type == t("B", 3))
    #expect(throws: ShapeError("cannot broadcast f32[B, 2] and f32[B, 3] in '+'")) { try g.add(.binary(.add), [x, y]) }
    #expect(throws: ShapeError("node 9 does not exist")) { try g.add(.unary(.exp), [9]) }
}
