import Testing
import Foundation
import CaseQuery
@testable import CaseShell

@Suite struct LineEditorTests {
    @Test func historyPathPrefersCaseqlHistory() {
        let env = ["CASEQL_HISTORY": "/x/h", "XDG_STATE_HOME": "/state", "HOME": "/home/u"]
        #expect(LineEditor.historyPath(environment: env) == "/x/h")
    }

    @Test func historyPathUsesXdgStateHome() {
        let env = ["XDG_STATE_HOME": "/state", "HOME": "/home/u"]
        #expect(LineEditor.historyPath(environment: env) == "/state/caseql/history")
    }

    @Test func historyPathFallsBackToHome() {
        #expect(LineEditor.historyPath(environment: ["HOME": "/home/u"]) == "/home/u/.caseql_history")
        // Empty variables count as unset.
        let env = ["CASEQL_HISTORY": "", "XDG_STATE_HOME": "", "HOME": "/home/u"]
        #expect(LineEditor.historyPath(environment: env) == "/home/u/.caseql_history")
    }

    @Test func initFailsWithoutTerminal() throws {
        // Under `swift test` stdin/stdout are normally not a terminal; if
        // they are (run by hand in a tty), there is nothing to check.
        guard isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0 else { return }
        let path = NSTemporaryDirectory() + "caseql-test-\(getpid())/history"
        #expect(LineEditor(programName: "test", historyPath: path) == nil)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func longestCommonPrefix() {
        #expect(LineEditor.longestCommonPrefix(["教育局", "教育厅"]) == "教育")
        #expect(LineEditor.longestCommonPrefix(["select", "status"]) == "s")
        #expect(LineEditor.longestCommonPrefix(["select", "proposals"]) == "")
        #expect(LineEditor.longestCommonPrefix(["only"]) == "only")
        #expect(LineEditor.longestCommonPrefix([]) == "")
    }

    @Test func columnLayoutAlignsByDisplayWidth() {
        let items = ["教育局", "教育厅", "交通局", "select", "status", "proposals"]
        let rows = LineEditor.columnLayout(items, terminalWidth: 30)
        // widest is 9 columns + 2 gap = 11 → 2 columns, filled top to bottom.
        #expect(rows == ["教育局     select", "教育厅     status", "交通局     proposals"])
        #expect(rows.allSatisfy { DisplayWidth.of($0) <= 30 })
        let wide = LineEditor.columnLayout(items, terminalWidth: 100)
        #expect(wide.count == 1)
        #expect(wide[0] == "教育局     教育厅     交通局     select     status     proposals")
        let narrow = LineEditor.columnLayout(items, terminalWidth: 5)
        #expect(narrow == items)
    }
}
