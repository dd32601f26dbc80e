import Testing
import CaseQuery
import CaseStore

@Test func everyRateHasOneDefinition() {
    let names = DomainRules.rates.map(\.name)
    #expect(Set(names).count == names.count)
    for r in DomainRules.rates { #expect(DomainRules.rate(r.label)?.name == r.name) }
}
