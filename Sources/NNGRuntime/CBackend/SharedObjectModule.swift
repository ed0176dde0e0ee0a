#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Generated code compiled by the optimising compiler, loaded with `dlopen`.
///
/// The external functions generated code calls (libm, BLAS, … — `CExternals`, the one table
/// TinyCC registers too) are not linked into the shared object: each prototype becomes a pointer
/// (`#define expf (*nngc_ext_expf)` before the source, see `OptimizingCompiler.translationUnit`),
/// which is set here to the address TinyCC is given. Both tiers therefore call the very same
/// functions, wherever they were loaded from (BLAS may be opened at run time, with local symbols).
/// Only the exactly specified functions the optimiser must see to vectorise (`sqrt`, `fabs`,
/// `memset`) are left to it: they become instructions or libc calls with identical results.
final class SharedObjectModule: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// Functions the optimiser may expand itself: correctly rounded or exact by definition.
    static let builtinExternals: Set<String> = ["sqrt", "sqrtf", "fabs", "fabsf", "memset"]

    /// Every other external, called through a pointer bound at load.
    static var indirectExternals: [String] {
        CExternals.prototypes.map(\.name).filter { !builtinExternals.contains($0) }
    }

    static func pointerName(_ name: String) -> String { "nngc_ext_\(name)" }

    /// OpenMP threads (the parallel loops, see `OptimizingCompiler.openMP`) that finish a loop
    /// sleep instead of spinning: spinning, they keep a core that BLAS's threads need for the
    /// next matrix product (the wide MLP's step took 2.4× longer at two threads). libgomp reads
    /// the setting when it is loaded, with the first module; a user's own setting wins.
    private static let passiveOpenMPThreads: Void = { setenv("OMP_WAIT_POLICY", "PASSIVE", 0) }()

    init(path: URL) throws(CBackendError) {
        SharedObjectModule.passiveOpenMPThreads
        guard let h = dlopen(path.path, RTLD_NOW | RTLD_LOCAL) else {
            throw CBackendError("dlopen \(path.path): \(String(cString: dlerror()))")
        }
        handle = h
        let addresses = CExternals.addresses
        for name in SharedObjectModule.indirectExternals {
            guard let slot = dlsym(h, SharedObjectModule.pointerName(name)) else { continue }
            guard let address = addresses[name] else {
                throw CBackendError("no address for \(name)")
            }
            slot.storeBytes(of: address, as: UnsafeRawPointer.self)
        }
    }

    // The code of a loaded module may be running on another thread until its owner goes; the
    // handle is closed with it. (dlopen counts references: a second module of the same file
    // shares the mapping.)
    deinit { dlclose(handle) }

    /// The address of a global symbol of the shared object, or nil.
    func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }
}
