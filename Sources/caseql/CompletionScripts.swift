import ArgumentParser
import Foundation

/// The completion scripts swift-argument-parser makes from CaseQL's declaration, told what
/// main.swift does by hand: a first word `generate` (or `help`) is the subcommand, not the
/// dataset. Left alone, the library's scripts give `generate` to the dataset argument and offer
/// the shell's options after it (`caseql generate --c` Tab gave `--csv --command`).
enum CompletionScripts {
    /// The subcommands main.swift routes by the first word, from the declaration.
    static var routed: [String] {
        CaseQL.configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// The script for `shell`; bash's and zsh's dispatch on the first word before the dataset
    /// is parsed. Other shells get the library's script as it is.
    static func script(for shell: CompletionShell) -> String {
        let script = CaseQL.completionScript(for: shell)
        let names = routed.joined(separator: "|")
        switch shell {
        case .bash:
            // Before the root command's own parse (which would take the word as the dataset).
            let anchor = "    __caseql_offer_flags_options 1\n"
            let route = """
                # caseql routes a first word \(names) by hand (main.swift), before the dataset.
                if [[ "${COMP_CWORD}" -gt 1 ]]; then
                    case "${COMP_WORDS[1]}" in
                    \(names))
                        local -r routed="${COMP_WORDS[1]}"
                        unparsed_words=("${unparsed_words[@]:1}")
                        "_caseql_${routed}"
                        return
                        ;;
                    esac
                fi

            """
            return patched(script, before: anchor, route)
        case .zsh:
            let anchor = "    local -ar arg_specs=(\n        ':dataset:'"
            let route = """
                # caseql routes a first word \(names) by hand (main.swift), before the dataset.
                if (( CURRENT > 2 )) && [[ "${words[2]}" = (\(names)) ]]; then
                    shift words
                    (( CURRENT-- ))
                    "_caseql_${words[1]}"
                    return
                fi

            """
            return patched(script, before: anchor, route)
        default:
            return script
        }
    }

    /// `script` with `text` inserted before the first `anchor`. The anchor is the library's own
    /// text (swift-argument-parser 1.8.2): missing, the script is wrong, so stop loudly.
    static func patched(_ script: String, before anchor: String, _ text: String) -> String {
        guard let r = script.range(of: anchor) else {
            fatalError("the completion script no longer has \(anchor.debugDescription): update CompletionScripts.swift")
        }
        return script.replacingCharacters(in: r, with: text + anchor)
    }

    /// The shell a command line asks a completion script for, when it does so first
    /// (`--generate-completion-script bash`, `=zsh`, or none: the shell caseql runs under).
    static func requested(_ arguments: [String]) -> CompletionShell?? {
        guard let first = arguments.first else { return nil }
        let flag = "--generate-completion-script"
        if first == flag {
            guard arguments.count > 1 else { return .some(CompletionShell.autodetected()) }
            return .some(CompletionShell(rawValue: arguments[1]))
        }
        if first.hasPrefix(flag + "=") { return .some(CompletionShell(rawValue: String(first.dropFirst(flag.count + 1)))) }
        return nil
    }
}
