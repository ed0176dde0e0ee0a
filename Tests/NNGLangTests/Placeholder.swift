import Testing

@Test func NNGLangBuilds() { #expect(Bool(true)) }
