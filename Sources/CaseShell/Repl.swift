import CaseQuery
import CaseStore
import Foundation

/// The interactive shell: libedit line editing, history, completion, multi-line statements.
public final class Repl {
    let session: Session
    public init(session: Session) { self.session = session }

    static let prompt = "caseql> "
    static let continuation = "   ...> "

    public func run() {
        session.warmIndexes()
        let env = ProcessInfo.processInfo.environment
        guard let editor = LineEditor(programName: "caseql", historyPath: LineEditor.historyPath(environment: env)) else {
            runPlain()
            return
        }
        let completer = Completer(session: session)
        editor.completer = { completer.completion($0) }
        session.output.write(banner() + "\n")
        session.output.flush()
        var buffer = ""
        while !session.quitRequested {
            LineEditor.clearInterrupt()
            switch editor.readLine(prompt: buffer.isEmpty ? Repl.prompt : Repl.continuation) {
            case .eof:
                if buffer.isEmpty {
                    session.output.write("\n")
                    session.output.flush()
                    return
                }
                buffer = ""
                session.output.write("\n")
            case .interrupted:
                buffer = ""
            case .line(let line):
                if !accept(line, into: &buffer, addHistory: editor.addHistory) { continue }
            }
        }
    }

    /// Adds a line to the statement being typed; runs it when complete. Returns false when the
    /// statement needs more lines.
    func accept(_ line: String, into buffer: inout String, addHistory: (String) -> Void) -> Bool {
        if buffer.isEmpty && line.trimmingCharacters(in: " \t").hasPrefix(".") {
            addHistory(line)
            session.runDotCommand(line.trimmingCharacters(in: " \t"))
            return true
        }
        buffer += (buffer.isEmpty ? "" : "\n") + line
        switch Parser.completeness(of: buffer) {
        case .empty:
            buffer = ""
            return true
        case .incomplete:
            return false
        case .complete:
            addHistory(buffer)
            session.runScript(buffer, origin: "input")
            buffer = ""
            return true
        }
    }

    /// Without a terminal for libedit (TERM unknown…): plain line reading, no history.
    func runPlain() {
        session.output.write(banner() + "\n")
        var buffer = ""
        while !session.quitRequested {
            session.output.write(buffer.isEmpty ? Repl.prompt : Repl.continuation)
            session.output.flush()
            guard let line = readLine() else { break }
            _ = accept(line, into: &buffer, addHistory: { _ in })
        }
    }

    func banner() -> String {
        let s = session.store
        var text = "caseql 0.1.0"
        if s.cases.count > 0 || !s.manifest.name.isEmpty {
            text += " — \(s.manifest.name): \(s.cases.count) cases, as of \(session.engine.asOf)"
        } else {
            text += " — no dataset loaded (.load PATH)"
        }
        return text + " (.help for help, Tab completes, Ctrl-D leaves)"
    }
}
