// main.swift — seqsh: the SeqLang REPL and script runner.
import SeqLang
print("seqsh \(SeqLangVersion.string)")
