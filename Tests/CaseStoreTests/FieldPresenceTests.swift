import Testing
@testable import CaseStore

/// Which fields a table has data for, and the extra text fields a file may bring.
@Suite struct FieldPresenceTests {
    @Test func absentFieldsHaveNoDataAndDerivedFieldsFollowTheirSources() {
        let store = CaseStore()
        #expect(store.cases.hasData("contact"))
        #expect(store.cases.hasData("face_to_face"))
        store.cases.absentFields = ["contact", "signed_on"]
        #expect(!store.cases.hasData("contact"))
        #expect(!store.cases.hasData("face_to_face"))        // from contact
        #expect(!store.cases.hasData("days_to_sign"))        // from signed_on
        #expect(store.cases.hasData("days_to_reply"))
        #expect(store.cases.hasData("status"))
        #expect(!store.cases.hasData("no_such_field"))
    }

    @Test func anExtraFieldIsATextColumnNamedByItsHeader() {
        let store = CaseStore()
        let spec = store.cases.addExtraField("代表团")
        #expect(spec.extra && spec.name == "代表团")
        #expect(Schema.field("代表团", in: store.cases.specs)?.name == "代表团")
        guard case .text? = store.cases.column("代表团") else { Issue.record("not a text column"); return }
        #expect(store.cases.hasData("代表团"))
        #expect(!Schema.cases.contains { $0.name == "代表团" })
    }
}
