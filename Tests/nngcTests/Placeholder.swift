import Testing

@Test func nngcBuilds() { #expect(Bool(true)) }
