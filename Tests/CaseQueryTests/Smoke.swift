import Testing
@testable import CaseQuery

@Test func moduleLoads() { #expect(Bool(true)) }
