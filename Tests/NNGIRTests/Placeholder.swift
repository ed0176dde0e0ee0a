import Testing

@Test func NNGIRBuilds() { #expect(Bool(true)) }
