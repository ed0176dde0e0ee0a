#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The second tier of the C backend: the same generated C compiled by the system C compiler with
/// optimisation into a shared object, cached on disk, so that a long run (and the next run of the
/// same code) executes vectorised code instead of TinyCC's.
///
/// Results stay bit-identical to TinyCC's: no fast-math, no FMA contraction
/// (`-ffp-contract=off`), reductions keep their serial order (the optimiser may not reassociate
/// them without `-ffast-math`), and every library function is called through the very address
/// TinyCC calls (see `SharedObjectModule`). `-fno-math-errno` only drops the `errno` side effect
/// of `sqrt`, so that it becomes one (vectorisable) correctly rounded instruction;
/// `-fno-trapping-math` only says that floating-point exception flags are never looked at, so
/// that both sides of a select may be computed (the ReLU mask loops vectorise): no value changes.
public struct OptimizingCompiler: Sendable {
    /// The compiler executable (an absolute path), or nil when there is none.
    public var compiler: String?
    /// Why there is no compiler (for reports).
    public var unavailableReason: String?
    public var flags: [String]
    /// Where compiled shared objects are cached.
    public var cacheDirectory: URL

    public static let defaultFlags = ["-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno",
                                      "-fno-trapping-math", "-shared", "-fPIC", "-nostdlib", "-w"]

    /// The compiler named by `NNGC_CC` (a name looked up in PATH or a path), else `cc`, with the
    /// flags of `NNGC_CC_FLAGS` (separated by spaces) after the default ones, e.g.
    /// `-mno-avx512f` for code that valgrind can run; the cache in `NNGC_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/nngc`, else `~/.cache/nngc`.
    public static let fromEnvironment: OptimizingCompiler = {
        let env = ProcessInfo.processInfo.environment
        let extra = (env["NNGC_CC_FLAGS"] ?? "").split(separator: " ").map(String.init)
        return OptimizingCompiler(compilerName: env["NNGC_CC"] ?? "cc", cacheDirectory: defaultCacheDirectory(env),
                                  flags: defaultFlags + extra)
    }()

    public init(compilerName: String, cacheDirectory: URL, flags: [String] = OptimizingCompiler.defaultFlags) {
        self.flags = flags
        self.cacheDirectory = cacheDirectory
        if let path = OptimizingCompiler.resolve(compilerName) {
            compiler = path
        } else {
            compiler = nil
            unavailableReason = "no C compiler '\(compilerName)'"
        }
    }

