import NNGLang

/// Which `fn` calls which, computed once per module so that every question the checker asks
/// about it costs time linear in the program: whether a call is recursive (both ends in one
/// strongly connected component), a call chain to show in that error, and whether a fn draws
/// random numbers (directly or through the fns it calls), which decides whether two calls on the
/// same arguments may share one inlined copy.
struct FnCallGraph {
    /// Called fns of each fn, in source order, each once.
    private(set) var callees: [String: [String]] = [:]
    /// Strongly connected component of each fn (fns calling each other share one).
    private var component: [String: Int] = [:]
    /// Fns that call a random operation themselves.
    private var random: Set<String> = []
    /// Memo of `drawsRandomNumbers` (the closure over the callees).
    private var randomClosure: [String: Bool] = [:]

    init(fns: [String: FnDecl]) {
        for (name, f) in fns {
            var seen = Set<String>(), order: [String] = [], usesRandom = false
            FnCallGraph.walkCalls(f) { callee in
                if fns[callee] != nil {
                    if seen.insert(callee).inserted { order.append(callee) }
                } else if callee == "dropout" || callee == "bernoulli" {
                    usesRandom = true
                }
            }
            callees[name] = order
            if usesRandom { random.insert(name) }
        }
        component = FnCallGraph.stronglyConnectedComponents(callees, in: fns.keys.sorted())
    }

    /// Whether a call of `callee` inside `caller` closes a cycle of calls.
    func isRecursive(call callee: String, in caller: String) -> Bool {
        callee == caller || (component[callee] != nil && component[callee] == component[caller])
    }

    /// A shortest chain of calls from `start` to `target` (both included), searched only among
    /// the fns of their component; nil when there is none.
    func chain(from start: String, to target: String) -> [String]? {
        var parent: [String: String] = [start: start]
        var queue = [start], head = 0
        while head < queue.count {
            let f = queue[head]
            head += 1
            if f == target {
                var path = [f], cur = f
                while cur != start { cur = parent[cur]!; path.append(cur) }
                return path.reversed()
            }
            for c in callees[f] ?? [] where parent[c] == nil && component[c] == component[start] {
                parent[c] = f
                queue.append(c)
            }
        }
        return nil
    }

    /// Whether inlining `fn` creates random operations (each call then gets fresh streams and
    /// cannot share another call's copy).
    mutating func drawsRandomNumbers(_ fn: String) -> Bool {
        if let known = randomClosure[fn] { return known }
        // Iterative depth-first search over the callees (chains of fns can be deep).
        var visited: Set<String> = [fn], stack = [fn], found = false
        while let f = stack.popLast(), !found {
            if random.contains(f) || randomClosure[f] == true { found = true; break }
            for c in callees[f] ?? [] where randomClosure[c] != false && visited.insert(c).inserted { stack.append(c) }
        }
        if !found { for f in visited { randomClosure[f] = false } }
        randomClosure[fn] = found
        return found
    }

    /// Calls `visit` with the callee name of every call in the fn's body and result.
    private static func walkCalls(_ f: FnDecl, _ visit: (String) -> Void) {
        var stack: [Expr] = f.body.map(\.value) + [f.result]
        while let e = stack.popLast() {
            switch e.kind {
            case .call(let c, let args):
                visit(c.name)
                stack += args.map(\.value)
            case .list(let items): stack += items
            case .unary(_, let x): stack.append(x)
            case .binary(_, let l, let r, _): stack += [l, r]
            default: break
            }
        }
    }

    /// Tarjan's algorithm, iterative: component index of every fn.
    private static func stronglyConnectedComponents(_ callees: [String: [String]], in order: [String]) -> [String: Int] {
        var index: [String: Int] = [:], low: [String: Int] = [:], onStack = Set<String>()
        var stack: [String] = [], component: [String: Int] = [:]
        var next = 0, components = 0
        for root in order where index[root] == nil {
            // Frames: (fn, position in its callee list).
            var frames: [(String, Int)] = [(root, 0)]
            index[root] = next; low[root] = next; next += 1
            stack.append(root); onStack.insert(root)
            while let (f, i) = frames.last {
                let cs = callees[f] ?? []
                if i < cs.count {
                    frames[frames.count - 1].1 += 1
                    let c = cs[i]
                    if index[c] == nil {
                        index[c] = next; low[c] = next; next += 1
                        stack.append(c); onStack.insert(c)
                        frames.append((c, 0))
                    } else if onStack.contains(c) {
                        low[f] = min(low[f]!, index[c]!)
                    }
                    continue
                }
                frames.removeLast()
                if let (parent, _) = frames.last { low[parent] = min(low[parent]!, low[f]!) }
                if low[f] == index[f] {
                    while let top = stack.popLast() {
                        onStack.remove(top)
                        component[top] = components
                        if top == f { break }
                    }
                    components += 1
                }
            }
        }
        return component
    }
}
