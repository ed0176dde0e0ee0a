import Testing
import NNGCore
import NNGIR
import NNGLang

@Test func smokeXor() {
    let (g, ds, _) = lowerSource(xorSource)
    #expect(ds.isEmpty, "\(ds)")
    if let g { print(printGraph(g)) }
    let (g2, ds2, _) = lowerSource(chainSource)
    #expect(ds2.isEmpty, "\(ds2)")
    if let g2 { print(printGraph(g2)) }
}
