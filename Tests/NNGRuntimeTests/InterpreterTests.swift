import Foundation
import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct InterpreterTests {
    /// The contract's chain example: loss = (w2·relu(w1·x) − y)².
    static func chain(_ dtype: DType) -> GraphBuilder {
        var b = GraphBuilder(dtype, name: "chain")
        let x = b.input("x", [])
        let y = b.input("y", [])
        let w1 = b.param("w1", [], .fill(0.5))
        let w2 = b.param("w2", [], .fill(1.5))
        let z = b.op(.binary(.multiply), [w1, x], [], name: "z")
        let h = b.op(.unary(.relu), [z], [], name: "h")
        let yhat = b.op(.binary(.multiply), [w2, h], [], name: "yhat")
        let d = b.op(.binary(.subtract), [yhat, y], [])
        let two = b.constant([2], [])
        let loss = b.op(.binary(.power), [d, two], [], name: "loss")
        b.output("loss", loss)
        return b
    }

    @Test(arguments: DType.allCases)
    func chainExample(dtype: DType) throws {
        let b = Self.chain(dtype)
        let params = ParameterInitializer.initialValues(of: b.graph, seed: 0)
        let out = try Interpreter(graph: b.graph).outputs(
            inputs: ["x": .scalar(2, dtype: dtype), "y": .scalar(3, dtype: dtype)], params: params, options: RunOptions())
        #expect(out.count == 1)
        #expect(out[0].name == "loss")
        #expect(out[0].value == .scalar(2.25, dtype: dtype))
    }

    @Test(arguments: DType.allCases)
    func fedTensorsOfTheOtherDtypeAreConverted(dtype: DType) throws {
        let b = Self.chain(dtype)
        let other: DType = dtype == .f32 ? .f64 : .f32
        let values = try b.run(inputs: ["x": .scalar(2, dtype: other), "y": .scalar(3, dtype: other)],
                               params: ["w1": .scalar(0.5, dtype: other), "w2": .scalar(1.5, dtype: other)])
        #expect(values.allSatisfy { $0.dtype == dtype })
        #expect(values.last == .scalar(2.25, dtype: dtype))
    }

    @Test(arguments: DType.allCases)
    func xorNetworkForward(dtype: DType) throws {
        // dense → tanh → dense → sigmoid → bce & accuracy, batch size bound by the input
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B", 2]), y = b.input("y", ["B", 1])
        let w1 = b.param("W1", [2, 2], .literal([1, -1, 1, -1]))
        let b1 = b.param("b1", [2], .literal([0, 0.5]))
        let w2 = b.param("W2", [2, 1], .literal([2, 1]))
        let b2 = b.param("b2", [1], .literal([-1]))
        let a1 = b.op(.matmul, [x, w1], ["B", 2])
        let h = b.op(.unary(.tanh), [b.op(.binary(.add), [a1, b1], ["B", 2])], ["B", 2])
        let a2 = b.op(.binary(.add), [b.op(.matmul, [h, w2], ["B", 1]), b2], ["B", 1])
        let p = b.op(.unary(.sigmoid), [a2], ["B", 1])
        b.output("loss", b.op(.loss(.bce), [p, y], []))
        b.output("acc", b.op(.accuracy, [p, y], []))
        let xs: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]], ys: [Double] = [0, 1, 1, 0]
        let out = try Interpreter(graph: b.graph).outputs(
            inputs: ["x": Tensor(shape: [4, 2], values: xs.flatMap { $0 }, dtype: dtype),
                     "y": Tensor(shape: [4, 1], values: ys, dtype: dtype)],
            params: ParameterInitializer.initialValues(of: b.graph, seed: 0), options: RunOptions())
        // reference computed directly
        func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var loss = 0.0, hits = 0.0
        for (xi, yi) in zip(xs, ys) {
            let h0 = tanh(xi[0] + xi[1]), h1 = tanh(-xi[0] - xi[1] + 0.5)
            let pi = sig(2 * h0 + h1 - 1)
            loss -= yi * log(pi) + (1 - yi) * log(1 - pi)
            if (pi > 0.5) == (yi > 0.5) { hits += 1 }
        }
        #expect(out.map(\.name) == ["loss", "acc"])
        expectClose(out[0].value, [], [loss / 4], dtype: dtype, tol: dtype == .f32 ? 1e-6 : 1e-14)
        expectClose(out[1].value, [], [hits / 4], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func symbolSizesBindSymbolsNoInputHas(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", [3])
        let y = b.op(.broadcast(["N", 3]), [x], ["N", 3])
        let v = try b.run(inputs: ["x": Tensor(shape: [3], values: [1, 2, 3], dtype: dtype)],
                          options: RunOptions(symbolSizes: ["N": 2]))
        expectClose(v[y], [2, 3], [1, 2, 3, 1, 2, 3], dtype: dtype)
    }

    // MARK: run-time errors

    static let xRange = SourceRange(start: 4, end: 5)
    static let yRange = SourceRange(start: 20, end: 21)

    static func twoInputs(_ dtype: DType) -> GraphBuilder {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B", 2], range: xRange)
        let y = b.input("y", ["B", 1], range: yRange)
        b.param("w", [2, 1], .zeros, range: SourceRange(start: 30, end: 31))
        b.op(.binary(.add), [b.op(.reduce(.sum, axes: [1], keepdims: true), [x], ["B", 1]), y], ["B", 1])
        return b
    }

    static func diagnostics(_ body: () throws -> Void) -> [Diagnostic] {
        do {
            try body()
            return []
        } catch let e as DiagnosticsError {
            return e.diagnostics
        } catch {
            return [Diagnostic("unexpected \(error)")]
        }
    }

    @Test(arguments: DType.allCases)
    func inputNotFed(dtype: DType) {
        let b = Self.twoInputs(dtype)
        let d = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 2], dtype: dtype)], params: ["w": .zeros([2, 1], dtype: dtype)])
        }
        #expect(d.map(\.message) == ["input 'y' is not fed"])
        #expect(d.first?.range == Self.yRange)
    }

    @Test(arguments: DType.allCases)
    func paramWithoutValue(dtype: DType) {
        let b = Self.twoInputs(dtype)
        let d = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 2], dtype: dtype), "y": .zeros([4, 1], dtype: dtype)])
        }
        #expect(d.map(\.message) == ["param 'w' has no value"])
        #expect(d.first?.range == SourceRange(start: 30, end: 31))
    }

    @Test(arguments: DType.allCases)
    func wrongShapes(dtype: DType) {
        let b = Self.twoInputs(dtype)
        let w = Tensor.zeros([2, 1], dtype: dtype)
        let badDim = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 3], dtype: dtype), "y": .zeros([4, 1], dtype: dtype)], params: ["w": w])
        }
        #expect(badDim.map(\.message) == ["input 'x' expects \(dtype)[B, 2], got shape [4, 3]"])
        #expect(badDim.first?.range == Self.xRange)
        let badRank = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 2], dtype: dtype), "y": .zeros([4], dtype: dtype)], params: ["w": w])
        }
        #expect(badRank.map(\.message) == ["input 'y' expects \(dtype)[B, 1], got shape [4]"])
        let badParam = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 2], dtype: dtype), "y": .zeros([4, 1], dtype: dtype)],
                          params: ["w": .zeros([1, 2], dtype: dtype)])
        }
        #expect(badParam.map(\.message) == ["param 'w' expects \(dtype)[2, 1], got shape [1, 2]"])
    }

    @Test(arguments: DType.allCases)
    func symbolBoundToTwoSizes(dtype: DType) {
        let b = Self.twoInputs(dtype)
        let d = Self.diagnostics {
            _ = try b.run(inputs: ["x": .zeros([4, 2], dtype: dtype), "y": .zeros([5, 1], dtype: dtype)],
                          params: ["w": .zeros([2, 1], dtype: dtype)])
        }
        #expect(d.map(\.message) == ["symbol 'B' is 4 from input 'x' but 5 from input 'y'"])
        #expect(d.first?.range == Self.yRange)
    }

    @Test(arguments: DType.allCases)
    func symbolWithoutSize(dtype: DType) {
        var b = GraphBuilder(dtype)
        let x = b.input("x", [3])
        b.op(.broadcast(["B", 3]), [x], ["B", 3], range: SourceRange(start: 7, end: 9))
        let d = Self.diagnostics { _ = try b.run(inputs: ["x": .zeros([3], dtype: dtype)]) }
        #expect(d.map(\.message) == ["symbol 'B' has no size; feed an input that has it or give --size B=N"])
        #expect(d.first?.range == SourceRange(start: 7, end: 9))
    }

    @Test(arguments: DType.allCases)
    func inconsistentTensorIsADiagnosticNotATrap(dtype: DType) {
        let b = Self.twoInputs(dtype)
        let broken = Tensor(shape: [4, 2], storage: dtype == .f32 ? .f32([1, 2, 3]) : .f64([1, 2, 3]))
        let d = Self.diagnostics {
            _ = try b.run(inputs: ["x": broken, "y": .zeros([4, 1], dtype: dtype)], params: ["w": .zeros([2, 1], dtype: dtype)])
        }
        #expect(d.map(\.message) == ["input 'x' has 3 values for shape [4, 2]"])
        let negative = Tensor(shape: [-1, 2], storage: .f64([]))
        let e = Self.diagnostics {
            _ = try b.run(inputs: ["x": negative, "y": .zeros([4, 1], dtype: dtype)], params: ["w": .zeros([2, 1], dtype: dtype)])
        }
        #expect(e.map(\.message) == ["input 'x' has 0 values for shape [-1, 2]"])
    }

    @Test(arguments: DType.allCases)
    func emptyBatchDoesNotTrap(dtype: DType) throws {
        let b = Self.twoInputs(dtype)
        let v = try b.run(inputs: ["x": .zeros([0, 2], dtype: dtype), "y": .zeros([0, 1], dtype: dtype)],
                          params: ["w": .zeros([2, 1], dtype: dtype)])
        #expect(v.last?.shape == [0, 1])
    }
}

