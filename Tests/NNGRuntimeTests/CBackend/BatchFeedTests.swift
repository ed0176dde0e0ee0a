import AllocationCounter
import NNGCore
import NNGIR
import NNGTrain
@testable import NNGRuntime
import Testing

/// Batches gathered straight into the compiled step's arena: the same steps as through
/// tensors, and no allocation in the step loop.
@Suite struct BatchFeedTests {
    /// 20 samples of the MLP of CTrainingStepTests (x: 4 features, y: one-hot of 3), stored f64.
    static func dataset() -> Dataset {
        let n = 20
        let x = (0..<(n * 4)).map { i in CounterRandom.uniform(seed: 7, step: 0, stream: 1, index: UInt64(i)) * 4 - 2 }
        var y = [Double](repeating: 0, count: n * 3)
        for r in 0..<n { y[r * 3 + (r * 5) % 3] = 1 }
        return Dataset(columns: ["x": Tensor(shape: [n, 4], values: x, dtype: .f64),
                                 "y": Tensor(shape: [n, 3], values: y, dtype: .f64)], count: n)
    }

    static func makeStep(_ dtype: DType) throws -> CompiledTrainingStep {
        let g = try CTrainingStepTests.gradientGraphOf(CTrainingStepTests.mlp, dtype: dtype)
        let step = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        step.setParams(ParameterInitializer.initialValues(of: g.graph, seed: 5))
        return step
    }

    /// Batches of 8, 8 and 4 shuffled rows, twice: the gathered steps give the tensor steps'
    /// losses, reports and parameters bit for bit.
    @Test(arguments: DType.allCases)
    func gatheredStepsEqualTensorSteps(_ dtype: DType) throws {
        let data = Self.dataset()
        let columns = BatchColumns(data, inputs: ["x", "y"], dtype: dtype)
        let viaTensors = try Self.makeStep(dtype), gathered = try Self.makeStep(dtype)
        var reports = ReportSums(names: ["acc", "z", "missing"])
        var accSum = 0.0
        for epoch in 0..<2 {
            for (s, rows) in data.batches(size: 8, shuffle: true, seed: 3, epoch: epoch).enumerated() {
                let step = UInt64(epoch * 3 + s)
                let inputs = data.gather(rows).converted(to: dtype).columns
                let expected = try viaTensors.step(inputs: inputs, lr: 0.01, seed: 9, step: step)
                let loss = try gathered.step(rows: rows, of: columns, lr: 0.01, seed: 9, step: step, reports: &reports)
                #expect(loss.bitPattern == expected.loss.bitPattern, "step \(step)")
                accSum += expected.outputs["acc"]!.scalarValue! * Double(rows.count)
            }
        }
        for (name, value) in viaTensors.params() { #expect(gathered.params()[name] == value, "\(name)") }
        // `z` is not a scalar and `missing` no output: neither is reported.
        #expect(reports.averages(samples: 40) == ["acc": accSum / 40])
    }

    /// The allocations of N steps (after the first batch of each size) do not grow with N:
    /// none per step, on either tier. Not under `auto`: its swap to the optimised tier is a
    /// one-time event (loading a shared object allocates) that lands at whatever step the
    /// background compiler finishes, inside or outside the counted window depending on the
    /// machine's load; `optimized` waits for that code before its first step.
    @Test(arguments: DType.allCases, [TierPolicy.tinycc, .optimized])
    func stepLoopDoesNotAllocate(_ dtype: DType, _ policy: TierPolicy) throws {
        let data = Self.dataset()
        let columns = BatchColumns(data, inputs: ["x", "y"], dtype: dtype)
        let step = try Self.makeStep(dtype)
        step.tier.policy = policy
        let batches = data.batches(size: 8, shuffle: true, seed: 3, epoch: 0)  // 8, 8, 4 rows
        var reports = ReportSums(names: ["acc"])
        var counter: UInt64 = 0
        func steps(_ n: Int) throws -> Int64 {
            allocation_counter_start()
            for _ in 0..<n {
                _ = try step.step(rows: batches[Int(counter % 3)], of: columns, lr: 0.01, seed: 1, step: counter, reports: &reports)
                counter += 1
            }
            return allocation_counter_stop()
        }
        _ = try steps(3)  // compiles the programs for 8 and 4 rows
        let few = try steps(3), many = try steps(30)
        #expect(many == few, "\(few) allocations in 3 steps, \(many) in 30")
        #expect(many == 0, "\(many) allocations in 30 steps")
        #expect(step.lastTier == (policy == .tinycc ? .tinycc : .optimized))
    }

    /// The counter itself counts (a test that could not fail would prove nothing).
    @Test func counterCountsAllocations() {
        allocation_counter_start()
        let boxes = (0..<10).map { [Double](repeating: Double($0), count: 100 + $0) }
        let counted = allocation_counter_stop()
        #expect(boxes.count == 10)
        #expect(counted >= 10)
    }
}
