#if canImport(Glibc)
import Glibc
#endif
import CBLASDispatch
import CTinyCC
import Foundation

/// An internal failure of the C backend (a bug in the generator, not the user's input).
public struct CBackendError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "internal error (C backend): \(message)" }
}

/// A C translation unit compiled in memory by libtcc. The TCCState, and with it the
/// code of every function obtained from `symbol(_:)`, lives as long as this object.
///
/// libtcc 0.9.27 keeps global state, so every compilation (and deletion) is serialised
/// by one process-wide lock. Calling compiled functions needs no lock.
public final class TinyCCModule: @unchecked Sendable {
    private static let lock = NSLock()

    private let state: OpaquePointer
    /// The C source the module was compiled from.
    public let source: String

    /// Compiles `source`, resolving the external functions it calls through `symbols`
    /// (name → address). Runs with `-nostdlib`: nothing else is linked.
    public init(source: String, symbols: [String: UnsafeRawPointer]) throws(CBackendError) {
        self.source = source
        TinyCCModule.lock.lock()
        defer { TinyCCModule.lock.unlock() }
        guard let s = tcc_new() else { throw CBackendError("tcc_new failed") }
        let collector = MessageCollector()
        let opaque = Unmanaged.passRetained(collector)
        defer { opaque.release() }
        tcc_set_error_func(s, opaque.toOpaque()) { ctx, msg in
            guard let ctx, let msg else { return }
            Unmanaged<MessageCollector>.fromOpaque(ctx).takeUnretainedValue().messages.append(String(cString: msg))
        }
        tcc_set_options(s, "-nostdlib")
        tcc_set_output_type(s, TCC_OUTPUT_MEMORY)
        for (name, address) in symbols { tcc_add_symbol(s, name, address) }
        let fail = { (what: String) -> CBackendError in
            let text = TinyCCModule.describe(collector.messages, source: source)
            tcc_delete(s)
            return CBackendError("TinyCC \(what) failed:\n\(text)")
        }
        if tcc_compile_string(s, source) != 0 { throw fail("compilation") }
        if tcc_relocate(s, UnsafeMutableRawPointer(bitPattern: 1)) < 0 { throw fail("relocation") }
        // Detach the error callback: the collector dies with this scope.
        tcc_set_error_func(s, nil, nil)
        state = s
    }

    deinit {
        TinyCCModule.lock.lock()
        tcc_delete(state)
        TinyCCModule.lock.unlock()
    }

    /// The C library and BLAS functions generated code may call (name → address), for compiling
    /// generated source directly (benchmarks, tools).
    public static var runtimeSymbols: [String: UnsafeRawPointer] { CExternals.addresses }

    /// The address of a global symbol of the compiled code, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        tcc_get_symbol(state, name)
    }

    /// Each message, followed by the source line it points at (`<string>:LINE:`), quoted.
    static func describe(_ messages: [String], source: String) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for m in messages {
            out.append(m)
            if let r = m.range(of: "<string>:") {
                let digits = m[r.upperBound...].prefix { $0.isNumber }
                if let n = Int(digits), n >= 1, n <= lines.count {
                    out.append("  \(n) | \(lines[n - 1])")
                }
            }
        }
        return out.isEmpty ? "(no message)" : out.joined(separator: "\n")
    }
}

private final class MessageCollector {
    var messages: [String] = []
}

/// Addresses of the C library and BLAS functions generated code may call.
enum CExternals {
    /// Every external function with its C prototype (declared in the prelude).
    static let prototypes: [(name: String, decl: String)] = {
        var out: [(String, String)] = []
        for f in ["exp", "log", "sqrt", "fabs", "sin", "cos", "tanh", "erf", "erfc", "log1p"] {
            out.append((f, "double \(f)(double);"))
            out.append((f + "f", "float \(f)f(float);"))
        }
        out.append(("pow", "double pow(double, double);"))
        out.append(("powf", "float powf(float, float);"))
        out.append(("memset", "void* memset(void*, int, unsigned long);"))
        out.append(("cblas_sgemm", "void cblas_sgemm(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);"))
        out.append(("cblas_dgemm", "void cblas_dgemm(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*, int);"))
        // Data-parallel training (DataParallel.swift): weight and sum over the MPI ranks, in place.
        out.append(("nngc_allreduce_f32", "int nngc_allreduce_f32(float*, long long);"))
        out.append(("nngc_allreduce_f64", "int nngc_allreduce_f64(double*, long long);"))
        return out
    }()

    /// Name → address, resolved once: libm's functions with dlsym (libm is linked into the
    /// process); the CBLAS names go to nngc's BLAS entry points, which run the products on the
    /// OpenBLAS loaded by `BLASLibrary` with the thread count chosen per product.
    nonisolated(unsafe) static let addresses: [String: UnsafeRawPointer] = {
        var out: [String: UnsafeRawPointer] = [:]
        let handle = dlopen(nil, RTLD_NOW)
        for (name, _) in prototypes {
            if let p = dlsym(handle, name) { out[name] = UnsafeRawPointer(p) }
        }
        _ = BLASLibrary.shared
        out["cblas_sgemm"] = UnsafeRawPointer(nngc_sgemm_address())
        out["cblas_dgemm"] = UnsafeRawPointer(nngc_dgemm_address())
        out["nngc_allreduce_f32"] = unsafeBitCast(nngcAllreduceF32, to: UnsafeRawPointer.self)
        out["nngc_allreduce_f64"] = unsafeBitCast(nngcAllreduceF64, to: UnsafeRawPointer.self)
        return out
    }()
}