    static func defaultCacheDirectory(_ env: [String: String]) -> URL {
        if let dir = env["NNGC_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("nngc") }
        let home = env["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/nngc")
    }

    /// An executable path for a compiler name: a path is taken as it is, a bare name is looked
    /// up in PATH. Symbolic links are resolved, so that the cache key names the real compiler.
    static func resolve(_ name: String) -> String? {
        var candidates: [String] = []
        if name.contains("/") {
            candidates = [name]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/\(name)" }
        }
        for c in candidates where access(c, X_OK) == 0 {
            return URL(fileURLWithPath: c).resolvingSymlinksInPath().path
        }
        return nil
    }

    /// Runs `executable` with `arguments` (posix_spawn: no shell, standard output discarded,
    /// standard error into the file `messages`) and returns its exit status (-1: not started).
    static func run(_ executable: String, _ arguments: [String], messages: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, messages, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED ? WEXITSTATUS : 128 + the signal
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    // MARK: Cache

    /// What, besides the source, decides the compiled code: the compiler (path, size and
    /// modification time of its executable), the flags, and the CPU (`-march=native`).
    var identity: String {
        guard let compiler else { return "none" }
        var st = stat()
        let version = stat(compiler, &st) == 0 ? "\(st.st_size)-\(st.st_mtim.tv_sec)" : "?"
        return "\(compiler) \(version) \(flags.joined(separator: " ")) \(OptimizingCompiler.cpu)"
    }

    /// The CPU's model and feature flags (first processor of /proc/cpuinfo).
    static let cpu: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        let lines = text.split(separator: "\n").prefix { !$0.isEmpty }
        return lines.filter { $0.hasPrefix("model name") || $0.hasPrefix("flags") }.joined(separator: ";")
    }()

    /// The text compiled for `source`: the source after one line per external function that
    /// turns its prototype into a pointer (see `SharedObjectModule`), the definition of
    /// `NNGC_INLINE` that forces the per-element helpers inline, and that of `NNGC_PARALLEL_FOR`,
    /// which splits the large elementwise and update loops across the cores with OpenMP (when the
    /// compiler has it, `openMP`; each iteration writes its own elements, so the bits are the
    /// same with any number of threads).
    static func translationUnit(_ source: String) -> String {
        var lines = ["/* nngc optimised tier: externals through pointers bound at load */",
                     "#define NNGC_INLINE static inline __attribute__((always_inline))",
                     "#define NNGC_PARALLEL_FOR _Pragma(\"omp parallel for schedule(static)\")"]
        for name in SharedObjectModule.indirectExternals {
            lines.append("#define \(name) (*\(SharedObjectModule.pointerName(name)))")
        }
        return lines.joined(separator: "\n") + "\n" + source
    }

    /// OpenMP's compiler flag and library when `compiler` can build a shared object with them
    /// (gcc with libgomp), else none: the parallel loops then run on one thread. Probed once per
    /// compiler, on the compiling thread. Not part of the cache key: with or without OpenMP the
    /// code computes the same bits.
    static func openMP(_ compiler: String, in directory: URL) -> (flags: [String], libraries: [String]) {
        openMPLock.lock()
        defer { openMPLock.unlock() }
        if let known = openMPProbes[compiler] { return known ? (["-fopenmp"], ["-lgomp"]) : ([], []) }
        let stem = directory.appendingPathComponent("openmp-probe.\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
        let c = stem.path + ".c", so = stem.path + ".so", log = stem.path + ".log"
        defer { for f in [c, so, log] { unlink(f) } }
        let probe = "int nngc_probe(float* x, long n) {\n#pragma omp parallel for\nfor (long i = 0; i < n; i++) x[i] += 1;\nreturn 0; }\n"
        let works = (try? probe.write(toFile: c, atomically: false, encoding: .utf8)) != nil
            && run(compiler, ["-shared", "-fPIC", "-nostdlib", "-fopenmp", "-o", so, c, "-lgomp"], messages: log) == 0
        openMPProbes[compiler] = works
        return works ? (["-fopenmp"], ["-lgomp"]) : ([], [])
    }

    nonisolated(unsafe) private static var openMPProbes: [String: Bool] = [:]
    private static let openMPLock = NSLock()

    /// Cache file stem: a 128-bit hash of the translation unit and the compiler's identity.
    func key(_ unit: String) -> String {
        var data = Array(identity.utf8)
        data.append(0)
        data.append(contentsOf: unit.utf8)
        return Self.hex(Self.fnv1a(data, basis: 0xcbf2_9ce4_8422_2325)) + Self.hex(Self.fnv1a(data, basis: 0x84222325_cbf29ce4))
    }

    private static func fnv1a(_ bytes: [UInt8], basis: UInt64) -> UInt64 {
        var h = basis
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The cached shared object of `source`, or nil. The cached copy of the compiled text must
    /// equal it (a hash collision can never load the wrong code); the text is renamed into place
    /// after the shared object, so a matching text means its shared object is complete.
    public func cachedSharedObject(_ source: String) -> URL? {
        guard compiler != nil else { return nil }
        let unit = OptimizingCompiler.translationUnit(source)
        let stem = key(unit)
        let c = cacheDirectory.appendingPathComponent(stem + ".c")
        guard let text = try? String(contentsOf: c, encoding: .utf8), text == unit else { return nil }
        let so = cacheDirectory.appendingPathComponent(stem + ".so")
        return FileManager.default.fileExists(atPath: so.path) ? so : nil
    }

    /// Compiles `source` into the cache (or finds it there) and returns the shared object.
    /// Runs the compiler as a child process; call it off the training thread. Concurrent
    /// processes compiling the same source are safe: each writes files of its own and renames
    /// them into place (atomic), and both produce the same code.
    public func compileToCache(_ source: String) throws(CBackendError) -> URL {
        if let hit = cachedSharedObject(source) { return hit }
        guard let compiler else { throw CBackendError(unavailableReason ?? "no C compiler") }
        let unit = OptimizingCompiler.translationUnit(source)
        let stem = key(unit)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw CBackendError("cannot create the cache directory \(cacheDirectory.path): \(error)")
        }
        let unique = "\(stem).\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        let tmpC = cacheDirectory.appendingPathComponent(unique + ".tmp.c")
        let tmpSO = cacheDirectory.appendingPathComponent(unique + ".tmp.so")
        defer {
            try? fm.removeItem(at: tmpC)
            try? fm.removeItem(at: tmpSO)
        }
        do {
            try unit.write(to: tmpC, atomically: false, encoding: .utf8)
        } catch {
            throw CBackendError("cannot write \(tmpC.path): \(error)")
        }
        let tmpLog = cacheDirectory.appendingPathComponent(unique + ".tmp.log")
        defer { try? fm.removeItem(at: tmpLog) }
        let openMP = OptimizingCompiler.openMP(compiler, in: cacheDirectory)
        let status = OptimizingCompiler.run(compiler, flags + openMP.flags + ["-o", tmpSO.path, tmpC.path] + openMP.libraries,
                                            messages: tmpLog.path)
        guard status == 0 else {
            let message = (try? String(contentsOf: tmpLog, encoding: .utf8)) ?? ""
            throw CBackendError("\(compiler) failed (status \(status)): \(message.prefix(2000))")
        }
        let so = cacheDirectory.appendingPathComponent(stem + ".so")
        let c = cacheDirectory.appendingPathComponent(stem + ".c")
        guard rename(tmpSO.path, so.path) == 0, rename(tmpC.path, c.path) == 0 else {
            throw CBackendError("cannot move the compiled code into \(cacheDirectory.path)")
        }
        return so
    }
}
