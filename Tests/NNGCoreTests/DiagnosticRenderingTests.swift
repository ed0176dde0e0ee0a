import NNGCore
import Testing

// Control characters in a name, string or path are escaped when a diagnostic is rendered
// (issue 14): an escape sequence echoed raw recolours the terminal, a newline splits the
// one-line `PATH:LINE:COL: error:` format.

@Test func renderedDiagnosticsEscapeControlCharacters() {
    let file = SourceFile(path: "a\nb.nng", text: "x = \"\u{1B}[31m\"\tend\n")
    let d = Diagnostic("unknown name '\u{1B}[31mred'\nsecond", at: SourceRange(start: 4, end: 10), notes: ["note: \u{7}bell"])
    #expect(d.rendered(in: file) == """
    a\\u{A}b.nng:1:5: error: unknown name '\\u{1B}[31mred'\\u{A}second
      x = "\\u{1B}[31m"\tend
          ^~~~~~
    note: \\u{7}bell
    """)
    #expect(Diagnostic("bad \u{9B}c1").rendered(in: nil) == "error: bad \\u{9B}c1")
}
