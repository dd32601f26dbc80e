import Testing
@testable import CaseShell

@Test func moduleLoads() { #expect(Bool(true)) }