@Suite struct RobustnessTests {
    static func message(_ dtype: DType, _ op: Op, _ args: [Arg], shape: [Int]) -> String? {
        errorMessage { _ = try apply(op, args, shape: shape, dtype: dtype) }
    }

    @Test(arguments: DType.allCases)
    func badAttributesAreDiagnostics(dtype: DType) {
        let m = Arg.iota([2, 3])
        #expect(Self.message(dtype, .transpose([0, 0]), [m], shape: [2, 2]) == "transpose permutation [0, 0] does not fit shape [2, 3]")
        #expect(Self.message(dtype, .reduce(.sum, axes: [2], keepdims: false), [m], shape: [2]) == "sum axis 2 is out of range for shape [2, 3]")
        #expect(Self.message(dtype, .softmax(axis: 5), [m], shape: [2, 3]) == "softmax axis 5 is out of range for shape [2, 3]")
        #expect(Self.message(dtype, .pool(.max, size: 3, stride: 1), [m], shape: [1, 1]) == "maxpool2d of size 3 and stride 1 does not fit shape [2, 3]")
        #expect(Self.message(dtype, .concat(axis: 0), [m, Arg.iota([2, 2])], shape: [4, 3])
                == "concat along axis 0 needs equal other dimensions, got [2, 3], [2, 2]")
        #expect(Self.message(dtype, .matmul, [Arg.iota([2, 2, 2]), m], shape: [2]) == "matmul needs operands of rank 1 or 2, got [2, 2, 2] @ [2, 3]")
        #expect(Self.message(dtype, .binary(.add), [m], shape: [2, 3]) == "internal error: + needs 2 operands, got 1")
        #expect(Self.message(dtype, .unary(.exp), [m], shape: [3, 2]) == "internal error: exp produced shape [2, 3], but its type is \(dtype)[3, 2]")
    }

    @Test(arguments: DType.allCases)
    func hugeSymbolSizeIsADiagnostic(dtype: DType) {
        var b = GraphBuilder(dtype)
        let x = b.input("x", [3])
        b.op(.broadcast(["N", "N", 3]), [x], ["N", "N", 3])
        let msg = errorMessage {
            _ = try b.run(inputs: ["x": .zeros([3], dtype: dtype)], options: RunOptions(symbolSizes: ["N": 1 << 40]))
        }
        #expect(msg == "a value of shape [1099511627776, 1099511627776, 3] is too large")
        let neg = errorMessage {
            _ = try b.run(inputs: ["x": .zeros([3], dtype: dtype)], options: RunOptions(symbolSizes: ["N": -2]))
        }
        #expect(neg == "symbol 'N' cannot have the negative size -2")
    }

    @Test(arguments: DType.allCases)
    func firstNonFiniteNode(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", [2])
        let l = b.op(.unary(.log), [x], [2])
        b.op(.unary(.exp), [l], [2])
        let v = try b.run(inputs: ["x": Tensor(shape: [2], values: [1, 0], dtype: dtype)])
        #expect(Interpreter.firstNonFinite(v) == l)
        let w = try b.run(inputs: ["x": Tensor(shape: [2], values: [1, 2], dtype: dtype)])
        #expect(Interpreter.firstNonFinite(w) == nil)
    }
}
