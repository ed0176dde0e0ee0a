import NNGTestSupport
import NNGCore
@testable import NNGLang

/// A compact S-expression form of an expression, for structural comparisons.
func sexpr(_ e: Expr) -> String {
    switch e.kind {
    case .number(let v):
        return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    case .string(let s): return "\"\(s)\""
    case .bool(let b): return b ? "true" : "false"
    case .name(let n): return n
    case .call(let callee, let args):
        let a = args.map { arg in (arg.label.map { "\($0.name)=" } ?? "") + sexpr(arg.value) }
        return "(\(callee.name)" + a.map { " " + $0 }.joined() + ")"
    case .list(let items): return "[" + items.map(sexpr).joined(separator: " ") + "]"
    case .unary(_, let x): return "(neg \(sexpr(x)))"
    case .binary(let op, let l, let r, _): return "(\(op.rawValue) \(sexpr(l)) \(sexpr(r)))"
    }
}

func typeString(_ t: TypeExpr) -> String {
    "\(t.dtype)[" + t.dims.map { d -> String in
        switch d {
        case .size(let n, _): return String(n)
        case .symbol(let id): return id.name
        case .arithmetic(let e): return sexpr(e)
        }
    }.joined(separator: ", ") + "]"
}

func statementString(_ s: Statement) -> String {
    switch s.kind {
    case .input(let n, let t): return "input \(n.name): \(typeString(t))"
    case .param(let n, let t, let i): return "param \(n.name): \(typeString(t)) = \(sexpr(i))"
    case .assign(let n, let t, let e): return "\(n.name)\(t.map { ": " + typeString($0) } ?? "") = \(sexpr(e))"
    case .output(let names): return "output " + names.map(\.name).joined(separator: ", ")
    }
}

func source(_ text: String, path: String = "test.nng") -> SourceFile {
    SourceFile(path: path, text: text)
}

/// Parses `text` as one expression inside a graph and returns its S-expression (nil on error).
func parseExpr(_ text: String) -> String? {
    let r = parseExpression(source(text))
    guard r.diagnostics.isEmpty, let e = r.expr else { return nil }
    return sexpr(e)
}

/// The text a range covers.
func slice(_ file: SourceFile, _ r: SourceRange) -> String {
    String(decoding: file.bytes[r.start..<r.end], as: UTF8.self)
}

/// The diagnostics of a parse as "line:col: message".
func diagnosticLines(_ text: String) -> [String] {
    let f = source(text)
    return parse(f).diagnostics.map { d in
        let p = d.position(in: f) ?? (0, 0)
        return "\(p.line):\(p.column): \(d.message)"
    }
}


let chainExample = ContractExamples.chain

let xorExample = ContractExamples.xor
