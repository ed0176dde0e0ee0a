import CBLASDispatch
import Foundation

/// The BLAS library nngc's matrix products run on: OpenBLAS, loaded (not linked) on first use,
/// after its kernels have been chosen from the CPU's features.
///
/// OpenBLAS picks its kernels once, while it is being loaded, from `OPENBLAS_CORETYPE` or else
/// from the processor's model number, which misses processors newer than the library. So nngc
/// does not link it: before loading it, nngc sets `OPENBLAS_CORETYPE` to the kernels the
/// CPU's features allow (`openBLASCore(for:)`), unless the user has set it, and restores the
/// environment afterwards. Loaded with RTLD_GLOBAL, its CBLAS symbols also resolve for shared
/// objects loaded later. The products themselves go through `nngc_sgemm`/`nngc_dgemm`
/// (CBLASDispatch), which choose each product's thread count (`BLASThreadPolicy`).
public struct BLASLibrary: Sendable {
    /// Where the kernel family came from.
    public enum CoreChoice: Sendable, Equatable {
        /// Chosen by nngc from these CPU features.
        case features(String, Set<CPUFeature>)
        /// `OPENBLAS_CORETYPE` set by the user.
        case environment(String)
    }

    /// The shared object loaded.
    public let soname: String
    /// `openblas_get_config()`: version and build options.
    public let config: String
    /// `openblas_get_corename()`: the kernels running.
    public let core: String
    public let choice: CoreChoice
    public let threads: BLASThreadPolicy

    public static let soname = "libopenblas.so.0"

    /// The library of this process, loaded on first use. A missing OpenBLAS ends the process
    /// with a message saying what to install.
    public static let shared: BLASLibrary = {
        do throws(LoadError) {
            return try load()
        } catch {
            FileHandle.standardError.write("nngc: \(error.message)\n".data(using: .utf8)!)
            exit(1)
        }
    }()

    struct LoadError: Error { var message: String }

    private static func load() throws(LoadError) -> BLASLibrary {
        let choice: CoreChoice
        if let user = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !user.isEmpty {
            choice = .environment(user)
        } else {
            choice = .features(openBLASCore(for: .host), .host)
        }
        guard let handle = withCoreType(choice, { dlopen(soname, RTLD_NOW | RTLD_GLOBAL) }) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw LoadError(message: "cannot load OpenBLAS (\(reason)); install it with: apt-get install libopenblas0")
        }
        func symbol(_ name: String) throws(LoadError) -> UnsafeMutableRawPointer {
            guard let p = dlsym(handle, name) else { throw LoadError(message: "\(soname) has no \(name)") }
            return p
        }
        typealias Text = @convention(c) () -> UnsafePointer<CChar>?
        let config = unsafeBitCast(try symbol("openblas_get_config"), to: Text.self)().map { String(cString: $0) } ?? ""
        let core = unsafeBitCast(try symbol("openblas_get_corename"), to: Text.self)().map { String(cString: $0) } ?? ""
        let threads = BLASThreadPolicy.fromEnvironment()
        nngc_blas_install(try symbol("cblas_sgemm"), try symbol("cblas_dgemm"),
                          threads.userThreads == nil ? try symbol("openblas_set_num_threads") : nil,
                          Int32(threads.maxThreads), Int64(threads.parallelMinWork))
        return BLASLibrary(soname: soname, config: config.trimmingCharacters(in: .whitespaces),
                           core: core, choice: choice, threads: threads)
    }

    /// Runs `body` (the loading) with `OPENBLAS_CORETYPE` set to nngc's choice, then restores
    /// the environment so that child processes see the user's settings only.
    private static func withCoreType<R>(_ choice: CoreChoice, _ body: () -> R) -> R {
        guard case .features(let core, _) = choice else { return body() }
        setenv("OPENBLAS_CORETYPE", core, 1)
        defer { unsetenv("OPENBLAS_CORETYPE") }
        return body()
    }

    /// The kernel family asked for.
    public var chosenCore: String {
        switch choice {
        case .features(let core, _), .environment(let core): return core
        }
    }

    /// What `nngc --version` prints: library, kernels and why, threads.
    public var description: String {
        let why: String
        switch choice {
        case .features(_, let features):
            let names = CPUFeature.allCases.filter(features.contains).map(\.rawValue)
            why = "chosen from the CPU's features (\(names.isEmpty ? "none" : names.joined(separator: " ")))"
        case .environment:
            why = "set by OPENBLAS_CORETYPE"
        }
        let kernels = core.caseInsensitiveCompare(chosenCore) == .orderedSame ? core : "\(core) (asked for \(chosenCore))"
        return """
            BLAS: \(config) (\(soname))
            BLAS kernels: \(kernels), \(why)
            BLAS threads: \(threads.description)
            """
    }
}
