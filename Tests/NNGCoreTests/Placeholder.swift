import Testing

@Test func NNGCoreBuilds() { #expect(Bool(true)) }
