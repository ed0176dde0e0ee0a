import Testing

@Test func NNGRuntimeBuilds() { #expect(Bool(true)) }
