import Testing
@testable import CaseStore

@Test func moduleLoads() { #expect(Bool(true)) }
