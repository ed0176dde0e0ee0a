import NNGCore
import NNGLang

/// Thrown inside the lowering after the diagnostics of a failure have been recorded.
struct LoweringFailure: Error {}

/// The names visible in a graph body or a `fn` body.
///
/// A graph sees its inputs, params and values; a `fn` body sees only its parameters and
/// its own bindings (other fns are resolved by calls). Names live in their own namespace:
/// a value may be called `relu`, and a call `relu(…)` still means the operation.
struct Scope {
    enum Entry {
        case node(NodeID)
        /// The definition failed; uses are silently failures (no cascading errors).
        case poisoned
    }

    private(set) var entries: [String: (entry: Entry, range: SourceRange)] = [:]
    /// Defined names in definition order (candidates for "did you mean").
    private(set) var order: [String] = []
    /// Every name the body defines somewhere (to tell "used before defined" from "unknown").
    var declared: Set<String>

    init(declared: Set<String>) { self.declared = declared }

    func entry(_ name: String) -> Entry? { entries[name]?.entry }
    func definitionRange(_ name: String) -> SourceRange? { entries[name]?.range }

    /// Defines a name; returns false (and changes nothing) when it is already defined.
    @discardableResult
    mutating func define(_ name: String, _ entry: Entry, at range: SourceRange) -> Bool {
        guard entries[name] == nil else { return false }
        entries[name] = (entry, range)
        order.append(name)
        return true
    }
}
