// Interpreter.swift — the tree-walking interpreter (being built; see docs/language.md).
import SeqLang
import Tensor
