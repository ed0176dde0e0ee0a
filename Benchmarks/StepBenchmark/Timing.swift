import Foundation

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func milliseconds(since start: UInt64) -> Double { Double(now() - start) / 1e6 }

/// Median and minimum over `repetitions` runs of `body`, in milliseconds.
func measure<R>(_ repetitions: Int, _ body: () throws -> R) rethrows -> (median: Double, min: Double, result: R) {
    var times: [Double] = []
    var last: R?
    for _ in 0..<max(1, repetitions) {
        let t = now()
        last = try body()
        times.append(milliseconds(since: t))
    }
    times.sort()
    return (times[times.count / 2], times[0], last!)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("nngc-bench: \(message)\n".data(using: .utf8)!)
    exit(1)
}

func number(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
