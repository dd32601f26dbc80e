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
        guard let editor = LineEditor(programName: "caseql", historyPath: LineEditor.historyPath(environment: env),
                                      chinese: { [session] in session.chinese }) else {
            runPlain()
            return
        }
        let completer = Completer(session: session)
        editor.completer = { completer.completion($0) }
        session.output.text(banner() + "\n")
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

    /// Adds a line to the statement being typed; runs it when it ends. Returns false when the
    /// statement needs more lines. The statement ends by the scripts' rule
    /// (`ScriptSplitter.startsStatement`): at `;`, or at the end of a complete line unless the
    /// next line continues it; a line typed and entered has no next line yet, a pasted one has
    /// the rest of the paste waiting, so a pasted script runs as the script runs.
    func accept(_ line: String, into buffer: inout String, addHistory: (String) -> Void) -> Bool {
        if !buffer.isEmpty && Parser.completeness(of: buffer) == .complete {
            // A complete statement waiting for the next line to say whether it goes on.
            if ScriptSplitter.isBlank(line) && Repl.inputPending() {
                buffer += "\n" + line
                return false
            }
            if ScriptSplitter.isBlank(line) || ScriptSplitter.startsStatement(line) {
                addHistory(buffer)
                session.runScript(buffer, origin: "input")
                buffer = ""
                if ScriptSplitter.isBlank(line) { return true }
            }
        }
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
            let tokens = Lexer.tokenize(buffer).filter { $0.kind != .end }
            if !(tokens.last?.isSymbol(";") ?? false) && Repl.inputPending() { return false }
            addHistory(buffer)
            session.runScript(buffer, origin: "input")
            buffer = ""
            return true
        }
    }

    /// Whether more input is already waiting (the rest of a paste), within 30 ms.
    static func inputPending() -> Bool {
        var p = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 30) > 0 && (p.revents & Int16(POLLIN)) != 0
    }

    /// Without a terminal for libedit (TERM unknown…): plain line reading, no history.
    func runPlain() {
        session.output.text(banner() + "\n")
        var buffer = ""
        while !session.quitRequested {
            session.output.write(buffer.isEmpty ? Repl.prompt : Repl.continuation)
            session.output.flush()
            guard let line = readLine() else { break }
            _ = accept(line, into: &buffer, addHistory: { _ in })
        }
    }

    /// Two lines of at most 80 columns: the dataset (or how to load one), then the keys.
    func banner() -> String {
        let s = session.store
        var text = "caseql 0.1.0"
        if session.hasDataset {
            text += " — \(s.manifest.name): \(s.cases.count) cases, as of \(session.engine.asOf)"
        } else {
            text += " — no dataset loaded: .load FOLDER, or start caseql FOLDER"
        }
        return text + "\n.help for help, Tab completes, Ctrl-D leaves"
    }
}
